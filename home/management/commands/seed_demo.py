"""`manage.py seed_demo`: the demo city, its councils, meetings, news, events, documents, pages and accounts.

Idempotent: what exists (looked up by slug, title or username) is kept, what is missing is created, so a
second run changes no count. Dates are computed from today, so the demo always has past and upcoming
meetings. Only runtime dependencies are used: the one-command demo installs no test tools.
"""

import logging
import random
import time
from contextlib import contextmanager
from datetime import datetime, timedelta
from datetime import time as clock
from io import BytesIO
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Collection, Page, PageViewRestriction, Site

from dateutil import rrule as rr

from attendance.models import Attendance
from blog.models import BlogIndexPage, BlogPage
from councils.models import CouncilIndexPage, CouncilPage, Membership, WorkingGroupPage
from councils.services import (
    communications_team_group,
    communications_team_provision,
    council_add_editor,
    council_add_member,
    council_create,
    council_provision,
    council_sections_ensure,
)
from events.models import EventIndexPage, EventPage, EventRoom, EventSession, Registration, RegistrationMode
from events.registrations import registration_cancel, registration_create
from home import demo_content as content
from home.demo_content import body_blocks, news_body_blocks
from home.demo_newsletter import newsletter_demo_seed
from home.demo_participation import ParticipationSeeder
from home.models import SiteSettings, StandardPage
from home.services import site_structure_ensure
from meetings.blocks import agenda_item
from meetings.models import (
    MeetingDocument,
    MeetingFormat,
    MeetingIndexPage,
    MeetingPage,
    MeetingStatus,
    MinutesStatus,
)
from meetings.services import WEEKDAYS, meeting_series_create
from participation.models import Proposal, Vote

SEED = 2026
COUNCIL_MEETING_MINUTES = 120
SUMMARY = "Séance publique : chacune et chacun peut y assister et prendre la parole."


# -- Small helpers -------------------------------------------------------------------------------------


def _zone():
    return ZoneInfo(settings.TIME_ZONE)


def _local_today():
    return timezone.localtime(timezone.now(), _zone()).date()


def _at(day, hour, minute=0):
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=_zone())


def _publish(page):
    page.save_revision().publish()
    return page


def _child_page(parent, model, slug, **fields):
    """The child of `parent` with this slug, created and published when missing."""
    existing = model.objects.child_of(parent).filter(slug=slug).first()
    if existing is not None:
        return existing, False
    page = model(slug=slug, **fields)
    parent.add_child(instance=page)
    return _publish(page), True


def _agenda(items, *, framed=True):
    """Raw StreamField data for an AgendaBlock; council sessions open and close the same way."""
    if framed:
        items = [content.OPENING_ITEM, *items, content.CLOSING_ITEM]
    return [
        agenda_item(title, duration, presenter, description)
        for title, duration, presenter, description in items
    ]


def _decisions(decisions):
    return [{"type": "decision", "value": {"text": text, "votes": votes}} for text, votes in decisions]


def _pdf_escape(text):
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)").encode("cp1252", "replace")


def pdf_bytes(title, lines=()):
    """A small, valid one-page PDF showing a title and a few lines of text."""
    stream = b"BT /F1 18 Tf 56 780 Td (" + _pdf_escape(title) + b") Tj /F1 11 Tf"
    for line in lines:
        stream += b" 0 -24 Td (" + _pdf_escape(line) + b") Tj"
    stream += b" ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return out


