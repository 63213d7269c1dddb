import calendar
import secrets
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from modelcluster.fields import ParentalKey
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    InlinePanel,
    MultiFieldPanel,
    ObjectList,
    TabbedInterface,
)
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from core.blocks import BodyBlock
from core.dated import DatedPage, DatedPageManager, DatedPageQuerySet, dated_pages_listed, dated_panels
from core.ical import city_feed_response
from core.models import BasePage, LeadImageMixin
from core.visibility import attach_councils, space_model
from meetings.models import MeetingPage

from .admin_forms import EventPageForm
from .forms import TYPE_EVENTS, TYPE_MEETINGS, AgendaFilterForm

AGENDA_PER_PAGE = 50


def month_bounds(first_day):
    """The [start, end) instants of a month in the city's time zone."""
    tz = ZoneInfo(settings.TIME_ZONE)
    next_month = (first_day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return (
        datetime.combine(first_day, datetime.min.time(), tzinfo=tz),
        datetime.combine(next_month, datetime.min.time(), tzinfo=tz),
    )


def group_by_day(items):
    """[(local date, [items])] in the order given."""
    days = []
    for item in items:
        day = timezone.localtime(item.start).date()
        if days and days[-1][0] == day:
            days[-1][1].append(item)
        else:
            days.append((day, [item]))
    return days


def month_grid(first_day, item_days, today):
    """Weeks (Monday first) of a month: each day is None (outside) or a dict for the template."""
    weeks = []
    for week in calendar.Calendar(firstweekday=0).monthdatescalendar(first_day.year, first_day.month):
        weeks.append(
            [
                {
                    "date": day,
                    "count": item_days.get(day, 0),
                    "is_today": day == today,
                }
                if day.month == first_day.month
                else None
                for day in week
            ]
        )
    return weeks


class EventIndexPage(RoutablePageMixin, BasePage):
    """The city-wide agenda (/agenda/): every public upcoming meeting and event, by day and by month.

    Meetings and events are listed together (`core.dated.dated_pages_listed`: one UNION ordered and
    paginated in the database, then one query per page type). The city's own events are this page's
    children; the councils' events are children of their council's page.
    """

    intro = models.TextField(_("introduction"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["home.HomePage"]
    subpage_types = ["events.EventPage"]
    max_count = 1

    class Meta:
        verbose_name = _("agenda")
        verbose_name_plural = _("agendas")

    # -- Listing ---------------------------------------------------------------------------------

    def _filters(self, request, *, month=None):
        data = request.GET.copy()
        if month is not None:
            data["mois"] = month.strftime("%Y-%m")
        form = AgendaFilterForm(data, today=timezone.localdate())
        form.is_valid()
        return form

    def _querysets(self, *, council=None, month=None, kind=""):
        """One listed queryset per page type the filters keep (meetings, events)."""
        querysets = []
        if kind in ("", TYPE_MEETINGS):
            querysets.append(MeetingPage.objects.listed())
        if kind in ("", TYPE_EVENTS):
            querysets.append(EventPage.objects.listed())
        if council is not None:
            querysets = [queryset.descendant_of(council) for queryset in querysets]
        if month is not None:
            start, end = month_bounds(month)
            return [queryset.filter(start__lt=end, end__gte=start) for queryset in querysets]
        now = timezone.now()
        return [queryset.filter(end__gte=now) for queryset in querysets]

    def _render_list(self, request, *, form, month=None, template=None, extra=None):
        council = form.cleaned_data.get("conseil") if form.is_bound else None
        kind = form.cleaned_data.get("type") or ""
        month = month or form.cleaned_data.get("mois")
        querysets = self._querysets(council=council, month=month, kind=kind)
        if month is None:
            page_obj, items = dated_pages_listed(
                querysets, per_page=AGENDA_PER_PAGE, page_number=request.GET.get("page")
            )
        else:
            page_obj, items = dated_pages_listed(querysets)
        attach_councils(items)
        context = {
            "form": form,
            "council": council,
            "kind": kind,
            "month": month,
            "days": group_by_day(items),
            "items": items,
            "page_obj": page_obj,
            "filter_query": _filter_query(council=council, kind=kind),
            "query_without_page": _query_without(request, "page"),
            **(extra or {}),
        }
        return self.render(request, context_overrides=context, template=template)

    @path("", name="index")
    def agenda(self, request):
        """Upcoming meetings and events grouped by day, filterable by council, type and month."""
        form = self._filters(request)
        return self._render_list(request, form=form)

    @path("mois/<int:year>/<int:month>/", name="month")
    def month_view(self, request, year, month):
        """A month as an accessible calendar grid, with the month's meetings and events below it."""
        from django.http import Http404

        # Range first: a huge number in the address must be a 404, not an OverflowError in date().
        if not (2000 <= year <= 2100 and 1 <= month <= 12):
            raise Http404
        first_day = date(year, month, 1)
        form = self._filters(request, month=first_day)
        previous_month = (first_day - timedelta(days=1)).replace(day=1)
        next_month = (first_day + timedelta(days=32)).replace(day=1)
        response = self._render_list(
            request,
            form=form,
            month=first_day,
            template="events/event_index_month.html",
            extra={"previous_month": previous_month, "next_month": next_month},
        )
        item_days = {}
        for item in response.context_data["items"]:
            day = timezone.localtime(item.start).date()
            item_days[day] = item_days.get(day, 0) + 1
        response.context_data["weeks"] = month_grid(first_day, item_days, timezone.localdate())
        return response

    @path("calendrier/", name="feed")
    def feed(self, request):
        """The city's subscribable calendar: every public meeting and event."""
        return city_feed_response(
            request, agenda=self, querysets=[MeetingPage.objects.all(), EventPage.objects.all()]
        )

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["weekdays"] = _weekday_names()
        return context


def _filter_query(*, council=None, kind=""):
    """The council and type filters as a query string ("?conseil=centre&type=evenements"), kept by the
    links between the list and the month view."""
    query = QueryDict(mutable=True)
    if council is not None:
        query["conseil"] = council.slug
    if kind:
        query["type"] = kind
    return f"?{query.urlencode()}" if query else ""


def _query_without(request, *names):
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()


def _weekday_names():
    """(abbreviation, full name) Monday first, localised by Django's own catalogue."""
    from django.utils.dates import WEEKDAYS, WEEKDAYS_ABBR

    return [(WEEKDAYS_ABBR[n], WEEKDAYS[n]) for n in range(7)]


# -- Events ------------------------------------------------------------------------------------------------


class RegistrationMode(models.TextChoices):
    NONE = "none", _("No registration")
    PARVIS = "parvis", _("Registration on this site")
    EXTERNAL = "external", _("Registration on another site")


class EventPageQuerySet(DatedPageQuerySet):
    pass


class EventPageManager(DatedPageManager.from_queryset(EventPageQuerySet)):
    pass


class EventPage(LeadImageMixin, DatedPage):
    """An event of the city (under /agenda/) or of a council: a programme of timed sessions in rooms, and
    registration without an account, on Parvis or elsewhere.

    Seat counting never lives on the page (a page's fields are rewritten from revisions on publish): the
    counter is `EventSeats`, the people are `Registration` rows.
    """

    ical_uid_prefix = "event"
    shared_cache_moments = ("start", "end", "registration_opens_at", "registration_closes_at")

    summary = models.TextField(
        _("summary"), help_text=_("A few lines shown in the agenda, feeds and shares.")
    )
    body = StreamField(BodyBlock(), verbose_name=_("body"), blank=True)
    audience = models.CharField(
        _("audience"),
        max_length=255,
        blank=True,
        help_text=_("Who it is for: “Everyone”, “Residents of the neighbourhood”, “Council volunteers”…"),
    )
    price = models.DecimalField(
        _("price (euros)"),
        max_digits=7,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(0)],
    )
    price_details = models.CharField(
        _("price details"), max_length=255, blank=True, help_text=_("Reduced rates, what the price includes…")
    )

    registration_mode = models.CharField(
        _("registration"), max_length=20, choices=RegistrationMode.choices, default=RegistrationMode.NONE
    )
    registration_url = models.URLField(_("registration link"), blank=True)
    capacity = models.PositiveIntegerField(
        _("capacity"), null=True, blank=True, help_text=_("Seats available. Leave empty for no limit.")
    )
    registration_opens_at = models.DateTimeField(_("registration opens"), null=True, blank=True)
    registration_closes_at = models.DateTimeField(
        _("registration closes"), null=True, blank=True, help_text=_("By default, when the event starts.")
    )
    waiting_list = models.BooleanField(
        _("waiting list"),
        default=True,
        help_text=_("When the event is full, offer a place on a waiting list."),
    )
    offer_hours = models.PositiveSmallIntegerField(
        _("offer validity (hours)"),
        default=48,
        validators=[MinValueValidator(1), MaxValueValidator(14 * 24)],
        help_text=_("When a seat frees, the first person waiting has this long to accept it."),
    )
    retention_days = models.PositiveIntegerField(
        _("keep registrations (days after the event)"),
        default=183,
        validators=[MinValueValidator(1), MaxValueValidator(3 * 365)],
        help_text=_("Names and emails are then erased; the counts remain."),
    )

    objects = EventPageManager()
    base_form_class = EventPageForm

    content_panels = [
        *Page.content_panels,
        *dated_panels(),
        FieldPanel("summary"),
        LeadImageMixin.lead_image_panel(),
        MultiFieldPanel(
            [FieldPanel("audience"), FieldRowPanel([FieldPanel("price"), FieldPanel("price_details")])],
            heading=_("Audience and price"),
        ),
        FieldPanel("body"),
    ]
    programme_panels = [
        InlinePanel("rooms", heading=_("Rooms"), label=_("Room")),
        InlinePanel("sessions", heading=_("Programme"), label=_("Session")),
    ]
    registration_panels = [
        FieldPanel("registration_mode"),
        FieldPanel("registration_url"),
        FieldPanel("capacity"),
        FieldRowPanel([FieldPanel("registration_opens_at"), FieldPanel("registration_closes_at")]),
        FieldPanel("waiting_list"),
        FieldPanel("offer_hours"),
        FieldPanel("retention_days"),
    ]
    edit_handler = TabbedInterface(
        [
            ObjectList(content_panels, heading=_("Event")),
            ObjectList(programme_panels, heading=_("Programme")),
            ObjectList(registration_panels, heading=_("Registration")),
            ObjectList(Page.promote_panels, heading=_("Promote")),
            ObjectList(Page.settings_panels, heading=_("Settings")),
        ]
    )
    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("body"),
        index.SearchField("audience"),
        *DatedPage.dated_search_fields,
    ]

    parent_page_types = ["events.EventIndexPage", "councils.CouncilPage"]
    subpage_types = []

    class Meta(DatedPage.Meta):
        verbose_name = _("event")
        verbose_name_plural = _("events")

    @path("inscription/", name="register")
    def register(self, request):
        """The registration form posts here (Wagtail's view restrictions were checked before)."""
        from .views import register

        return register(request, self)

    @path("inscription/merci/", name="register_thanks")
    def register_thanks(self, request):
        """Where the form leads, whatever happened: "check your inbox" (it reveals nothing)."""
        from .views import register_thanks

        return register_thanks(request, self)

    @property
    def is_free(self):
        return not self.price

    @property
    def takes_registrations(self):
        return self.registration_mode == RegistrationMode.PARVIS

    def registration_closing(self):
        """When registration closes: the date set, or the event's start."""
        return self.registration_closes_at or self.start

    # -- Readers' helpers: the programme, seats, sharing ---------------------------------------------

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        days = self.programme_days()
        context["programme_days"] = days
        context["programme_several_days"] = len(days) > 1
        context["programme_rooms"] = self.programme_rooms()
        context["rooms"] = self.event_rooms()
        ancestors = getattr(self, "routed_ancestors", None)  # the pages its routing loaded (HomePage.route)
        if ancestors is not None and not any(
            issubclass(ancestor.specific_class or Page, space_model()) for ancestor in ancestors
        ):
            self.council = None  # a city event: no council above it, known without a query
        else:
            attach_councils([self])
        context["council"] = self.council
        return context

    @property
    def first_day(self):
        return timezone.localtime(self.start).date() if self.start else None

    @property
    def last_day(self):
        return timezone.localtime(self.end).date() if self.end else None

    @property
    def several_days(self):
        return self.first_day != self.last_day

    def event_rooms(self):
        """The event's rooms in their order (one query, kept for the request)."""
        if "_event_rooms" not in self.__dict__:
            self._event_rooms = sorted(
                self.rooms.all(), key=lambda room: (room.sort_order or 0, room.pk or 0)
            )
        return self._event_rooms

    def programme_sessions(self):
        """The sessions by day, start time, then their order in the editor (one query, kept)."""
        if "_programme_sessions" not in self.__dict__:
            first_day = self.first_day
            sessions = list(self.sessions.all())
            for session in sessions:
                session.page = self  # no query to read the event's first day
                session.programme_day = session.day or first_day
            self._programme_sessions = sorted(
                sessions,
                key=lambda s: (s.programme_day or date.min, s.start_time, s.sort_order or 0, s.pk or 0),
            )
        return self._programme_sessions

    def programme_days(self):
        """[(day, [{"starts": aware datetime, "sessions": [...]}])]: the programme by day, then by start
        time (sessions starting together, in several rooms, share a slot)."""
        days = []
        for session in self.programme_sessions():
            if not days or days[-1][0] != session.programme_day:
                days.append((session.programme_day, []))
            slots = days[-1][1]
            if not slots or slots[-1]["sessions"][0].start_time != session.start_time:
                slots.append({"starts": session.starts, "sessions": []})
            slots[-1]["sessions"].append(session)
        return days

    def programme_rooms(self):
        """[{"name", "details", "sessions"}]: the programme by room, in the rooms' order; a room named in
        a session but not listed follows, then the sessions without a room (name None). Empty when the
        sessions use fewer than two rooms (a "by room" view would then say nothing new)."""
        groups = {}
        for room in self.event_rooms():
            groups.setdefault(room.name.strip().casefold(), {"name": room.name, "details": room.details})
        for group in groups.values():
            group["sessions"] = []
        elsewhere = []
        for session in self.programme_sessions():
            name = session.room.strip()
            if not name:
                elsewhere.append(session)
                continue
            group = groups.setdefault(name.casefold(), {"name": name, "details": "", "sessions": []})
            group["sessions"].append(session)
        used = [group for group in groups.values() if group["sessions"]]
        if len(used) < 2:
            return []
        if elsewhere:
            used.append({"name": None, "details": "", "sessions": elsewhere})
        return used

    def seats_counter(self):
        """(capacity, taken) of the seat counter, without creating it (the page's capacity and 0 when
        nobody has registered yet)."""
        if "_seats_counter" not in self.__dict__:
            if "seats" in self._state.fields_cache:  # select_related("seats") by a listing
                seats = self._state.fields_cache["seats"]
                row = (seats.capacity, seats.taken) if seats is not None else None
            else:
                row = EventSeats.objects.filter(event_id=self.pk).values_list("capacity", "taken").first()
            self._seats_counter = row if row is not None else (self.capacity, 0)
        return self._seats_counter

    def seats_taken(self):
        return self.seats_counter()[1] if self.pk else 0

    @property
    def is_full(self):
        """Every seat taken (registration on Parvis with a capacity): new people go to the waiting list."""
        if not self.takes_registrations or not self.pk:
            return False
        capacity, taken = self.seats_counter()
        return capacity is not None and taken >= capacity

    def active_registration_count(self):
        return self.registrations.filter(status__in=ACTIVE_STATUSES).count() if self.pk else 0

    def waiting_count(self):
        return self.registrations.filter(status=RegistrationStatus.WAITING).count() if self.pk else 0

    def structured_offer(self, request):
        """The schema.org offer's facts (core.structured_data.offer_data), None without registration."""
        if self.registration_mode == RegistrationMode.EXTERNAL and self.registration_url:
            return {"price": self.price, "url": self.registration_url, "state": "external"}
        if not self.takes_registrations:
            return None
        from .registrations import registration_state

        capacity, taken = self.seats_counter()
        return {
            "price": self.price,
            "url": f"{self.get_full_url(request)}#inscription",
            "state": registration_state(self),
            "seats_free": None if capacity is None else max(capacity - taken, 0),
            "capacity": capacity,
            "valid_from": self.registration_opens_at,
        }

    def dated_errors(self):
        errors = super().dated_errors()
        errors.update(self.lead_image_errors())
        if self.registration_mode == RegistrationMode.EXTERNAL and not self.registration_url:
            errors["registration_url"] = _("Give the link where people register.")
        if (
            self.registration_opens_at
            and self.registration_closes_at
            and self.registration_closes_at <= self.registration_opens_at
        ):
            errors["registration_closes_at"] = _("Registration must close after it opens.")
        if self.registration_closes_at and self.end and self.registration_closes_at > self.end:
            errors["registration_closes_at"] = _("Registration must close before the event ends.")
        return errors


class EventRoom(Orderable):
    """A room of the event's venue ("Auditorium — ground floor, on the left")."""

    page = ParentalKey(EventPage, on_delete=models.CASCADE, related_name="rooms")
    name = models.CharField(_("name"), max_length=120)
    details = models.CharField(
        _("how to find it"), max_length=255, blank=True, help_text=_("Floor, direction, step-free access…")
    )

    panels = [FieldRowPanel([FieldPanel("name"), FieldPanel("details")])]

    class Meta(Orderable.Meta):
        verbose_name = _("room")
        verbose_name_plural = _("rooms")

    def __str__(self):
        return self.name


class EventSession(Orderable):
    """A timed session of the programme: a talk, a workshop, a break."""

    page = ParentalKey(EventPage, on_delete=models.CASCADE, related_name="sessions")
    day = models.DateField(
        _("day"), null=True, blank=True, help_text=_("Leave empty for the event's first day.")
    )
    start_time = models.TimeField(_("starts at"))
    end_time = models.TimeField(_("ends at"), null=True, blank=True)
    title = models.CharField(_("title"), max_length=255)
    room = models.CharField(
        _("room"), max_length=120, blank=True, help_text=_("One of the event's rooms, by its name.")
    )
    speakers = models.CharField(
        _("speakers"), max_length=255, blank=True, help_text=_("Names, separated by commas.")
    )
    description = models.TextField(_("description"), blank=True)

    panels = [
        FieldRowPanel([FieldPanel("day"), FieldPanel("start_time"), FieldPanel("end_time")]),
        FieldPanel("title"),
        FieldRowPanel([FieldPanel("room"), FieldPanel("speakers")]),
        FieldPanel("description"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("session")
        verbose_name_plural = _("sessions")

    def __str__(self):
        return self.title

    def _local(self, value):
        if value is None:
            return None
        day = self.day or (timezone.localtime(self.page.start).date() if self.page.start else None)
        if day is None:
            return None
        return datetime.combine(day, value, tzinfo=ZoneInfo(settings.TIME_ZONE))

    @property
    def starts(self):
        """The session's start as an aware datetime (the event's first day unless `day` is set)."""
        return self._local(self.start_time)

    @property
    def ends(self):
        return self._local(self.end_time)

    @property
    def speaker_list(self):
        return [name.strip() for name in self.speakers.split(",") if name.strip()]


class EventSeats(models.Model):
    """The seat counter of an event that takes registrations — never a page field (revisions rewrite those).

    `taken` counts confirmed registrations and outstanding offers. A seat is taken only by an atomic
    conditional UPDATE (`taken < capacity`), and the CHECK constraint is the database's last word:
    there is no overbooking, whatever the concurrency.
    """

    event = models.OneToOneField(EventPage, on_delete=models.CASCADE, primary_key=True, related_name="seats")
    capacity = models.PositiveIntegerField(null=True, blank=True)
    taken = models.PositiveIntegerField(default=0)
    notified_80 = models.BooleanField(default=False)
    notified_100 = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("event seats")
        verbose_name_plural = _("event seats")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(capacity__isnull=True) | models.Q(taken__lte=models.F("capacity")),
                name="events_seats_taken_within_capacity",
            )
        ]

    def __str__(self):
        return f"{self.event_id}: {self.taken}/{self.capacity or '∞'}"


class RegistrationStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("Registered")
    WAITING = "waiting", _("Waiting list")
    OFFERED = "offered", _("Seat offered")
    CANCELLED = "cancelled", pgettext_lazy("registration status", "Cancelled")
    EXPIRED = "expired", _("Offer expired")


#: Statuses that hold a place (a seat or a rank on the waiting list): one per email and event.
ACTIVE_STATUSES = (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITING, RegistrationStatus.OFFERED)
#: Statuses that hold a seat (counted in `EventSeats.taken`).
SEAT_STATUSES = (RegistrationStatus.CONFIRMED, RegistrationStatus.OFFERED)


def new_registration_key():
    return secrets.token_urlsafe(16)


class RegistrationQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status__in=ACTIVE_STATUSES)

    def waiting_in_order(self):
        return self.filter(status=RegistrationStatus.WAITING).order_by("waiting_since", "pk")


