from datetime import timedelta

from django.conf import settings
from django.core.paginator import Paginator
from django.db import models
from django.db.models import Case, F, IntegerField, Value, When
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from modelcluster.fields import ParentalKey
from wagtail.admin.panels import (
    FieldPanel,
    InlinePanel,
    ObjectList,
    TabbedInterface,
)
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from core.dated import DatedPage, DatedPageManager, DatedPageQuerySet, dated_models, dated_panels
from core.ical import council_feed_response
from core.models import BasePage
from core.visibility import item_visible_to

from .admin_forms import MeetingPageForm
from .blocks import AgendaBlock, DecisionBlock
from .choices import MeetingFormat, MeetingStatus, MinutesStatus  # noqa: F401 - re-exported

MEETINGS_PER_PAGE = 20


def format_minutes(minutes):
    """A duration for people: "45 min", "2 h", "2 h 15 min"."""
    hours, rest = divmod(int(minutes), 60)
    if not hours:
        return _("%(minutes)d min") % {"minutes": rest}
    if not rest:
        return _("%(hours)d h") % {"hours": hours}
    return _("%(hours)d h %(minutes)02d min") % {"hours": hours, "minutes": rest}


class MeetingIndexPage(RoutablePageMixin, BasePage):
    """A council's (or working group's) meetings: upcoming first, then past, paginated."""

    intro = models.TextField(_("introduction"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["councils.CouncilPage", "councils.WorkingGroupPage"]
    subpage_types = ["meetings.MeetingPage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("meetings index")
        verbose_name_plural = _("meetings indexes")

    @path("calendrier/", name="calendar_feed")
    def calendar_feed(self, request):
        """The council's subscribable calendar: every public dated page under the council — its meetings and
        its events (children of the council's page) — without this app knowing the other types."""
        council = self.get_parent()
        return council_feed_response(
            request,
            council=council,
            querysets=[model.objects.descendant_of(council) for model in dated_models()],
        )

    def meetings_for(self, request, now=None):
        """Live meetings under this index the request may see: upcoming first (soonest first), then past
        (latest first). Each meeting carries `is_over` (0 or 1). Two queries whatever the number of meetings."""
        now = now or timezone.now()
        # The index's own restriction, if any, was already checked by Wagtail before serving this page.
        meetings = MeetingPage.objects.child_of(self).visible_to(request)
        return meetings.annotate(
            is_over=Case(When(end__lt=now, then=Value(1)), default=Value(0), output_field=IntegerField())
        ).order_by(
            "is_over",
            Case(When(end__gte=now, then=F("start"))).asc(nulls_last=True),
            Case(When(end__lt=now, then=F("start"))).desc(nulls_last=True),
            "pk",
        )

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        paginator = Paginator(self.meetings_for(request), MEETINGS_PER_PAGE)
        page_obj = paginator.get_page(request.GET.get("page"))
        context["meetings"] = page_obj
        context["paginator"] = paginator
        return context


class MeetingPageQuerySet(DatedPageQuerySet):
    """Meetings, with the shared visibility rules (`listed()`, `visible_to(request)`) from core."""

    def with_minutes(self):
        return self.exclude(minutes_status=MinutesStatus.NONE)


class MeetingPageManager(DatedPageManager.from_queryset(MeetingPageQuerySet)):
    pass


class MeetingSeries(models.Model):
    """A recurrence planned in one action ("every first Tuesday at 18:30 until June").

    Each session is its own MeetingPage; the series keeps the rule so the plan can be read back.
    """

    title = models.CharField(_("title"), max_length=255)
    rule = models.TextField(
        _("recurrence rule"), help_text=_("RFC 5545 RRULE, in the local time of the city.")
    )
    index = models.ForeignKey(
        MeetingIndexPage,
        verbose_name=_("meetings index"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="series",
    )
    duration_minutes = models.PositiveIntegerField(_("duration (minutes)"), default=120)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(pgettext_lazy("meeting series", "created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("meeting series")
        verbose_name_plural = _("meeting series")

    def __str__(self):
        return self.title


class MeetingPage(DatedPage):
    """One session of a council: when and where (`core.dated.DatedPage`), what will be discussed, and what
    was decided."""

    ical_uid_prefix = "meeting"

    summary = models.TextField(_("summary"), blank=True)
    agenda = StreamField(
        AgendaBlock(),
        verbose_name=pgettext_lazy("order of business", "agenda"),
        blank=True,
        help_text=_("The items in order. Their durations must fit within the meeting."),
    )

    minutes_status = models.CharField(
        _("minutes status"), max_length=20, choices=MinutesStatus.choices, default=MinutesStatus.NONE
    )
    minutes_approved_on = models.DateField(
        _("minutes approved on"),
        null=True,
        blank=True,
        help_text=_("Minutes are usually approved at the next session."),
    )
    minutes = RichTextField(_("minutes"), blank=True)
    decisions = StreamField(DecisionBlock(), verbose_name=_("decisions taken"), blank=True)
    attendee_count = models.PositiveIntegerField(_("number of attendees"), null=True, blank=True)

    series = models.ForeignKey(
        MeetingSeries,
        verbose_name=_("series"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="meetings",
    )
    objects = MeetingPageManager()
    base_form_class = MeetingPageForm

    content_panels = [
        *Page.content_panels,
        *dated_panels(),
        FieldPanel("summary"),
        FieldPanel("agenda"),
        InlinePanel("related_documents", heading=_("Documents"), label=_("Document")),
    ]
    minutes_panels = [
        FieldPanel("minutes_status"),
        FieldPanel("minutes_approved_on"),
        FieldPanel("attendee_count"),
        FieldPanel("minutes"),
        FieldPanel("decisions"),
    ]
    edit_handler = TabbedInterface(
        [
            ObjectList(content_panels, heading=_("Meeting")),
            ObjectList(minutes_panels, heading=_("Minutes")),
            ObjectList(Page.promote_panels, heading=_("Promote")),
            ObjectList(Page.settings_panels, heading=_("Settings")),
        ]
    )
    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("agenda"),
        index.SearchField("minutes"),
        *DatedPage.dated_search_fields,
    ]

    parent_page_types = ["meetings.MeetingIndexPage"]
    subpage_types = []

    class Meta(DatedPage.Meta):
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")

    # -- Readers' helpers --------------------------------------------------------------------------

    @property
    def agenda_minutes(self):
        """Total duration of the agenda items (sub-items have no duration of their own)."""
        return sum(
            (block.value.get("duration") or 0) for block in self.agenda or [] if block.block_type == "item"
        )

    @cached_property
    def agenda_schedule(self):
        """[(block, its start time)]: each item starts when the previous ones are over."""
        schedule = []
        current = self.start
        for block in self.agenda or []:
            schedule.append((block, current))
            if current is not None and block.block_type == "item":
                current = current + timedelta(minutes=block.value.get("duration") or 0)
        return schedule

    @property
    def has_minutes(self):
        return self.minutes_status != MinutesStatus.NONE

    @property
    def minutes_approved(self):
        return self.minutes_status == MinutesStatus.APPROVED

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # Members-only documents attached to a public meeting: listed only to those who may open them.
        context["documents"] = [
            link.document
            for link in self.related_documents.select_related("document").filter(document__is_ready=True)
            if item_visible_to(link.document, request)
        ]
        return context

    # -- Revisions and validation ------------------------------------------------------------------

    def dated_errors(self):
        """The shared rules of a dated page, then the minutes' and the agenda's."""
        errors = super().dated_errors()
        if self.minutes_status == MinutesStatus.APPROVED and not self.minutes_approved_on:
            errors["minutes_approved_on"] = _("Give the date the minutes were approved.")
        if self.minutes_status == MinutesStatus.APPROVED and self.start and self.start > timezone.now():
            errors["minutes_status"] = _(
                "Minutes cannot be approved before the meeting has started: keep them as a draft until then."
            )
        elif (
            self.minutes_status == MinutesStatus.APPROVED
            and self.start
            and self.minutes_approved_on
            and self.minutes_approved_on < timezone.localdate(self.start)
        ):
            errors["minutes_approved_on"] = _("Minutes cannot have been approved before the meeting's day.")
        if "end" not in errors and self.start and self.end:
            agenda_minutes = self.agenda_minutes
            if agenda_minutes * 60 > self.duration.total_seconds():
                errors["agenda"] = _(
                    "The agenda lasts %(agenda)s but the meeting lasts %(meeting)s: "
                    "shorten items or extend the meeting."
                ) % {
                    "agenda": format_minutes(agenda_minutes),
                    "meeting": format_minutes(self.duration_minutes),
                }
        return errors


class MeetingDocument(Orderable):
    """A document attached to a meeting (supporting papers, the signed minutes…)."""

    page = ParentalKey(MeetingPage, on_delete=models.CASCADE, related_name="related_documents")
    document = models.ForeignKey(
        "documents.CouncilDocument", on_delete=models.CASCADE, related_name="+", verbose_name=_("document")
    )

    panels = [FieldPanel("document")]

    class Meta(Orderable.Meta):
        verbose_name = _("meeting document")
        verbose_name_plural = _("meeting documents")
