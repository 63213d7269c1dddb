"""The volunteer's dashboard panel: their council at a glance, and the few actions of every week."""

from django.urls import reverse
from django.utils import timezone

from wagtail.admin.ui.components import Component
from wagtail.models import Page

from documents.models import DocumentIndexPage
from meetings.choices import MeetingStatus, MinutesStatus
from meetings.models import MeetingIndexPage, MeetingPage

RECENT = 5


def _first_child(council, model):
    return model.objects.child_of(council).order_by("path").first()


def council_overview(council, user, now=None):
    """What a council's editor needs to see first, and links to act on it. A handful of queries."""
    now = now or timezone.now()
    meetings = MeetingPage.objects.descendant_of(council)
    meeting_index = _first_child(council, MeetingIndexPage)
    documents_page = _first_child(council, DocumentIndexPage)
    next_meeting = meetings.live().upcoming(now).exclude(status=MeetingStatus.CANCELLED).first()
    without_minutes = list(
        meetings.live()
        .filter(end__lt=now, minutes_status=MinutesStatus.NONE)
        .exclude(status=MeetingStatus.CANCELLED)
        .order_by("-start")[:RECENT]
    )
    drafts = list(
        Page.objects.descendant_of(council, inclusive=True)
        .filter(has_unpublished_changes=True)
        .order_by("-latest_revision_created_at")[:RECENT]
    )
    published = list(
        Page.objects.descendant_of(council, inclusive=True)
        .live()
        .exclude(last_published_at=None)
        .order_by("-last_published_at")[:RECENT]
    )
    access = council.access
    actions = []
    if meeting_index is not None:
        actions += [
            (
                "date",
                "add_meeting",
                reverse("wagtailadmin_pages:add", args=["meetings", "meetingpage", meeting_index.pk]),
            ),
            ("calendar-alt", "plan_series", reverse("meetings_series_create", args=[meeting_index.pk])),
        ]
    if without_minutes:
        actions.append(
            (
                "doc-full",
                "write_minutes",
                reverse("wagtailadmin_pages:edit", args=[without_minutes[0].pk]) + "#tab-minutes",
            )
        )
    actions += [
        (
            "upload",
            "upload_document",
            reverse("wagtaildocs:add_multiple") + f"?collection_id={access.collection_id}",
        ),
        (
            "doc-empty-inverse",
            "add_page",
            reverse("wagtailadmin_pages:add", args=["home", "standardpage", council.pk]),
        ),
    ]
    return {
        "council": council,
        "next_meeting": next_meeting,
        "without_minutes": without_minutes,
        "drafts": drafts,
        "published": published,
        "actions": actions,
        "explore_url": reverse("wagtailadmin_explore", args=[council.pk]),
        "edit_url": reverse("wagtailadmin_pages:edit", args=[council.pk]),
        "documents_url": reverse("wagtaildocs:index") + f"?collection_id={access.collection_id}",
        "documents_page": documents_page,
        "can_edit": council.permissions_for_user(user).can_edit(),
        "public_url": council.url if council.live else None,
    }


class MyCouncilsPanel(Component):
    """Dashboard panel: the council(s) the user edits."""

    name = "my_councils"
    order = 50
    template_name = "councils/admin/my_councils_panel.html"

    def __init__(self, councils):
        self.councils = councils

    def get_context_data(self, parent_context):
        user = parent_context["request"].user
        return {"entries": [council_overview(council, user) for council in self.councils]}
