from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.widgets import Button

from .models import MeetingIndexPage
from .views import MeetingSeriesCreateView
from .viewsets import MeetingPageViewSet


@hooks.register("register_admin_urls")
def register_meeting_series_urls():
    return [
        path(
            "meetings/<int:index_id>/series/add/",
            MeetingSeriesCreateView.as_view(),
            name="meetings_series_create",
        ),
    ]


def _series_button(page, user, priority):
    specific_class = page.specific_class
    if (
        specific_class is not None
        and issubclass(specific_class, MeetingIndexPage)
        and page.permissions_for_user(user).can_add_subpage()
    ):
        yield Button(
            _("Plan a series of meetings"),
            reverse("meetings_series_create", args=[page.pk]),
            icon_name="date",
            priority=priority,
        )


@hooks.register("register_page_header_buttons")
def meeting_index_header_buttons(page, user, view_name, next_url=None):
    yield from _series_button(page, user, priority=16)


@hooks.register("register_page_listing_more_buttons")
def meeting_index_listing_buttons(page, user, next_url=None):
    yield from _series_button(page, user, priority=9)


@hooks.register("register_admin_viewset")
def register_meeting_page_viewset():
    """Meetings' own admin views: the explorer of a meetings index lists them with date and status."""
    return MeetingPageViewSet()
