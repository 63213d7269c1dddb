"""Routes of a member's own settings, under "Mon espace" (`config/urls.py` mounts them at `mon-espace/`)."""

from django.urls import path

from . import views

app_name = "members_space"

urlpatterns = [
    path("visibilite/<int:council_id>/", views.consent, name="consent"),
]
