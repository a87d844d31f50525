from django.urls import path

from . import views
from .bank_urls import urlpatterns as bank_urlpatterns

app_name = "evaluation"

urlpatterns = [
    path("e/<str:code>/evaluasi/", views.my_tests, name="mine"),
    path("e/<str:code>/evaluasi/<str:kind>/", views.take, name="take"),
    path("e/<str:code>/evaluasi/<str:kind>/mulai/", views.start, name="start"),
    path("e/<str:code>/evaluasi/<str:kind>/kirim/", views.submit, name="submit"),
    path("panitia/kegiatan/<int:pk>/evaluasi/", views.overview, name="overview"),
    path("panitia/kegiatan/<int:pk>/evaluasi/ekspor.xlsx", views.results_export, name="export"),
    path("panitia/kegiatan/<int:pk>/evaluasi/<str:kind>/buat/", views.create, name="create"),
    path("panitia/kegiatan/<int:pk>/evaluasi/<str:kind>/", views.test_settings, name="settings"),
    path("panitia/kegiatan/<int:pk>/evaluasi/<str:kind>/buka-tutup/", views.toggle_open, name="toggle"),
    path("panitia/kegiatan/<int:pk>/evaluasi/<str:kind>/butir/<int:test_item>/", views.item_detail, name="item"),
    *bank_urlpatterns,
]
