from django.urls import path

from .views import checkin, imports, organiser, participants, public

app_name = "events"

urlpatterns = [
    # participants and the public
    path("j/<str:code>/", public.join, name="join_short"),
    path("e/<str:code>/", public.event_page, name="public"),
    path("e/<str:code>/kalender.ics", public.event_ics, name="ics"),
    path("e/<str:code>/materi/<int:pk>/", public.material_download, name="material"),
    path("e/<str:code>/gabung/", public.join, name="join"),
    path("e/<str:code>/saya/", public.me, name="me"),
    path("e/<str:code>/keluar/", public.forget, name="forget"),
    path("e/<str:code>/hadir/<str:token>/", public.self_checkin, name="self_checkin"),
    # organisers
    path("panitia/", organiser.dashboard, name="dashboard"),
    path("panitia/kegiatan/baru/", organiser.event_create, name="create"),
    path("panitia/kegiatan/<int:pk>/", organiser.event_manage, name="manage"),
    path("panitia/kegiatan/<int:pk>/ubah/", organiser.event_edit, name="edit"),
    path("panitia/kegiatan/<int:pk>/status/", organiser.event_status, name="status"),
    path("panitia/kegiatan/<int:pk>/narasumber/baru/", organiser.speaker_edit, name="speaker_create"),
    path("panitia/kegiatan/<int:pk>/narasumber/<int:speaker_pk>/", organiser.speaker_edit, name="speaker_edit"),
    path("panitia/kegiatan/<int:pk>/sesi/baru/", organiser.session_edit, name="session_create"),
    path("panitia/kegiatan/<int:pk>/sesi/<int:session_pk>/", organiser.session_edit, name="session_edit"),
    path("panitia/kegiatan/<int:pk>/sesi/<int:session_pk>/hapus/", organiser.session_delete, name="session_delete"),
    path("panitia/kegiatan/<int:pk>/sesi/<int:session_pk>/materi/", organiser.material_upload, name="material_upload"),
    path("panitia/kegiatan/<int:pk>/materi/<int:material_pk>/hapus/", organiser.material_delete, name="material_delete"),
    path("panitia/kegiatan/<int:pk>/peserta/", participants.participant_list, name="participants"),
    path("panitia/kegiatan/<int:pk>/peserta/<int:participant_pk>/hapus/", participants.participant_delete,
         name="participant_delete"),
    path("panitia/kegiatan/<int:pk>/peserta/ekspor.xlsx", participants.participant_export, name="participants_xlsx"),
    path("panitia/kegiatan/<int:pk>/peserta/impor/", imports.import_upload, name="import"),
    path("panitia/kegiatan/<int:pk>/peserta/impor/<int:batch_pk>/", imports.import_review, name="import_review"),
    path("panitia/kegiatan/<int:pk>/peserta/templat.xlsx", imports.import_template, name="import_template"),
    path("panitia/kegiatan/<int:pk>/presensi/", checkin.checkin_screen, name="checkin"),
    path("panitia/kegiatan/<int:pk>/presensi/angka/", checkin.checkin_counts, name="checkin_counts"),
    path("panitia/kegiatan/<int:pk>/presensi/pindai/", checkin.checkin_scan, name="checkin_scan"),
    path("panitia/kegiatan/<int:pk>/presensi/layar/", checkin.checkin_projector, name="checkin_projector"),
    path("panitia/kegiatan/<int:pk>/presensi/layar/qr/", checkin.checkin_projector_qr, name="checkin_projector_qr"),
    path("panitia/kegiatan/<int:pk>/presensi/<int:participant_pk>/", checkin.checkin_mark, name="checkin_mark"),
    path("panitia/kegiatan/<int:pk>/presensi/daftar-hadir.xlsx", checkin.attendance_export, name="attendance_xlsx"),
    path("panitia/presensi/p/<str:token>/", checkin.checkin_personal, name="checkin_personal"),
]
