"""Public route: `/emargement/` (wired in `config/urls.py` as `path("emargement/", include("attendance.urls"))`)."""

from django.urls import path

from . import views

app_name = "attendance"

urlpatterns = [
    path("", views.check_in, name="check_in"),
]
