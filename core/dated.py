"""The dated item every meeting and event is: when, in what format, where, its status, its calendar output.

`DatedPage` holds the fields, the readers' helpers and the validation shared by `meetings.MeetingPage` and
`events.EventPage` (one model, not two copies). `core.ical` turns any dated page into a VEVENT and
`dated_pages_listed()` lists both kinds together (one ordered query, whatever the page types).
"""

from datetime import timedelta

from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import models
from django.dispatch import receiver
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField, StreamField
from wagtail.search import index
from wagtail.signals import page_published

from .models import BasePage
from .visibility import VisiblePageManager, VisiblePageQuerySet


class ItemFormat(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    ONLINE = "online", _("Online")
    HYBRID = "hybrid", _("Hybrid")


class ItemStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    CANCELLED = "cancelled", pgettext_lazy("meeting status", "Cancelled")
    HELD = "held", _("Held")


def dated_panels():
    """The editor's panels of every dated page: "Date and status", then "Place"."""
    return [
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("start"), FieldPanel("end")]),
                FieldPanel("status"),
                # Shown only while "Cancelled" is chosen: Wagtail's own rules controller (w-rules)
                # hides it as the status changes, and on load (no script of ours).
                FieldPanel(
                    "cancellation_reason",
                    attrs={"data-w-rules-target": "show", "data-w-rules": '{"status": ["cancelled"]}'},
                ),
            ],
            heading=_("Date and status"),
            attrs={"data-controller": "w-rules", "data-action": "change->w-rules#resolve"},
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
    ]


class DatedPageQuerySet(VisiblePageQuerySet):
    """Dated pages, with the shared visibility rules (`listed()`, `visible_to(request)`) from core."""

    def upcoming(self, now=None):
        # `pk` breaks ties: many meetings start at the same minute, and a list's first items must not
        # change when a row is rewritten (a cached list would differ from a fresh one for nothing).
        return self.filter(end__gte=now or timezone.now()).order_by("start", "pk")

    def past(self, now=None):
        return self.filter(end__lt=now or timezone.now()).order_by("-start", "-pk")

    def for_council(self, council):
        return self.descendant_of(council)


class DatedPageManager(VisiblePageManager.from_queryset(DatedPageQuerySet)):
    pass


