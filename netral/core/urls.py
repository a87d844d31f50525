from django.urls import path

from . import views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("gabung/", views.join_by_code, name="join_by_code"),
]
