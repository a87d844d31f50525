from django.urls import path

from . import views

app_name = "complaints"

urlpatterns = [
    path("pengaduan/", views.report, name="report"),
    path("pengaduan/lacak/", views.track, name="track"),
    path("pengaduan/lacak/<str:code>/", views.track_detail, name="track_detail"),
    path("pengaduan/lacak/<str:code>/jawab/", views.answer, name="answer"),
    path("pengaduan/wilayah/", views.region_children, name="regions"),
    path("pengaduan/statistik/", views.statistics, name="statistics"),
    path("pengaduan/grafik/<str:kind>.svg", views.chart, name="chart"),
    path("verifikasi/pengaduan/", views.case_list, name="cases"),
    path("verifikasi/pengaduan/dasbor/", views.dashboard, name="dashboard"),
    path("verifikasi/pengaduan/dasbor/ekspor.xlsx", views.dashboard_xlsx, name="dashboard_xlsx"),
    path("verifikasi/pengaduan/<int:pk>/", views.case_detail, name="case"),
    path("verifikasi/pengaduan/<int:pk>/aksi/", views.case_action, name="case_action"),
    path("verifikasi/pengaduan/<int:pk>/pelapor/", views.reporter_identity, name="identity"),
    path("verifikasi/pengaduan/<int:pk>/bukti/<int:evidence_pk>/", views.evidence_file, name="evidence"),
    path("verifikasi/pengaduan/<int:pk>/berkas.<str:fmt>", views.case_export, name="export"),
]