class DatedPage(RoutablePageMixin, BasePage):
    """A page that happens at a time and a place: a council's meeting, an event.

    Subclasses set `ical_uid_prefix` (the stable calendar UID is `<prefix>-<page id>@<host>`) and may
    extend `clean()`.
    """

    ical_uid_prefix = "item"
    # When what readers see of it changes by itself (upcoming → past): core.tasks.cache_purge_time_passed.
    shared_cache_moments = ("start", "end")

    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    format = models.CharField(
        _("format"), max_length=20, choices=ItemFormat.choices, default=ItemFormat.IN_PERSON
    )
    place_name = models.CharField(_("place"), max_length=255, blank=True)
    place_address = models.CharField(_("address"), max_length=255, blank=True)
    access_notes = models.TextField(
        _("access notes"), blank=True, help_text=_("Entrance, floor, step-free access, public transport.")
    )
    online_url = models.URLField(_("online link"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ItemStatus.choices, default=ItemStatus.PLANNED
    )
    cancellation_reason = models.TextField(
        _("reason for cancellation"), blank=True, help_text=_("Shown prominently on the page.")
    )
    ical_sequence = models.PositiveIntegerField(default=0, editable=False)

    objects = DatedPageManager()

    dated_search_fields = [
        index.SearchField("place_name"),
        index.FilterField("start"),
        index.FilterField("end"),
        index.FilterField("status"),
    ]

    class Meta:
        abstract = True
        # "Upcoming" and "past" listings filter on the end and sort by the start (home page, councils,
        # agendas): (start, end) walks them in order and skips the others within the index, without
        # reading their rows (the site-wide "upcoming" list: 140 → 13 ms at 100,000 pages).
        indexes = [
            models.Index(fields=["start", "end"], name="%(app_label)s_%(class)s_start_end"),
            models.Index(fields=["end"], name="%(app_label)s_%(class)s_end"),
        ]

    @path("calendrier/", name="ical")
    def ical(self, request):
        """ "Add to my calendar": this one item as an .ics file."""
        from .ical import item_ics_response

        return item_ics_response(request, item=self)

    # -- Readers' helpers --------------------------------------------------------------------------

    @property
    def dated_kind(self):
        """What it is, for templates and feeds: "meeting", "event" (the calendar UID's prefix)."""
        return self.ical_uid_prefix

    @property
    def dated_kind_label(self):
        """What it is, for readers: the page type's name ("Réunion", "Événement")."""
        return capfirst(self._meta.verbose_name)

    @property
    def duration(self):
        return self.end - self.start if self.start and self.end else timedelta(0)

    @property
    def duration_minutes(self):
        return int(self.duration.total_seconds() // 60)

    @property
    def is_cancelled(self):
        return self.status == ItemStatus.CANCELLED

    @property
    def display_status(self):
        """What readers are told: cancelled if the editors cancelled it, held once it has ended, planned
        before that. Computed from the clock, so nobody has to mark it "held" (the stored `status` only
        says planned or cancelled; a "held" stored by older data means nothing more)."""
        if self.is_cancelled:
            return ItemStatus.CANCELLED
        if self.is_past():
            return ItemStatus.HELD
        return ItemStatus.PLANNED

    @property
    def display_status_label(self):
        return ItemStatus(self.display_status).label

    @property
    def is_held(self):
        return self.display_status == ItemStatus.HELD

    @property
    def invites(self):
        """Whether the page still invites people to come or join: not once it is over or cancelled."""
        return self.display_status == ItemStatus.PLANNED

    @property
    def is_in_person(self):
        return self.format in (ItemFormat.IN_PERSON, ItemFormat.HYBRID)

    @property
    def is_online(self):
        return self.format in (ItemFormat.ONLINE, ItemFormat.HYBRID)

    def is_past(self, now=None):
        return bool(self.end and self.end < (now or timezone.now()))

    # -- Revisions and validation ------------------------------------------------------------------

    def with_content_json(self, content):
        """The calendar sequence belongs to the live page, not to a revision: publishing an older
        revision must not take it back (calendar apps would then ignore the update)."""
        obj = super().with_content_json(content)
        if self.pk:
            # Read it afresh: `self` may be an instance cached on the revision since long ago.
            current = type(self).objects.filter(pk=self.pk).values_list("ical_sequence", flat=True).first()
            obj.ical_sequence = self.ical_sequence if current is None else current
        return obj

    def dated_errors(self):
        """The shared rules, as {field: message}; subclasses' `clean()` add their own."""
        errors = {}
        if self.start and self.end and self.end <= self.start:
            errors["end"] = _("The end must come after the start.")
        if self.format in (ItemFormat.IN_PERSON, ItemFormat.HYBRID) and not self.place_name.strip():
            errors["place_name"] = _("Give the place: people come in person.")
        if self.format in (ItemFormat.ONLINE, ItemFormat.HYBRID) and not self.online_url:
            errors["online_url"] = _("Give the online link: people join online.")
        if self.status == ItemStatus.CANCELLED and not self.cancellation_reason.strip():
            errors["cancellation_reason"] = _("Tell readers why it is cancelled.")
        return errors

    def clean(self):
        super().clean()
        errors = self.dated_errors()
        if errors:
            raise ValidationError(errors)


# -- Writes ------------------------------------------------------------------------------------------------


def dated_bump_sequence(*, item):
    """Tell calendar subscribers a meeting or event changed (RFC 5545 SEQUENCE), without a read-modify-write
    race. Called on every publish."""
    type(item).objects.filter(pk=item.pk).update(ical_sequence=models.F("ical_sequence") + 1)


@receiver(page_published)
def dated_published(sender, instance, **kwargs):
    """Every dated page type (meetings, events) bumps its calendar sequence when published."""
    if isinstance(instance, DatedPage):
        dated_bump_sequence(item=instance)


# -- Listing meetings and events together ------------------------------------------------------------------


def dated_models():
    """The concrete dated page types (meetings, events), in a stable order."""
    return sorted(
        (model for model in apps.get_models() if issubclass(model, DatedPage)),
        key=lambda model: model._meta.label,
    )


def dated_light(queryset):
    """The queryset without its heavy fields (agenda, minutes, body…), which listings and feeds never show."""
    heavy = [
        field.name
        for field in queryset.model._meta.get_fields()
        if isinstance(field, StreamField | RichTextField) and field.model is queryset.model
    ]
    return queryset.defer(*heavy) if heavy else queryset


def dated_union(querysets):
    """One ordered query over dated pages of several types: rows (pk, start, kind), `kind` being the index
    of the row's queryset in `querysets`. Order it, count it, slice it in the database."""
    parts = [
        queryset.order_by().annotate(dated_kind=models.Value(kind)).values_list("pk", "start", "dated_kind")
        for kind, queryset in enumerate(querysets)
    ]
    union = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    return union.order_by("start", "pk")


def dated_fetch(rows, querysets):
    """The pages of `dated_union` rows, in the rows' order: one query per page type listed, whether or not
    this screen shows one of that type — so that a listing's cost depends on its filters, never on which
    items happen to be on the screen (tests/test_query_budgets.py counts it with 100 times the content)."""
    rows = list(rows)
    wanted = {kind: [] for kind in range(len(querysets))}
    for pk, _start, kind in rows:
        wanted[kind].append(pk)
    found = {}
    for kind, pks in wanted.items():
        # An empty `pk__in` would skip the query: no page has the primary key 0.
        for page in dated_light(querysets[kind]).filter(pk__in=pks or [0]):
            found[kind, page.pk] = page
    return [found[kind, pk] for pk, _start, kind in rows if (kind, pk) in found]


def dated_pages_listed(querysets, *, per_page=None, page_number=None):
    """Meetings and events together, ordered by start: `(page_obj, items)`.

    `querysets` holds one queryset per page type, already filtered (listed, council, dates…). With
    `per_page`, the listing is paginated in the database (a count and a slice of the UNION) and `page_obj`
    is Django's Page of rows; without, `page_obj` is None and every item is returned. Either way the cost
    is a constant number of queries: the union (and its count), then one per page type listed.
    """
    union = dated_union(querysets)
    if per_page is None:
        return None, dated_fetch(union, querysets)
    page_obj = Paginator(union, per_page).get_page(page_number)
    items = dated_fetch(page_obj.object_list, querysets)
    page_obj.object_list = items
    return page_obj, items
