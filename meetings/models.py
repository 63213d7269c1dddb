from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef
from django.db.models.functions import Length, Substr
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page, PageManager
from wagtail.query import PageQuerySet
from wagtail.search import index

from .blocks import AgendaBlock, DecisionBlock


class MeetingFormat(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    ONLINE = "online", _("Online")
    HYBRID = "hybrid", _("Hybrid")


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    CANCELLED = "cancelled", _("Cancelled")
    HELD = "held", _("Held")


class MinutesStatus(models.TextChoices):
    NONE = "none", _("No minutes yet")
    DRAFT = "draft", _("Draft, to be approved")
    APPROVED = "approved", _("Approved")


class MeetingIndexPage(RoutablePageMixin, Page):
    """A council's (or working group's) meetings: upcoming first, then past, paginated."""

    intro = models.TextField(_("introduction"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["councils.CouncilPage"]
    subpage_types = ["meetings.MeetingPage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("meetings index")
        verbose_name_plural = _("meetings indexes")

    @path("calendrier.ics", name="calendar_feed")
    def calendar_feed(self, request):
        """The council's subscribable calendar (public meetings only)."""
        from .ical import council_feed_response

        return council_feed_response(request, index=self)


class MeetingPageQuerySet(PageQuerySet):
    def listed(self):
        """Meetings anyone may see: live, public, and not in a sandbox council."""
        from councils.models import CouncilPage

        in_sandbox = CouncilPage.objects.filter(
            is_sandbox=True, path=Substr(OuterRef("path"), 1, Length("path"))
        )
        return self.live().public().filter(~Exists(in_sandbox))

    def upcoming(self, now=None):
        return self.filter(end__gte=now or timezone.now()).order_by("start")

    def past(self, now=None):
        return self.filter(end__lt=now or timezone.now()).order_by("-start")

    def with_minutes(self):
        return self.exclude(minutes_status=MinutesStatus.NONE)

    def for_council(self, council):
        return self.descendant_of(council)

    def next_per_council(self, council_paths, now=None):
        """{council path: its next listed meeting}, in one query whatever the number of councils."""
        if not council_paths:
            return {}
        from councils.models import CouncilPage

        next_ids = (
            CouncilPage.objects.filter(path__in=council_paths)
            .annotate(
                next_meeting_id=models.Subquery(
                    MeetingPage.objects.listed()
                    .upcoming(now)
                    .filter(path__startswith=OuterRef("path"))
                    .values("pk")[:1]
                )
            )
            .values_list("path", "next_meeting_id")
        )
        meetings = MeetingPage.objects.in_bulk([pk for _path, pk in next_ids if pk])
        return {path: meetings[pk] for path, pk in next_ids if pk}


def attach_councils(pages):
    """Set `.council` on each page to the CouncilPage it belongs to, with one query."""
    from councils.models import CouncilPage

    pages = [p for p in pages if isinstance(p, Page)]
    if not pages:
        return
    steplen = Page.steplen
    ancestor_paths = {p.path[:n] for p in pages for n in range(steplen, len(p.path), steplen)}
    councils = {c.path: c for c in CouncilPage.objects.filter(path__in=ancestor_paths)}
    for page in pages:
        page.council = next(
            (
                councils[page.path[:n]]
                for n in range(steplen, len(page.path), steplen)
                if page.path[:n] in councils
            ),
            None,
        )


class MeetingPageManager(PageManager.from_queryset(MeetingPageQuerySet)):
    pass


class MeetingSeries(models.Model):
    """A recurrence planned in one action ("every first Tuesday at 18:30 until June").

    Each session is its own MeetingPage; the series keeps the rule so the plan can be read back.
    """

    title = models.CharField(_("title"), max_length=255)
    rule = models.TextField(_("recurrence rule"), help_text=_("RFC 5545 RRULE."))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("meeting series")
        verbose_name_plural = _("meeting series")

    def __str__(self):
        return self.title


class MeetingPage(RoutablePageMixin, Page):
    """One session of a council: when and where, what will be discussed, and what was decided."""

    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    format = models.CharField(
        _("format"), max_length=20, choices=MeetingFormat.choices, default=MeetingFormat.IN_PERSON
    )
    place_name = models.CharField(_("place"), max_length=255, blank=True)
    place_address = models.CharField(_("address"), max_length=255, blank=True)
    access_notes = models.TextField(
        _("access notes"), blank=True, help_text=_("Entrance, floor, step-free access, public transport.")
    )
    online_url = models.URLField(_("online link"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED
    )
    cancellation_reason = models.TextField(_("reason for cancellation"), blank=True)
    summary = models.TextField(_("summary"), blank=True)
    agenda = StreamField(AgendaBlock(), verbose_name=_("agenda"), blank=True)

    minutes_status = models.CharField(
        _("minutes status"), max_length=20, choices=MinutesStatus.choices, default=MinutesStatus.NONE
    )
    minutes_approved_on = models.DateField(_("minutes approved on"), null=True, blank=True)
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
    ical_sequence = models.PositiveIntegerField(default=0, editable=False)

    objects = MeetingPageManager()

    content_panels = [
        *Page.content_panels,
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("start"), FieldPanel("end")]),
                FieldPanel("status"),
                FieldPanel("cancellation_reason"),
            ],
            heading=_("Date and status"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("format"),
                FieldPanel("place_name"),
                FieldPanel("place_address"),
                FieldPanel("access_notes"),
                FieldPanel("online_url"),
            ],
            heading=_("Place"),
        ),
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
    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("agenda"),
        index.SearchField("minutes"),
        index.SearchField("place_name"),
        index.FilterField("start"),
        index.FilterField("status"),
    ]

    parent_page_types = ["meetings.MeetingIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")

    @path("calendrier.ics", name="ical")
    def ical(self, request):
        """ "Add to my calendar": this one meeting as an .ics file."""
        from .ical import meeting_ics_response

        return meeting_ics_response(request, meeting=self)

    @property
    def duration(self):
        return self.end - self.start if self.start and self.end else timedelta(0)

    def clean(self):
        super().clean()
        errors = {}
        if self.start and self.end and self.end <= self.start:
            errors["end"] = _("The meeting must end after it starts.")
        if self.format in (MeetingFormat.IN_PERSON, MeetingFormat.HYBRID) and not self.place_name:
            errors["place_name"] = _("Give the place of an in-person or hybrid meeting.")
        if self.format in (MeetingFormat.ONLINE, MeetingFormat.HYBRID) and not self.online_url:
            errors["online_url"] = _("Give the link of an online or hybrid meeting.")
        if self.status == MeetingStatus.CANCELLED and not self.cancellation_reason.strip():
            errors["cancellation_reason"] = _("Tell readers why the meeting is cancelled.")
        if self.minutes_status == MinutesStatus.APPROVED and not self.minutes_approved_on:
            errors["minutes_approved_on"] = _("Give the date the minutes were approved.")
        if errors:
            raise ValidationError(errors)


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
