"""Registrations' own addresses (outside the page tree: they must work from an email, page moved or not)."""

from django.urls import path

from . import offer_views, views

app_name = "events"

urlpatterns = [
    path("<str:token>/", views.registration_manage, name="registration_manage"),
    path("<str:token>/accepter/", offer_views.offer_accept, name="offer_accept"),
]
