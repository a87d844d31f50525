from django.urls import path

from . import views

app_name = "reports"

_E = "panitia/kegiatan/<int:pk>/"

urlpatterns = [
    # organisers: the activity report
    path(_E + "laporan/", views.report_page, name="report"),
    path(_E + "laporan/draf/", views.report_redraft, name="redraft"),
    path(_E + "laporan/laporan.pdf", views.report_pdf, name="report_pdf"),
    path(_E + "laporan/laporan.docx", views.report_docx, name="report_docx"),
    path(_E + "laporan/data.xlsx", views.workbook, name="workbook"),
    path(_E + "laporan/daftar-hadir.pdf", views.attendance_pdf, name="attendance_pdf"),
    path(_E + "laporan/foto/", views.photo_add, name="photo_add"),
    path(_E + "laporan/foto/<int:photo_pk>/", views.photo_file, name="photo"),
    path(_E + "laporan/foto/<int:photo_pk>/ubah/", views.photo_edit, name="photo_edit"),
    path(_E + "laporan/foto/<int:photo_pk>/hapus/", views.photo_delete, name="photo_delete"),
    # organisers: certificates
    path(_E + "sertifikat/", views.certificates_page, name="certificates"),
    path(_E + "sertifikat/terbitkan/", views.certificates_issue, name="certificates_issue"),
    path(_E + "sertifikat/semua.zip", views.certificates_zip, name="certificates_zip"),
    path(_E + "sertifikat/daftar.pdf", views.certificates_list_pdf, name="certificates_list_pdf"),
    path(_E + "sertifikat/logo/", views.logo_file, name="logo"),
    path(_E + "sertifikat/penandatangan/", views.signatory_save, name="signatory_add"),
    path(_E + "sertifikat/penandatangan/<int:signatory_pk>/", views.signatory_save, name="signatory_edit"),
    path(_E + "sertifikat/penandatangan/<int:signatory_pk>/hapus/", views.signatory_delete,
         name="signatory_delete"),
    path(_E + "sertifikat/<int:cert_pk>.pdf", views.certificate_pdf, name="certificate_pdf"),
    path(_E + "sertifikat/<int:cert_pk>/cabut/", views.certificate_revoke, name="certificate_revoke"),
    path(_E + "sertifikat/<int:cert_pk>/terbitkan-ulang/", views.certificate_reissue, name="certificate_reissue"),
    # participants
    path("e/<str:code>/sertifikat/", views.my_certificate, name="my_certificate"),
    path("e/<str:code>/sertifikat/unduh/", views.my_certificate_pdf, name="my_certificate_pdf"),
    # public verification (contract: GET /verify/{certificate_code})
    path("verify/", views.verify, name="verify_form"),
    path("verify/<str:code>", views.verify, name="verify"),
    path("verify/<str:code>/", views.verify),
]
