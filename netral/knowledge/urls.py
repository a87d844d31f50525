from django.urls import path

from . import views

app_name = "knowledge"

urlpatterns = [
    path("cek/", views.check, name="check"),
    path("aturan/", views.catalogue, name="catalogue"),
    path("aturan/ringkasan.pdf", views.summary_pdf, name="summary_pdf"),
    path("aturan/<str:code>/", views.behaviour_detail, name="behaviour"),
    path("aturan/<str:code>/ubah/", views.behaviour_edit, name="behaviour_edit"),
    path("aturan/<str:code>/riwayat/", views.behaviour_history, name="behaviour_history"),
    path("regulasi/", views.regulation_list, name="regulations"),
    path("regulasi/<str:code>/", views.regulation_detail, name="regulation"),
    path("sanksi/", views.sanction_list, name="sanctions"),
    path("panduan/<slug:slug>/", views.page_detail, name="page"),
    path("faq/", views.faq_list, name="faq"),
    path("panitia/sinonim/", views.synonyms, name="synonyms"),
    path("panitia/konten/<str:kind>/<int:pk>/", views.content_edit, name="content_edit"),
    path("panitia/konten/<str:kind>/<int:pk>/riwayat/", views.content_history, name="content_history"),
]