def auditorium_png(width=1200, height=630):
    """A flat illustration of a meetup: rows of people in an auditorium facing a screen (PNG bytes)."""
    from PIL import Image, ImageDraw

    rng = random.Random(SEED)  # noqa: S311 - a drawing, not security
    image = Image.new("RGB", (width, height), (226, 234, 244))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, int(height * 0.62), width, height), fill=(205, 216, 232))
    # The screen, with a title bar and lines of text.
    screen = (int(width * 0.22), 40, int(width * 0.78), int(height * 0.42))
    draw.rounded_rectangle(screen, radius=12, fill=(31, 78, 140))
    draw.rectangle((screen[0] + 40, screen[1] + 40, screen[0] + 360, screen[1] + 70), fill=(255, 255, 255))
    for line in range(3):
        top = screen[1] + 110 + line * 38
        draw.rectangle((screen[0] + 40, top, screen[2] - 120 - 60 * line, top + 14), fill=(160, 190, 225))
    draw.ellipse((screen[2] - 110, screen[3] - 110, screen[2] - 30, screen[3] - 30), fill=(179, 38, 30))
    # Rows of people, seen from behind: shoulders and heads.
    skins = [(93, 64, 55), (141, 85, 36), (198, 134, 66), (224, 172, 105), (60, 46, 40), (241, 194, 125)]
    colours = [(179, 38, 30), (31, 78, 140), (46, 125, 94), (201, 122, 28), (92, 71, 140), (60, 60, 70)]
    for row in range(3):
        y = int(height * 0.58) + row * 78
        size = 30 + row * 6
        for column in range(-1, width // (size * 2 + 24) + 2):
            x = column * (size * 2 + 24) + (row % 2) * (size + 12) + 20
            colour = rng.choice(colours)
            draw.pieslice((x - size, y, x + size, y + size * 2), 180, 360, fill=colour)
            draw.ellipse((x - size // 2, y - size, x + size // 2, y), fill=rng.choice(skins))
    out = BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


# -- The seeder ----------------------------------------------------------------------------------------


class DemoSeeder:
    def __init__(self, *, hostname, port, reset_passwords, log):
        self.hostname = hostname
        self.port = port
        self.reset_passwords = reset_passwords
        self.log = log
        self.rng = random.Random(SEED)  # noqa: S311 - reproducible demo data, not security
        self.today = _local_today()
        self._password_hash = None

    @transaction.atomic
    def run(self):
        home = self.site()
        self.standard_pages(home)
        index = CouncilIndexPage.objects.child_of(home).get()
        for spec in content.COUNCILS:
            self.council(index, spec)
        self.news(home, index)
        self.accounts()
        # After the accounts: the council's editors are the organisers told when their event fills up.
        self.events(home, index)
        # After the sessions and the accounts: the assembly's members, attendance, votes; a working group.
        ParticipationSeeder(self).run()
        # Last: the newsletter's issues gather what the councils published.
        newsletter_demo_seed(log=self.log)

    def council_index(self):
        return CouncilIndexPage.objects.get()

    def at(self, day, hour, minute=0):
        return _at(day, hour, minute)

    # Site, home page and standard pages

    def site(self):
        home = site_structure_ensure(
            hostname=self.hostname, port=self.port, site_name=content.SITE_SETTINGS["site_name"]
        )
        communications_team_provision()
        home = home.specific
        changed = False
        for field in ("title", "seo_title", "intro"):
            if getattr(home, field) != content.HOME[field]:
                setattr(home, field, content.HOME[field])
                changed = True
        if changed:
            _publish(home)
        index = CouncilIndexPage.objects.child_of(home).get()
        if index.intro != content.COUNCIL_INDEX_INTRO:
            index.intro = content.COUNCIL_INDEX_INTRO
            _publish(index)
        return home

    def standard_pages(self, home):
        pages = {}
        for spec in content.STANDARD_PAGES:
            page, _created = _child_page(
                home,
                StandardPage,
                spec["slug"],
                title=spec["title"],
                intro=spec["intro"],
                body=body_blocks(spec["body"]),
                show_in_menus=spec["in_menu"],
            )
            pages[spec["slug"]] = page
        site = Site.objects.get(is_default_site=True)
        site_settings = SiteSettings.for_site(site)
        for field, value in content.SITE_SETTINGS.items():
            setattr(site_settings, field, value)
        site_settings.legal_notice_page = pages["mentions-legales"]
        site_settings.accessibility_page = pages["accessibilite"]
        site_settings.save()
        if site.site_name != content.SITE_SETTINGS["site_name"]:
            site.site_name = content.SITE_SETTINGS["site_name"]
            site.save(update_fields=["site_name"])

    # News (blog app)

    def news(self, home, index):
        """The city's posts (the webinar replay among them) and the lively councils' news. Get-or-create
        by slug: a second run changes nothing."""
        blogs = [(BlogIndexPage.objects.child_of(home).get(slug="actualites"), content.CITY_NEWS)]
        for slug, posts in content.COUNCIL_NEWS.items():
            council = CouncilPage.objects.child_of(index).get(slug=slug)
            blogs.append((BlogIndexPage.objects.child_of(council).get(), posts))
        for blog, posts in blogs:
            for spec in posts:
                if BlogPage.objects.child_of(blog).filter(slug=spec["slug"]).exists():
                    continue
                spec = content.french_spacing(spec)
                post = BlogPage(
                    slug=spec["slug"],
                    title=spec["title"],
                    date=self.today - timedelta(days=spec["days_ago"]),
                    author=spec["author"],
                    intro=spec["intro"],
                    body=news_body_blocks(spec["body"]),
                )
                post.tags.add(*spec["tags"])
                blog.add_child(instance=post)
                _publish(post)

    # Events (events app)

    def events(self, home, index):
        """The users' yearly meetup in the city agenda, a full council event with people waiting (and a
        seat offered), a council event without registration. Get-or-create by slug; people register
        through the real services (seats, waiting list, emails), only when the event is created."""
        agenda = EventIndexPage.objects.child_of(home).get()
        meetup, created = self.event(agenda, content.MEETUP)
        if created:
            self.register(meetup, range(content.MEETUP["registrations"]))
        councils = {c.slug: c for c in CouncilPage.objects.child_of(index)}
        full = content.FULL_EVENT
        event, created = self.event(councils[full["council"]], full)
        if created:
            first = 100
            registrations = self.register(
                event, range(first, first + full["registrations"] + full["waiting"])
            )
            # One person cancels: their seat is offered to the first person waiting (48 hours to accept).
            registration_cancel(registration=registrations[2])
        self.event(councils[content.OPEN_EVENT["council"]], content.OPEN_EVENT)

    def _event_day(self, spec):
        day = self.today + timedelta(days=spec["days_ahead"])
        return day + timedelta(days=(spec["weekday"] - day.weekday()) % 7)

    def event(self, parent, spec):
        existing = EventPage.objects.child_of(parent).filter(slug=spec["slug"]).first()
        if existing is not None:
            return existing, False
        spec = content.french_spacing(spec)
        day = self._event_day(spec)
        registration = "capacity" in spec

        def at(hhmm):
            hour, minute = map(int, hhmm.split(":"))
            return _at(day, hour, minute)

        event = EventPage(
            slug=spec["slug"],
            title=spec["title"],
            start=at(spec["start"]),
            end=at(spec["end"]),
            summary=spec["summary"],
            audience=spec["audience"],
            price_details=spec.get("price_details", ""),
            body=body_blocks(spec["body"]),
            registration_mode=RegistrationMode.PARVIS if registration else RegistrationMode.NONE,
            capacity=spec.get("capacity"),
            **spec["place"],
        )
        if "image" in spec:
            event.lead_image = self.illustration(spec["image"])
            event.lead_image_alt = spec["image"]["alt"]
        event.rooms = [EventRoom(name=name, details=details) for name, details in spec.get("rooms", [])]
        event.sessions = [
            EventSession(
                start_time=clock.fromisoformat(start),
                end_time=clock.fromisoformat(end) if end else None,
                title=title,
                room=room,
                speakers=speakers,
                description=description,
            )
            for start, end, title, room, speakers, description in spec.get("sessions", [])
        ]
        parent.add_child(instance=event)
        _publish(event)
        return event, True

    def illustration(self, spec):
        """The demo's drawn illustration (no photo ships with Parvis): found by title, else drawn once."""
        image_model = get_image_model()
        root = Collection.get_first_root_node()
        image = image_model.objects.filter(collection=root, title=spec["title"]).first()
        if image is None:
            image = image_model(
                title=spec["title"],
                description=spec["alt"],
                collection=root,
                file=ImageFile(BytesIO(auditorium_png()), name=f"{spec['slug']}.png"),
            )
            image._set_image_file_metadata()
            image.save()
        return image

    def register(self, event, numbers):
        """Register demo people through the real service (seat if free, else the waiting list)."""
        registrations = []
        for number in numbers:
            name, email, organisation = content.registrant(number)
            outcome = registration_create(
                event=event, name=name, email=email, organisation=organisation, consent=True
            )
            registrations.append(outcome.registration)
        return registrations

    # Councils

    def council(self, index, spec):
        council = CouncilPage.objects.child_of(index).filter(slug=spec["slug"]).first()
        if council is None:
            contact_name = spec.get("contact_name", "")
            council = council_create(
                parent=index,
                title=spec["title"],
                slug=spec["slug"],
                kind=spec["kind"],
                area=spec.get("area", ""),
                intro=spec["intro"],
                contact_name=contact_name,
                contact_email=f"conseil-{spec['slug']}@{content.EMAIL_DOMAIN}" if contact_name else "",
                is_sandbox=spec.get("is_sandbox", False),
            )
            self.log(f"  conseil créé : {council.title}")
        access = council_provision(council=council)

        for page_spec in spec.get("pages", []):
            _child_page(
                council,
                StandardPage,
                page_spec["slug"],
                title=page_spec["title"],
                intro=page_spec["intro"],
                body=body_blocks(page_spec["body"]),
                show_in_menus=True,
            )
        if "private_page" in spec:
            self.private_page(council, access, spec["private_page"])

        # Every council has its meetings and documents sections, created with it (found by type).
        council_sections_ensure(council=council)
        profile = spec["profile"]
        if profile == content.SPARSE and "upcoming" not in spec:
            return
        meetings_index = MeetingIndexPage.objects.child_of(council).get()
        documents = {}
        if profile != content.SPARSE:
            documents = self.documents(spec, access)

        if MeetingPage.objects.child_of(meetings_index).exists():
            return
        if profile == content.LIVELY:
            self.council_series(spec, meetings_index, documents)
        elif profile == content.ASSEMBLY:
            self.assembly_sessions(spec, meetings_index)
        if "upcoming" in spec:
            self.single_meeting(spec, meetings_index)

    def private_page(self, council, access, spec):
        page, created = _child_page(
            council,
            StandardPage,
            spec["slug"],
            title=spec["title"],
            intro=spec["intro"],
            body=body_blocks(spec["body"]),
            show_in_menus=True,
        )
        restriction, _created = PageViewRestriction.objects.get_or_create(
            page=page, defaults={"restriction_type": PageViewRestriction.GROUPS}
        )
        restriction.groups.add(access.editors_group, access.members_group, communications_team_group())

    def documents(self, spec, access):
        """The council's documents, public and private; returns {kind: first public document}."""
        found = {}
        for collection, specs in (
            (access.collection, spec.get("documents", [])),
            (access.private_collection, spec.get("private_documents", [])),
        ):
            for kind, title, description in specs:
                document = self.document(collection, kind, title, description, heading=spec["title"])
                if collection == access.collection:
                    found.setdefault(kind, document)
        return found

    def document(self, collection, kind, title, description, *, heading):
        """The document of this title in the collection, created (a one-page PDF) when missing."""
        document_model = get_document_model()
        document = document_model.objects.filter(collection=collection, title=title).first()
        if document is None:
            lines = [heading, description or "Document de démonstration."]
            document = document_model(title=title, kind=kind, description=description, collection=collection)
            document.file.save(f"{slugify(title)[:60]}.pdf", ContentFile(pdf_bytes(title, lines)), save=False)
            document._set_document_file_metadata()
            document.save()
        return document

    # Meetings

    def _place(self, spec):
        return dict(spec.get("place", {}))

    def _online_url(self, spec, start):
        return f"{content.VIDEO_BASE_URL}{spec['slug']}-{start:%Y%m%d}"

    def _set_format(self, meeting, spec, fmt):
        meeting.format = fmt
        if fmt in (MeetingFormat.ONLINE, MeetingFormat.HYBRID):
            meeting.online_url = self._online_url(spec, meeting.start)
        if fmt == MeetingFormat.ONLINE:
            meeting.place_name = meeting.place_address = meeting.access_notes = ""

    def _monthly_starts(self, series_spec, *, past):
        byweekday = WEEKDAYS[series_spec["weekday"]](series_spec["position"])
        if past:
            rule = rr.rrule(
                rr.MONTHLY,
                byweekday=byweekday,
                dtstart=datetime.combine(self.today - timedelta(days=200), datetime.min.time()),
                until=datetime.combine(self.today - timedelta(days=1), datetime.max.time()),
            )
            days = [d.date() for d in rule][-4:]
        else:
            rule = rr.rrule(
                rr.MONTHLY,
                byweekday=byweekday,
                dtstart=datetime.combine(self.today + timedelta(days=1), datetime.min.time()),
                count=4,
            )
            days = [d.date() for d in rule]
        return [_at(day, 18, 30) for day in days]

    def _series(self, spec, meetings_index, *, past):
        series_spec = spec["series"]
        starts = self._monthly_starts(series_spec, past=past)
        byweekday = WEEKDAYS[series_spec["weekday"]](series_spec["position"])
        series = meeting_series_create(
            index=meetings_index,
            title=series_spec["title"],
            first_start=starts[0],
            duration_minutes=COUNCIL_MEETING_MINUTES,
            rule=rr.rrule(rr.MONTHLY, byweekday=byweekday, count=len(starts)),
            format=MeetingFormat.IN_PERSON,
            summary=SUMMARY,
            publish=False,
            **self._place(spec),
        )
        return list(MeetingPage.objects.filter(series=series).order_by("start"))

    def council_series(self, spec, meetings_index, documents):
        past = self._series(spec, meetings_index, past=True)
        for position, (meeting, session) in enumerate(zip(past, spec["past_sessions"], strict=False)):
            last = position == len(past) - 1
            meeting.agenda = _agenda(session["agenda"])
            meeting.status = MeetingStatus.HELD
            meeting.minutes = session["minutes"]
            meeting.decisions = _decisions(session["decisions"])
            meeting.attendee_count = session["attendees"] + self.rng.randint(-2, 2)
            if last:
                meeting.minutes_status = MinutesStatus.DRAFT
            else:
                meeting.minutes_status = MinutesStatus.APPROVED
                meeting.minutes_approved_on = timezone.localtime(past[position + 1].start, _zone()).date()
            if position == 0 and "minutes" in documents:
                meeting.related_documents.add(MeetingDocument(document=documents["minutes"]))
            _publish(meeting)

        upcoming = self._series(spec, meetings_index, past=False)
        for position, (meeting, session) in enumerate(zip(upcoming, spec["future_sessions"], strict=False)):
            meeting.agenda = _agenda(session["agenda"])
            if session.get("format"):
                self._set_format(meeting, spec, session["format"])
            if session.get("cancelled"):
                meeting.status = MeetingStatus.CANCELLED
                meeting.cancellation_reason = session["cancelled"]
            if position == 0 and "agenda" in documents:
                meeting.related_documents.add(MeetingDocument(document=documents["agenda"]))
            _publish(meeting)

    def assembly_sessions(self, spec, meetings_index):
        """Eight sessions spread like the source's (Saturdays two weeks apart, then a closing run), all
        held: the last one about two weeks ago (the follow-up meeting is the assembly's `upcoming`)."""
        last_offset = max(session["offset"] for session in spec["sessions"])
        anchor = self.today - timedelta(days=last_offset + 9)
        anchor -= timedelta(days=(anchor.weekday() - 5) % 7)  # back to a Saturday
        for session in spec["sessions"]:
            day = anchor + timedelta(days=session["offset"])
            start = _at(day, 9, 30) if day.weekday() >= 5 else _at(day, 18, 0)
            meeting = MeetingPage(
                title=session["title"],
                slug=slugify(session["title"])[:60],
                start=start,
                end=start + timedelta(minutes=session["duration"]),
                summary="Séance réservée aux membres de l’assemblée, ouverte au public en observation.",
                agenda=_agenda(session["agenda"], framed=False),
                **self._place(spec),
            )
            self._set_format(meeting, spec, session.get("format", MeetingFormat.IN_PERSON))
            if "minutes" in session:
                meeting.status = MeetingStatus.HELD
                meeting.minutes = session["minutes"]
                meeting.decisions = _decisions(session.get("decisions", []))
                meeting.attendee_count = session["attendees"]
                if session.get("draft"):
                    meeting.minutes_status = MinutesStatus.DRAFT
                else:
                    meeting.minutes_status = MinutesStatus.APPROVED
                    meeting.minutes_approved_on = day + timedelta(days=14)
            meetings_index.add_child(instance=meeting)
            _publish(meeting)

    def single_meeting(self, spec, meetings_index):
        upcoming = spec["upcoming"]
        start = _at(self.today + timedelta(days=upcoming["days_ahead"]), 18, 30)
        meeting = MeetingPage(
            title=upcoming["title"],
            slug=slugify(upcoming["title"])[:60],
            start=start,
            end=start + timedelta(minutes=COUNCIL_MEETING_MINUTES),
            summary=SUMMARY,
            agenda=_agenda(upcoming["agenda"]),
            **self._place(spec),
        )
        if not meeting.place_name:
            self._set_format(meeting, spec, MeetingFormat.ONLINE)
        meetings_index.add_child(instance=meeting)
        _publish(meeting)

    # Accounts

    def password_hash(self):
        # One hash for every account: the password is public anyway, and hashing is slow on purpose.
        if self._password_hash is None:
            self._password_hash = make_password(content.DEMO_PASSWORD)
        return self._password_hash

    def user(self, username, *, first_name, last_name, superuser=False):
        user_model = get_user_model()
        user, created = user_model.objects.get_or_create(
            username=username,
            defaults={
                "email": f"{username}@{content.EMAIL_DOMAIN}",
                "first_name": first_name,
                "last_name": last_name,
                "is_staff": superuser,
                "is_superuser": superuser,
            },
        )
        if created or self.reset_passwords:
            user.password = self.password_hash()
            user.save(update_fields=["password"])
        return user

    def accounts(self):
        for account in content.GLOBAL_ACCOUNTS:
            user = self.user(
                account["username"],
                first_name=account["first_name"],
                last_name=account["last_name"],
                superuser=account["role"] == "superuser",
            )
            if account["role"] == "communications":
                user.groups.add(communications_team_group())
        councils = {
            c.slug: c for c in CouncilPage.objects.filter(slug__in=[s["slug"] for s in content.COUNCILS])
        }
        for spec in content.COUNCILS:
            council = councils[spec["slug"]]
            names = content.council_usernames(spec["slug"])
            editor = self.user(names["editor"], first_name=self._first_name(), last_name=self._last_name())
            member = self.user(names["member"], first_name=self._first_name(), last_name=self._last_name())
            council_add_editor(council=council, user=editor)
            council_add_member(council=council, user=member)

    def _first_name(self):
        return self.rng.choice(content.FIRST_NAMES)

    def _last_name(self):
        return self.rng.choice(content.LAST_NAMES)


def demo_counts():
    return {
        "pages": Page.objects.count(),
        "councils": CouncilPage.objects.count(),
        "meetings": MeetingPage.objects.count(),
        "news": BlogPage.objects.count(),
        "events": EventPage.objects.count(),
        "registrations": Registration.objects.count(),
        "documents": get_document_model().objects.count(),
        "users": get_user_model().objects.count(),
        "groups": Group.objects.count(),
        "memberships": Membership.objects.count(),
        "attendances": Attendance.objects.count(),
        "proposals": Proposal.objects.count(),
        "votes": Vote.objects.count(),
        "working groups": WorkingGroupPage.objects.count(),
    }


@contextmanager
def _quiet_loggers(*names):
    """Keep the per-page INFO lines (page created, task run) out of the command's output."""
    loggers = [logging.getLogger(name) for name in names]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(max(logger.getEffectiveLevel(), logging.WARNING))
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


class Command(BaseCommand):
    help = (
        "Load the demo content: a city with seven neighbourhood councils, a citizen assembly (130 members, "
        "attendance, random groups, votes), a working group, a sandbox, meetings, news, events with "
        "registrations, documents, standard pages and the demo accounts (password 'demo'). Idempotent."
    )

    def add_arguments(self, parser):
        parser.add_argument("--hostname", default="127.0.0.1", help="Host name of the site when created.")
        parser.add_argument("--port", type=int, default=8000, help="Port of the site when created.")
        parser.add_argument(
            "--reset-passwords",
            action="store_true",
            help="Set the password of existing demo accounts back to 'demo'.",
        )
        parser.add_argument(
            "--scale",
            type=int,
            default=0,
            metavar="N",
            help="Then add N generated councils of about 2,000 pages each, in bulk (home/scale.py): "
            "50 gives about 100,000 pages, to measure speed at a city's size. Idempotent.",
        )

    def handle(self, *args, **options):
        started = time.monotonic()
        self.stdout.write("Chargement du contenu de démonstration…")
        seeder = DemoSeeder(
            hostname=options["hostname"],
            port=options["port"],
            reset_passwords=options["reset_passwords"],
            log=self.stdout.write,
        )
        with _quiet_loggers("django_tasks", "wagtail"):
            seeder.run()
        counts = demo_counts()
        summary = ", ".join(f"{value} {name}" for name, value in counts.items())
        self.stdout.write(
            self.style.SUCCESS(f"Démo prête en {time.monotonic() - started:.1f} s : {summary}.")
        )
        if options["scale"] > 0:
            from home.scale import build

            with _quiet_loggers("django_tasks", "wagtail"):
                build(options["scale"], stdout=self.stdout)
