"""The demo content: `manage.py seed_demo` builds a complete, browsable city, and running it again
changes nothing."""

import io
import os
import subprocess
import sys
from collections import Counter
from datetime import time
from decimal import Decimal
from statistics import mean

from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import transaction
from django.test import RequestFactory, override_settings
from django.utils import timezone

from taggit.models import Tag
from wagtail.documents import get_document_model
from wagtail.embeds.finders import get_finders
from wagtail.images import get_image_model
from wagtail.models import Collection, ModelLogEntry, Page, PageLogEntry, Revision, Site

import pytest

from attendance.models import (
    Attendance,
    AttendanceMethod,
    AttendanceStatus,
    CheckInCode,
    GroupAssignment,
    GroupDraw,
)
from attendance.services import (
    CheckInError,
    allowance_report,
    check_in,
    council_sessions,
    groups_draw,
    sessions_to_check_in,
)
from blog.models import BlogIndexPage, BlogPage
from councils.membership import College, Membership, Position
from councils.models import CouncilAccess, CouncilPage, WorkingGroupPage
from councils.services import communications_team_group
from councils.working_groups import working_group_members
from events.models import (
    EventIndexPage,
    EventPage,
    EventRoom,
    EventSeats,
    EventSession,
    Registration,
    RegistrationMode,
    RegistrationStatus,
)
from events.seats import seats_free
from home import demo_content, demo_participation
from home.models import SiteSettings, StandardPage
from jobs.models import OutboundEmail
from meetings.models import MeetingFormat, MeetingPage, MeetingStatus, MinutesStatus
from newsletter.models import (
    Delivery,
    DeliveryStatus,
    IssueStatus,
    NewsletterIssue,
    Subscriber,
    SubscriberStatus,
    Subscription,
)
from participation.models import Proposal, ProposalKind, Vote, VoteChoice
from participation.services import (
    proposal_results,
    proposals_open_for,
    results_visible,
    vote_cast,
)

