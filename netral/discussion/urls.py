from django.urls import path

from . import views

app_name = "discussion"

urlpatterns = [
    path("e/<str:code>/diskusi/", views.phone, name="phone"),
    path("e/<str:code>/diskusi/tanya/", views.ask, name="ask"),
    path("e/<str:code>/diskusi/<int:pk>/suara/", views.toggle_vote, name="vote"),
    path("e/<str:code>/papan/", views.board, name="board"),
    path("panitia/kegiatan/<int:pk>/diskusi/", views.moderation, name="moderation"),
    path("panitia/kegiatan/<int:pk>/diskusi/<int:question_pk>/", views.moderate, name="moderate"),
    path("panitia/kegiatan/<int:pk>/diskusi/ekspor.<str:fmt>", views.export, name="export"),
]
