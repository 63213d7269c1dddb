"""Public routes: the invitation link."""

from django.urls import path

from . import views

app_name = "members"

urlpatterns = [
    path("<str:token>/", views.invitation, name="invitation"),
]
