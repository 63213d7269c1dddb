"""Organisers' entry points in the admin: a menu item (the events one organises) and, on an event page
taking registrations, buttons to its registrations and to attendance at the door."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.widgets import Button

from . import admin_views
from .models import EventPage
from .organisers import can_organise, events_organised_by

admin_urlpatterns = [
    path("", admin_views.EventsIndexView.as_view(), name="index"),
    path("<int:page_id>/", admin_views.RegistrationsView.as_view(), name="registrations"),
    path("<int:page_id>/export/", admin_views.RegistrationsExportView.as_view(), name="export"),
    path("<int:page_id>/presences/", admin_views.AttendanceView.as_view(), name="attendance"),
]


@hooks.register("register_admin_urls")
def register_events_admin_urls():
    return [path("inscriptions/", include((admin_urlpatterns, "events_admin"), namespace="events_admin"))]


class RegistrationsMenuItem(MenuItem):
    def is_shown(self, request):
        return events_organised_by(request.user).exists()


@hooks.register("register_admin_menu_item")
def register_registrations_menu_item():
    return RegistrationsMenuItem(
        _("Registrations"), reverse("events_admin:index"), icon_name="form", order=260
    )


def _registration_buttons(page, user, priority, *, check_mode=True):
    """For an event page the user may edit. The listing skips the registration-mode check: its pages'
    own fields are deferred, and reading one per row would cost a query per event."""
    if not issubclass(page.specific_class or type(page), EventPage):
        return []
    if check_mode and not page.specific_deferred.takes_registrations:
        return []
    if not can_organise(user, page):
        return []
    return [
        Button(
            _("Registrations"),
            reverse("events_admin:registrations", args=[page.pk]),
            icon_name="form",
            priority=priority,
        ),
        Button(
            _("Attendance"),
            reverse("events_admin:attendance", args=[page.pk]),
            icon_name="tick-inverse",
            priority=priority + 1,
        ),
    ]


@hooks.register("register_page_header_buttons")
def event_page_header_buttons(page, user, view_name=None, next_url=None):
    yield from _registration_buttons(page, user, priority=67)


@hooks.register("register_page_listing_more_buttons")
def event_page_listing_more_buttons(page, user, next_url=None):
    yield from _registration_buttons(page, user, priority=56, check_mode=False)
