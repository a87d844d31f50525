from django.contrib import admin
from django.urls import include, path

from netral.api import api

handler403 = "netral.core.views.error_403"
handler404 = "netral.core.views.error_404"
handler500 = "netral.core.views.error_500"

urlpatterns = [
    path("api/", api.urls),  # first: the hottest paths resolve without trying every page pattern
    path("", include("netral.core.urls")),
    path("", include("netral.accounts.urls")),
    path("", include("netral.events.urls")),
    path("", include("netral.knowledge.urls")),
    path("", include("netral.discussion.urls")),
    path("", include("netral.evaluation.urls")),
    path("", include("netral.reports.urls")),
    path("", include("netral.complaints.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
