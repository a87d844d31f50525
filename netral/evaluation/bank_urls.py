"""URLs of the item bank pages and of choosing a test's items (included by ``urls.py``)."""

from django.urls import path

from . import bank_views

urlpatterns = [
    path("panitia/bank-soal/", bank_views.bank_list, name="bank_list"),
    path("panitia/bank-soal/templat.xlsx", bank_views.bank_template, name="bank_template"),
    path("panitia/bank-soal/<int:pk>/", bank_views.bank_detail, name="bank_detail"),
    path("panitia/bank-soal/<int:pk>/ubah/", bank_views.bank_edit, name="bank_edit"),
    path("panitia/bank-soal/<int:pk>/salin/", bank_views.bank_copy, name="bank_copy"),
    path("panitia/bank-soal/<int:pk>/ekspor.<str:fmt>", bank_views.bank_export, name="bank_export"),
    path("panitia/bank-soal/<int:pk>/impor/", bank_views.bank_import, name="bank_import"),
    path("panitia/bank-soal/<int:pk>/impor/<str:token>/", bank_views.bank_import_review,
         name="bank_import_review"),
    path("panitia/bank-soal/<int:pk>/butir/baru/", bank_views.item_create, name="bank_item_create"),
    path("panitia/bank-soal/<int:pk>/butir/<int:item_pk>/", bank_views.item_edit, name="bank_item"),
    path("panitia/bank-soal/<int:pk>/butir/<int:item_pk>/pensiun/", bank_views.item_retire,
         name="bank_item_retire"),
    path("panitia/kegiatan/<int:pk>/evaluasi/<str:kind>/butir/", bank_views.choose_items, name="choose_items"),
]
