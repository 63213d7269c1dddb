"""The demo content: `manage.py seed_demo` builds a complete, browsable city, and running it again
changes nothing."""

import io

from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import transaction

from wagtail.documents import get_document_model
from wagtail.models import Collection, Page, Revision, Site

import pytest

from councils.models import CouncilAccess, CouncilPage
from councils.services import communications_team_group
from home import demo_content
from home.models import SiteSettings, StandardPage
from meetings.models import MeetingFormat, MeetingPage, MeetingStatus, MinutesStatus

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
        transaction.set_rollback(True)


@pytest.fixture
def demo(seeded, db):
    return None


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
    }


def council(slug):
    return CouncilPage.objects.get(slug=slug)


def test_seeding_twice_changes_no_count(demo):
    before = counts()

    call_command("seed_demo", hostname="testserver", port=80, stdout=io.StringIO())

    assert counts() == before
    assert before["pages"] > 50


def test_the_city_has_seven_neighbourhood_councils_an_assembly_and_a_sandbox(demo):
    kinds = sorted(CouncilPage.objects.values_list("kind", "is_sandbox"))

    assert kinds == sorted([("neighbourhood", False)] * 7 + [("assembly", False), ("collective", True)])
    assert CouncilPage.objects.get(is_sandbox=True).slug == "bac-a-sable"
    assert CouncilPage.objects.listed().count() == 8
    assert CouncilAccess.objects.count() == 9


def test_every_demo_account_signs_in_with_the_demo_password(demo):
    accounts = demo_content.demo_accounts()
    assert len(accounts) == 2 + 2 * 9

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
    meetings = MeetingPage.objects.live().for_council(council(slug))
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


def test_the_assembly_has_eight_sessions_half_past_one_online_one_hybrid(demo):
    meetings = MeetingPage.objects.live().for_council(council("assemblee"))

    assert meetings.count() == 8
    assert meetings.past().count() == 4
    assert meetings.upcoming().count() == 4
    assert meetings.filter(format=MeetingFormat.ONLINE).count() == 1
    assert meetings.filter(format=MeetingFormat.HYBRID).count() == 1
    attendance = [m.attendee_count for m in meetings.past().order_by("start")]
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
    meetings = MeetingPage.objects.live().for_council(council("centre"))
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