class Registration(models.Model):
    """One person's registration to an event, without an account.

    Links in emails carry `signing.dumps({"r": pk, "k": key})`: tampering breaks the signature; erasing
    the personal data clears `key`, so old links die with it.
    """

    event = models.ForeignKey(EventPage, on_delete=models.CASCADE, related_name="registrations")
    status = models.CharField(_("status"), max_length=20, choices=RegistrationStatus.choices)
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("email"))
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    accessibility_needs = models.TextField(_("accessibility needs"), blank=True)
    consent_at = models.DateTimeField(_("consent given at"), null=True, blank=True)
    key = models.CharField(max_length=32, default=new_registration_key, editable=False)

    created_at = models.DateTimeField(pgettext_lazy("registration", "created at"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    waiting_since = models.DateTimeField(_("waiting since"), null=True, blank=True)
    offered_at = models.DateTimeField(_("offered at"), null=True, blank=True)
    offer_expires_at = models.DateTimeField(_("offer expires at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    attended_at = models.DateTimeField(_("attended at"), null=True, blank=True)
    erased_at = models.DateTimeField(_("personal data erased at"), null=True, blank=True)

    objects = RegistrationQuerySet.as_manager()

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                "event",
                condition=models.Q(status__in=["confirmed", "waiting", "offered"]),
                name="events_one_active_registration_per_email",
            )
        ]
        indexes = [
            models.Index(fields=["event", "status", "waiting_since"], name="events_reg_waiting_idx"),
            models.Index(fields=["status", "offer_expires_at"], name="events_reg_offers_idx"),
        ]

    def __str__(self):
        return f"{self.name} ({self.get_status_display()})"
