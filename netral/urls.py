from django.contrib import admin
from django.urls import include, path

from netral.api import api

handler403 = "netral.core.views.error_403"
handler404 = "netral.core.views.error_404"
handler500 = "netral.core.views.error_500"

urlpatterns = [
    path("", include("netral.core.urls")),
    path("", include("netral.accounts.urls")),
    path("", include("netral.events.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
]