LIVELY = [c["slug"] for c in demo_content.COUNCILS if c["profile"] == demo_content.LIVELY]
SPARSE = [c["slug"] for c in demo_content.COUNCILS if c["profile"] == demo_content.SPARSE]


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """Seed once for the whole module, inside a transaction rolled back at the end: each test runs in
    its own savepoint within it, so nothing is left behind in the test database."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", hostname="testserver", port=80, stdout=io.StringIO())
        yield
        for document in get_document_model().objects.all():
            document.file.delete(save=False)
        for image in get_image_model().objects.all():
            image.file.delete(save=False)
        transaction.set_rollback(True)


@pytest.fixture
def demo(seeded, db):
    return None


@pytest.fixture(autouse=True)
def offline_embeds():
    """Rendering the webinar replay reaches no video provider: the finder answers as if offline."""
    get_finders.cache_clear()
    with override_settings(WAGTAILEMBEDS_FINDERS=[{"class": "blog.tests.fake_finders.OfflineFinder"}]):
        yield
    get_finders.cache_clear()


def counts():
    return {
        "pages": Page.objects.count(),
        "meetings": MeetingPage.objects.count(),
        "users": get_user_model().objects.count(),
        "groups": Group.objects.count(),
        "collections": Collection.objects.count(),
        "documents": get_document_model().objects.count(),
        "sites": Site.objects.count(),
        "revisions": Revision.objects.count(),
        "group memberships": get_user_model().groups.through.objects.count(),
        "news": BlogPage.objects.count(),
        "tags": Tag.objects.count(),
        "images": get_image_model().objects.count(),
        "events": EventPage.objects.count(),
        "rooms": EventRoom.objects.count(),
        "sessions": EventSession.objects.count(),
        "registrations": Registration.objects.count(),
        "seats taken": sum(EventSeats.objects.values_list("taken", flat=True)),
        "emails": OutboundEmail.objects.count(),
        "colleges": College.objects.count(),
        "memberships": Membership.objects.count(),
        "public members": Membership.objects.filter(listed_publicly=True).count(),
        "attendances": Attendance.objects.count(),
        "check-ins": Attendance.objects.filter(method=AttendanceMethod.CODE).count(),
        "check-in codes": CheckInCode.objects.count(),
        "group draws": GroupDraw.objects.count(),
        "group assignments": GroupAssignment.objects.count(),
        "proposals": Proposal.objects.count(),
        "votes": Vote.objects.count(),
        "working groups": WorkingGroupPage.objects.count(),
        "history": ModelLogEntry.objects.count() + PageLogEntry.objects.count(),
        "subscribers": Subscriber.objects.count(),
        "subscriptions": Subscription.objects.count(),
        "issues": NewsletterIssue.objects.count(),
        "deliveries": Delivery.objects.count(),
    }


def council(slug):
    return CouncilPage.objects.get(slug=slug)


def test_seeding_twice_changes_no_count(demo):
    before = counts()

    call_command("seed_demo", hostname="testserver", port=80, stdout=io.StringIO())

    assert counts() == before
    assert before["pages"] > 50
    assert before["events"] == 3
    assert before["sessions"] == len(demo_content.MEETUP["sessions"])
    assert before["registrations"] == (
        demo_content.MEETUP["registrations"]
        + demo_content.FULL_EVENT["registrations"]
        + demo_content.FULL_EVENT["waiting"]
    )


def test_the_city_has_seven_neighbourhood_councils_an_assembly_and_a_sandbox(demo):
    kinds = sorted(CouncilPage.objects.values_list("kind", "is_sandbox"))

    assert kinds == sorted([("neighbourhood", False)] * 7 + [("assembly", False), ("collective", True)])
    assert CouncilPage.objects.get(is_sandbox=True).slug == "bac-a-sable"
    assert CouncilPage.objects.listed().count() == 8
    assert CouncilAccess.objects.count() == 9


def test_every_demo_account_signs_in_with_the_demo_password(demo):
    accounts = demo_content.demo_accounts()
    assert len(accounts) == 2 + 2 * 9 + 1  # the participant of the assembly and the working group

    for username, _role, _council in accounts:
        user = authenticate(username=username, password="demo")
        assert user is not None, username
        assert user.email == f"{username}@parvis.localhost"
    assert authenticate(username="admin", password="wrong") is None


def test_admin_is_a_superuser_and_ville_is_in_the_communications_team(demo):
    users = get_user_model().objects

    assert users.get(username="admin").is_superuser
    ville = users.get(username="ville")
    assert not ville.is_superuser
    assert list(ville.groups.all()) == [communications_team_group()]


def test_each_council_editor_and_member_belong_to_exactly_that_councils_group(demo):
    users = get_user_model().objects
    for access in CouncilAccess.objects.select_related("council", "editors_group", "members_group"):
        slug = access.council.slug
        assert list(users.get(username=f"editeur-{slug}").groups.all()) == [access.editors_group]
        assert list(users.get(username=f"membre-{slug}").groups.all()) == [access.members_group]


def test_existing_accounts_keep_their_password_unless_asked_to_reset(demo):
    user = get_user_model().objects.get(username="editeur-centre")
    user.set_password("changed")
    user.save()

    call_command("seed_demo", hostname="testserver", stdout=io.StringIO())
    assert authenticate(username="editeur-centre", password="changed") is not None

    call_command("seed_demo", hostname="testserver", reset_passwords=True, stdout=io.StringIO())
    assert authenticate(username="editeur-centre", password="demo") is not None


@pytest.mark.parametrize("slug", LIVELY)
def test_a_lively_council_has_past_meetings_with_minutes_and_upcoming_ones_with_agendas(demo, slug):
    # The council's public meetings (a working group's own meetings are for its members).
    meetings = MeetingPage.objects.live().public().for_council(council(slug))
    past = list(meetings.past())
    upcoming = list(meetings.upcoming())

    assert len(past) == 4
    assert len(upcoming) == 4
    assert all(3 <= len(m.agenda) <= 5 for m in past + upcoming)
    assert all(m.agenda_minutes <= m.duration_minutes for m in past + upcoming)
    assert all(m.status == MeetingStatus.HELD and m.attendee_count for m in past)
    # Older minutes approved, the latest still a draft.
    assert [m.minutes_status for m in past] == [MinutesStatus.DRAFT] + [MinutesStatus.APPROVED] * 3
    assert all(m.minutes_approved_on for m in past[1:])
    assert any(len(m.decisions) for m in past)
    assert all(m.series_id for m in past + upcoming)
    assert len({m.series_id for m in past + upcoming}) == 2


def test_upcoming_meetings_include_a_cancelled_one_an_online_one_and_a_hybrid_one(demo):
    lively = [m for slug in LIVELY for m in MeetingPage.objects.live().for_council(council(slug)).upcoming()]

    cancelled = [m for m in lively if m.status == MeetingStatus.CANCELLED]
    assert cancelled and all(m.cancellation_reason for m in cancelled)
    formats = {m.format for m in lively}
    assert {MeetingFormat.ONLINE, MeetingFormat.HYBRID} <= formats
    for meeting in lively:
        if meeting.format != MeetingFormat.IN_PERSON:
            assert meeting.online_url.startswith("https://visio.example.org/")


def test_the_assembly_held_eight_sessions_the_first_online_one_hybrid_and_has_one_ahead(demo):
    meetings = MeetingPage.objects.live().for_council(council("assemblee"))
    past = list(meetings.past().order_by("start"))

    assert len(past) == 8
    assert all(m.status == MeetingStatus.HELD and m.minutes for m in past)
    assert past[0].format == MeetingFormat.ONLINE
    assert meetings.filter(format=MeetingFormat.ONLINE).count() == 1
    assert meetings.filter(format=MeetingFormat.HYBRID).count() == 1
    # Recent: the last session was a few weeks ago at most, the first about four months ago.
    today = timezone.localdate()
    assert 7 <= (today - timezone.localdate(past[-1].start)).days <= 30
    assert 100 <= (today - timezone.localdate(past[0].start)).days <= 130
    assert meetings.upcoming().count() == 1
    attendance = [m.attendee_count for m in past]
    assert attendance == sorted(attendance, reverse=True)


def test_every_seeded_meeting_passes_validation(demo):
    for meeting in MeetingPage.objects.all():
        meeting.full_clean()


def test_sparse_councils_have_little_content(demo):
    for slug in SPARSE:
        assert StandardPage.objects.child_of(council(slug)).count() == 0
    with_meetings = [slug for slug in SPARSE if MeetingPage.objects.for_council(council(slug)).exists()]
    assert with_meetings == ["gare"]


def test_lively_councils_have_public_and_private_documents_of_each_kind(demo):
    documents = get_document_model().objects
    for slug in LIVELY:
        access = council(slug).access
        public = documents.filter(collection=access.collection)
        assert {"agenda", "minutes", "report"} <= set(public.values_list("kind", flat=True))
        assert documents.filter(collection=access.private_collection).count() == 1
        for document in public:
            with document.open_file() as f:
                assert f.read(5) == b"%PDF-"


def test_site_settings_name_the_city_and_link_the_legal_pages(demo):
    site = Site.objects.get(is_default_site=True)
    site_settings = SiteSettings.for_site(site)

    assert site.hostname == "testserver"
    assert site_settings.site_name == "Parvis — Ville de Parvis-sur-Lac"
    assert site_settings.legal_notice_page.slug == "mentions-legales"
    assert site_settings.accessibility_page.slug == "accessibilite"


def public_urls():
    home = Site.objects.get(is_default_site=True).root_page
    pages = (
        Page.objects.descendant_of(home, inclusive=True)
        .live()
        .public()
        .exclude(content_type__model="meetingpage")
    )
    urls = [page.url for page in pages]
    # And one meeting of each kind: past with minutes, upcoming, cancelled.
    meetings = MeetingPage.objects.live().public().for_council(council("centre"))
    urls += [
        meetings.past().first().url,
        meetings.upcoming().first().url,
        meetings.filter(status=MeetingStatus.CANCELLED).first().url,
    ]
    return urls


def test_every_public_seeded_page_renders(demo, client):
    urls = public_urls()
    expected = ["/", "/conseils/", "/a-propos/", "/manifeste/", "/mentions-legales/", "/accessibilite/"]
    expected += [f"/conseils/{c['slug']}/" for c in demo_content.COUNCILS if not c.get("is_sandbox")]
    assert set(expected) <= set(urls)
    # The sandbox is for editors in training: closed to the public.
    assert "/conseils/bac-a-sable/" not in urls
    assert client.get("/conseils/bac-a-sable/").status_code == 302

    for url in urls:
        assert client.get(url).status_code == 200, url


def test_the_members_page_is_private_to_the_council(demo, client):
    url = "/conseils/centre/espace-membres/"
    assert client.get(url).status_code == 302

    client.force_login(get_user_model().objects.get(username="membre-charmettes"))
    assert client.get(url).status_code != 200

    client.force_login(get_user_model().objects.get(username="membre-centre"))
    assert client.get(url).status_code == 200


def test_demo_accounts_prints_every_account_and_the_addresses(demo):
    out = io.StringIO()
    call_command("demo_accounts", stdout=out)
    text = out.getvalue()

    for username, _role, _council in demo_content.demo_accounts():
        assert f"`{username}`" in text
    assert "http://127.0.0.1:8000/admin/" in text
    assert "Conseil de quartier Centre-Ville" in text
    # What to try with the participant: her space, her working group, the check-in code of the next session.
    upcoming = MeetingPage.objects.live().for_council(council("assemblee")).upcoming().get()
    assert "http://127.0.0.1:8000/mon-espace/" in text
    assert "/conseils/centre/groupes/groupe-mobilites/" in text
    assert CheckInCode.objects.get(meeting=upcoming).code in text


# -- News and events ------------------------------------------------------------------------------------


def meetup():
    return EventPage.objects.get(slug=demo_content.MEETUP["slug"])


def full_event():
    return EventPage.objects.get(slug=demo_content.FULL_EVENT["slug"])


def test_the_lively_councils_and_the_city_publish_tagged_news(demo):
    city_blog = BlogIndexPage.objects.get(slug="actualites", depth=3)
    assert BlogPage.objects.live().child_of(city_blog).count() >= 3
    for slug in LIVELY:
        posts = BlogPage.objects.live().descendant_of(council(slug))
        assert posts.count() >= 3, slug
        assert all(post.tags.exists() for post in posts), slug


def test_the_webinar_replay_shows_a_plain_link_to_the_video_when_it_cannot_be_fetched(demo, client):
    post = BlogPage.objects.get(slug="replay-webinaire-parvis-mode-d-emploi")
    (video,) = [block for block in post.body if block.block_type == "video"]

    response = client.get(post.url)

    assert response.status_code == 200
    assert f'href="{video.value["video"].url}"' in response.content.decode()


def test_the_users_meetup_is_a_city_event_in_the_future_with_free_mandatory_registration(demo):
    event = meetup()
    local_start = timezone.localtime(event.start)

    assert event.get_parent().specific_class is EventIndexPage
    assert event.url == f"/agenda/{demo_content.MEETUP['slug']}/"
    assert event.live and event.start > timezone.now()
    assert local_start.time() == time(9, 30) and local_start.weekday() == 4
    assert timezone.localtime(event.end).time() == time(17, 0)
    assert event.registration_mode == RegistrationMode.PARVIS
    assert event.is_free and event.capacity == 120
    assert event.lead_image.file.read(8) == b"\x89PNG\r\n\x1a\n"
    assert event.lead_image_alt and not event.lead_image.in_private_collection()
    event.full_clean()


def test_the_meetup_programme_runs_in_several_rooms_with_parallel_workshops(demo):
    event = meetup()
    rooms = {room.name: room.details for room in event.rooms.all()}
    sessions = list(event.sessions.order_by("start_time", "sort_order"))

    assert rooms["Auditorium"].startswith("Au rez-de-chaussée à gauche")
    assert len(rooms) >= 3
    assert all(session.room in rooms for session in sessions)
    assert [s.start_time for s in sessions][:2] == [time(9, 30), time(10, 0)]
    assert sessions[-1].start_time == time(16, 30)
    parallel = [s for s in sessions if s.start_time == time(13, 30)]
    assert len({s.room for s in parallel}) == len(parallel) >= 2
    (plenary,) = [s for s in sessions if s.title.startswith("Plénière")]
    assert plenary.speaker_list == ["Emmanuelle Roux"]
    assert (plenary.start_time, plenary.end_time) == (time(15, 0), time(16, 0))


def test_the_meetup_has_confirmed_registrations_counted_in_its_seats(demo):
    event = meetup()
    registrations = Registration.objects.filter(event=event)

    assert registrations.count() == demo_content.MEETUP["registrations"]
    assert set(registrations.values_list("status", flat=True)) == {RegistrationStatus.CONFIRMED}
    assert all(r.consent_at for r in registrations)
    assert seats_free(event) == 120 - demo_content.MEETUP["registrations"]


def test_a_council_event_is_full_with_people_waiting_and_a_seat_offered(demo):
    event = full_event()
    spec = demo_content.FULL_EVENT
    statuses = [r.status for r in Registration.objects.filter(event=event).order_by("pk")]

    assert event.get_parent().specific_class is CouncilPage
    assert event.get_parent().slug == spec["council"]
    assert event.start > timezone.now()
    assert seats_free(event) == 0
    assert statuses.count(RegistrationStatus.CANCELLED) == 1
    assert statuses.count(RegistrationStatus.OFFERED) == 1
    assert statuses.count(RegistrationStatus.CONFIRMED) == spec["capacity"] - 1
    assert statuses.count(RegistrationStatus.WAITING) == spec["waiting"] - 1
    # The offer went to the first person waiting, and is still open.
    (offered,) = Registration.objects.filter(event=event, status=RegistrationStatus.OFFERED)
    first_waiting = Registration.objects.filter(event=event).order_by("pk")[spec["registrations"]]
    assert offered.pk == first_waiting.pk
    assert offered.offer_expires_at > timezone.now()


def test_a_council_event_without_registration_is_in_the_agenda(demo):
    event = EventPage.objects.get(slug=demo_content.OPEN_EVENT["slug"])

    assert event.registration_mode == RegistrationMode.NONE
    assert event.get_parent().slug == demo_content.OPEN_EVENT["council"]
    assert event.start > timezone.now()


def test_every_seeded_event_passes_validation(demo):
    for event in EventPage.objects.all():
        event.full_clean()


def test_demo_emails_go_only_to_the_demos_own_domain(demo):
    recipients = list(OutboundEmail.objects.values_list("to", flat=True))

    assert recipients
    assert all(
        to.endswith(f".{demo_content.EMAIL_DOMAIN}") or to.endswith(f"@{demo_content.EMAIL_DOMAIN}")
        for to in recipients
    )
    # The council's editor heard that the full event filled up.
    assert (
        OutboundEmail.objects.filter(
            to=f"editeur-{demo_content.FULL_EVENT['council']}@{demo_content.EMAIL_DOMAIN}"
        ).count()
        == 2
    )
    registrants = Registration.objects.values_list("email", flat=True)
    assert len(set(registrants)) == len(registrants)


def test_the_newsletter_has_readers_a_sent_issue_online_and_a_draft(demo, client):
    readers = Subscriber.objects.filter(status=SubscriberStatus.CONFIRMED)
    assert readers.count() == 12
    assert all(r.email.endswith(f".{demo_content.EMAIL_DOMAIN}") for r in Subscriber.objects.all())
    sent = NewsletterIssue.objects.get(status=IssueStatus.SENT)
    draft = NewsletterIssue.objects.get(status=IssueStatus.DRAFT)
    # Every confirmed reader got the sent issue, once; nobody else did.
    assert sorted(sent.deliveries.values_list("subscriber__email", flat=True)) == sorted(
        readers.values_list("email", flat=True)
    )
    assert set(sent.deliveries.values_list("status", flat=True)) == {DeliveryStatus.SENT}
    assert client.get(f"/lettre/archives/{sent.pk}/").status_code == 200
    assert client.get(f"/lettre/archives/{draft.pk}/").status_code == 404
    # The draft goes to the city's list and every council's but the sandbox's.
    assert draft.lists.filter(council__isnull=True).exists()
    assert not draft.lists.filter(council__is_sandbox=True).exists()
    assert draft.lists.count() == CouncilPage.objects.filter(is_sandbox=False).count() + 1


def test_the_demo_command_imports_no_test_tool():
    """`make demo` installs only requirements.txt: the command must load without factory-boy and
    wagtail-factories (test tools, in requirements-dev.txt)."""
    code = (
        "import sys; sys.modules['factory'] = sys.modules['wagtail_factories'] = None; "
        "import django; django.setup(); "
        "import home.management.commands.seed_demo"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    result = subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr[-2000:]


# -- Participation: the citizen assembly at work, and a working group -----------------------------------

COLLEGE_NAMES = ["Volontaires", "Tirés au sort", "Représentants des ateliers de vie de quartier"]


def assembly():
    return council("assemblee")


def held():
    return list(council_sessions(council=assembly()).live().past().order_by("start"))


def present_ids(meeting):
    return set(
        Attendance.objects.filter(meeting=meeting, status=AttendanceStatus.PRESENT).values_list(
            "member_id", flat=True
        )
    )


def user(username):
    return get_user_model().objects.get(username=username)


def test_the_assembly_has_about_130_members_over_its_three_colleges(demo):
    council = assembly()
    colleges = list(council.colleges.order_by("sort_order"))
    active = Membership.objects.active().filter(council=council)

    assert [c.name for c in colleges] == COLLEGE_NAMES
    assert [c.drawn_by_lot for c in colleges] == [False, True, False]
    assert 125 <= active.count() <= 135
    assert not active.filter(college__isnull=True).exists()
    assert all(active.filter(college=college).count() >= 25 for college in colleges)
    positions = dict(active.exclude(position="").values_list("position", "user__username"))
    assert set(positions) == {Position.PRESIDENT, Position.SECRETARY}
    assert positions[Position.SECRETARY] == "editeur-assemblee"
    # The groups follow the mandates: everyone with a mandate is in the council's members' or editors' group.
    access = council.access
    in_groups = set(
        get_user_model()
        .objects.filter(groups__in=[access.members_group, access.editors_group])
        .values_list("pk", flat=True)
    )
    assert set(active.values_list("user_id", flat=True)) == in_groups
    assert council.members_list_public and council.attendance_chart_public
    assert 0 < active.filter(listed_publicly=True).count() < active.count()


def test_the_made_up_members_have_example_addresses_and_cannot_sign_in(demo):
    demo_usernames = [username for username, _role, _council in demo_content.demo_accounts()]
    made_up = (
        get_user_model()
        .objects.filter(memberships__council__slug__in=["assemblee", "centre"])
        .exclude(username__in=demo_usernames)
    )

    assert made_up.count() >= 125
    assert all(u.email.endswith("@example.org") for u in made_up)
    assert not any(u.has_usable_password() for u in made_up)
    assert len({(u.first_name, u.last_name) for u in made_up}) == made_up.count()
    assert authenticate(username=made_up.first().username, password="demo") is None


def test_attendance_falls_from_about_130_to_about_50_and_averages_about_70(demo):
    sessions = held()
    members = Membership.objects.active().filter(council=assembly()).count()
    present = [len(present_ids(meeting)) for meeting in sessions]

    assert len(present) == 8
    assert present[0] >= 120
    assert 45 <= present[-1] <= 55
    assert 65 <= mean(present) <= 75
    assert present == [meeting.attendee_count for meeting in sessions]
    assert all(Attendance.objects.filter(meeting=meeting).count() == members for meeting in sessions)
    # Volunteers and workshop representatives stay; people drawn by lot drift away.
    last = Counter(
        Attendance.objects.filter(meeting=sessions[-1], status=AttendanceStatus.PRESENT).values_list(
            "college__name", flat=True
        )
    )
    size = Counter(
        Membership.objects.active().filter(council=assembly()).values_list("college__name", flat=True)
    )
    rate = {name: last[name] / size[name] for name in COLLEGE_NAMES}
    assert rate["Volontaires"] > rate["Tirés au sort"]
    assert rate["Représentants des ateliers de vie de quartier"] > rate["Tirés au sort"]
    # From the fifth session on, some checked in on their phone.
    assert Attendance.objects.filter(meeting=sessions[-1], method=AttendanceMethod.CODE).exists()


def test_the_allowance_report_pays_20_euros_per_session_attended(demo):
    council = assembly()
    report = allowance_report(council=council)
    present = Attendance.objects.filter(
        meeting__in=[m.pk for m in held()], status=AttendanceStatus.PRESENT
    ).count()

    assert council.allowance_per_session == Decimal("20")
    assert report.total_sessions == present
    assert report.total_amount == Decimal("20") * present
    assert sum(row.amount for row in report.rows) == report.total_amount


def test_random_groups_were_drawn_at_the_second_session_and_the_seed_draws_them_again(demo):
    session = held()[1]
    draw = GroupDraw.objects.get(meeting=session)
    assignments = dict(draw.assignments.values_list("member_id", "group_number"))

    assert draw.seed == demo_participation.GROUPS_SEED
    assert draw.group_count == 9
    assert set(assignments) == present_ids(session)
    sizes = Counter(assignments.values())
    assert max(sizes.values()) - min(sizes.values()) <= 1

    again = groups_draw(meeting=session, group_count=draw.group_count, seed=draw.seed, by=None)
    assert dict(again.assignments.values_list("member_id", "group_number")) == assignments


def test_the_second_session_gave_a_vote_of_confidence_on_each_proposal(demo):
    session = held()[1]
    proposals = Proposal.objects.filter(
        council=assembly(), kind=ProposalKind.PROPOSAL, vote_closes_at=session.end
    )

    assert 5 <= proposals.count() <= 8
    adopted = 0
    for proposal in proposals:
        voters = set(proposal.votes.values_list("voter_id", flat=True))
        assert voters, proposal
        assert voters <= present_ids(session)
        results = proposal_results(proposal=proposal)
        assert results.final
        assert results.total.votes == len(voters)
        assert [tally.label for tally in results.colleges] == COLLEGE_NAMES
        assert results.quorum_reached
        adopted += results.adopted
    assert 0 < adopted < proposals.count()  # one did not win the assembly's confidence


def test_three_resolutions_were_voted_in_plenary_at_the_hybrid_session(demo):
    session = held()[3]
    resolutions = Proposal.objects.filter(council=assembly(), kind=ProposalKind.RESOLUTION)

    assert resolutions.count() == 3
    assert session.format == MeetingFormat.HYBRID
    for resolution in resolutions:
        assert resolution.meeting_id == session.pk
        voters = set(resolution.votes.values_list("voter_id", flat=True))
        assert voters and voters <= present_ids(session)
        results = proposal_results(proposal=resolution)
        assert results.final and results.adopted


def test_a_proposal_is_open_and_the_participant_votes_on_it(demo):
    participant = user("participante")
    request = RequestFactory().get("/mon-espace/")
    request.user = participant
    open_now = proposals_open_for(request=request)

    assert {p.council.slug for p in open_now} == {"assemblee", "centre"}
    assert all(p.my_vote is None for p in open_now)
    proposal = next(p for p in open_now if p.council.slug == "assemblee")
    assert proposal.votes.count() >= 20
    assert not results_visible(proposal=proposal)

    vote_cast(proposal=proposal, voter=participant, choice=VoteChoice.FOR)
    assert Vote.objects.get(proposal=proposal, voter=participant).choice == VoteChoice.FOR
    # A hidden proposal is kept, with its reason, out of the members' way.
    hidden = Proposal.objects.get(council=assembly(), hidden_at__isnull=False)
    assert hidden.hidden_reason
    assert hidden.pk not in {p.pk for p in open_now}


def test_the_participant_checks_in_to_the_next_session_with_its_code(demo):
    participant = user("participante")
    upcoming = MeetingPage.objects.live().for_council(assembly()).upcoming().get()
    code = CheckInCode.objects.get(meeting=upcoming)

    assert [s.meeting.pk for s in sessions_to_check_in(user=participant)] == [upcoming.pk]
    record = check_in(user=participant, code=code.code)
    assert record.status == AttendanceStatus.PRESENT
    assert record.method == AttendanceMethod.CODE
    with pytest.raises(CheckInError):
        check_in(user=user("membre-centre"), code=code.code)


def test_the_working_group_is_open_to_its_members_only(demo, client):
    working_group = WorkingGroupPage.objects.get(title=demo_participation.WORKING_GROUP["title"])
    members = set(working_group_members(working_group=working_group).values_list("username", flat=True))
    pages = [working_group, *Page.objects.descendant_of(working_group).live().specific()]
    documents = list(get_document_model().objects.filter(collection=working_group.access.collection))

    assert working_group.access.council.slug == "centre"
    assert "participante" in members and "membre-centre" not in members
    assert len(members) >= 5
    assert {type(p).__name__ for p in pages} >= {
        "WorkingGroupPage",
        "StandardPage",
        "MeetingIndexPage",
        "MeetingPage",
        "DocumentIndexPage",
        "ProposalIndexPage",
    }
    assert len(documents) == 2
    urls = [page.url for page in pages] + [document.url for document in documents]

    for url in urls:
        assert client.get(url).status_code != 200, url
    for outsider in ("membre-centre", "membre-assemblee", "editeur-charmettes"):
        client.force_login(user(outsider))
        for url in urls:
            assert client.get(url).status_code != 200, (outsider, url)
    for insider in ("participante", "editeur-centre", "ville"):
        client.force_login(user(insider))
        for url in urls:
            assert client.get(url).status_code == 200, (insider, url)


def test_the_participant_finds_her_councils_and_working_group_in_her_space(demo, client):
    client.force_login(user("participante"))
    response = client.get("/mon-espace/")

    assert response.status_code == 200
    text = response.content.decode()
    assert demo_participation.WORKING_GROUP["title"] in text
    assert assembly().title in text
    assert demo_participation.OPEN_PROPOSAL[0] in text
