"""The city's view of every council: who publishes, who is dormant, what waits for the city.

Every figure comes from one annotated query over the councils (subqueries per figure) plus one query for
the editors: the number of queries does not grow with the number of councils.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, F, Func, IntegerField, OuterRef, Subquery
from django.db.models.functions import Cast, Coalesce
from django.urls import reverse
from django.utils import timezone

from wagtail.models import Page, PageLogEntry, WorkflowState

from councils.models import CouncilAccess, CouncilPage
from meetings.models import MeetingPage, MeetingStatus, MinutesStatus

from .models import ContentReport, ReportStatus

DORMANT_AFTER_DAYS = 30
PUBLISH_ACTIONS = ("wagtail.publish", "wagtail.publish.scheduled")


def _count(queryset):
    """A correlated COUNT(*) subquery (no GROUP BY: one row per outer council)."""
    return Coalesce(
        Subquery(
            queryset.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")[:1],
            output_field=IntegerField(),
        ),
        0,
    )


def _in_council(model_path="path"):
    return {f"{model_path}__startswith": OuterRef("path")}


@dataclass
class EditorSummary:
    name: str
    email: str
    last_login: datetime | None


@dataclass
class CouncilOversight:
    council: CouncilPage
    last_published_at: datetime | None
    publications_30_days: int
    upcoming_meetings: int
    meetings_without_minutes: int
    open_reports: int
    pending_submissions: int
    editors: list = field(default_factory=list)
    dormant: bool = False

    @property
    def explore_url(self):
        return reverse("wagtailadmin_explore", args=[self.council.pk])

    @property
    def edit_url(self):
        return reverse("wagtailadmin_pages:edit", args=[self.council.pk])

    @property
    def never_signed_in(self):
        return bool(self.editors) and all(e.last_login is None for e in self.editors)


def councils_oversight(now=None):
    """Every council (sandboxes excepted) with its activity figures, dormant councils first.

    A council is dormant when nothing in it was published in the last 30 days.
    """
    now = now or timezone.now()
    since = now - timedelta(days=DORMANT_AFTER_DAYS)
    page_type = ContentType.objects.get_for_model(Page)
    meetings = MeetingPage.objects.live().exclude(status=MeetingStatus.CANCELLED).filter(**_in_council())
    councils = (
        CouncilPage.objects.filter(is_sandbox=False)
        .annotate(
            last_published=Subquery(
                Page.objects.filter(**_in_council())
                .order_by()
                .annotate(last=Func(F("last_published_at"), function="MAX"))
                .values("last")[:1]
            ),
            publications=_count(
                PageLogEntry.objects.filter(
                    page__path__startswith=OuterRef("path"), action__in=PUBLISH_ACTIONS, timestamp__gte=since
                )
            ),
            upcoming=_count(meetings.filter(end__gte=now)),
            without_minutes=_count(meetings.filter(end__lt=now, minutes_status=MinutesStatus.NONE)),
            reports=_count(
                ContentReport.objects.filter(
                    page__path__startswith=OuterRef("path"), status=ReportStatus.OPEN
                )
            ),
            submissions=_count(
                WorkflowState.objects.filter(
                    base_content_type=page_type,
                    status=WorkflowState.STATUS_IN_PROGRESS,
                    object_id__in=Page.objects.filter(path__startswith=OuterRef(OuterRef("path")))
                    .annotate(key=Cast("pk", CharField()))
                    .values("key"),
                )
            ),
        )
        .select_related("access")
        .order_by("title")
    )
    rows = [
        CouncilOversight(
            council=council,
            last_published_at=council.last_published,
            publications_30_days=council.publications,
            upcoming_meetings=council.upcoming,
            meetings_without_minutes=council.without_minutes,
            open_reports=council.reports,
            pending_submissions=council.submissions,
            dormant=council.last_published is None or council.last_published < since,
        )
        for council in councils
    ]
    _attach_editors(rows)
    # Dormant first (the longest-silent at the top), then the others by title.
    rows.sort(
        key=lambda row: (
            not row.dormant,
            row.last_published_at.timestamp() if row.dormant and row.last_published_at else 0,
            row.council.title.lower(),
        )
    )
    return rows


def _attach_editors(rows):
    """The editors of every council, in one query."""
    by_group = {}
    for row in rows:
        try:
            by_group[row.council.access.editors_group_id] = row
        except CouncilAccess.DoesNotExist:
            continue
    if not by_group:
        return
    memberships = (
        get_user_model()
        .groups.through.objects.filter(group_id__in=by_group, user__is_active=True)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "user__username")
    )
    for membership in memberships:
        user = membership.user
        by_group[membership.group_id].editors.append(
            EditorSummary(
                name=user.get_full_name() or user.get_username(), email=user.email, last_login=user.last_login
            )
        )


def oversight_totals(rows):
    return {
        "councils": len(rows),
        "dormant": sum(row.dormant for row in rows),
        "open_reports": ContentReport.objects.open().count(),
        "pending_submissions": sum(row.pending_submissions for row in rows),
    }
