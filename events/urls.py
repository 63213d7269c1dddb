"""Registrations' own addresses (outside the page tree: they must work from an email, page moved or not)."""

from django.urls import path

from . import offer_views, views

app_name = "events"

urlpatterns = [
    # The registration form of an event page posts here: a CSRF token only for people with a session
    # (core.csrf), so that the event page is the same for every anonymous reader and may be cached.
    path("evenement/<int:event_id>/", views.register_posted, name="register"),
    path("<str:token>/", views.registration_manage, name="registration_manage"),
    path("<str:token>/accepter/", offer_views.offer_accept, name="offer_accept"),
]
