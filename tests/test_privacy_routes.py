"""Privacy matrix: a members-only meeting and a private document never reach anyone without access.

Every public route is checked: the meeting page and its .ics, the council's feed, the city's feed,
the city agenda (list and month view), the home page, the documents page and the document file URL.
"""

from django.core.files.base import ContentFile

import pytest
import time_machine

from councils.factories import UserFactory
from councils.services import council_add_member
from councils.tests.worlds import keys_of, two_councils_build, world_built_once, world_fresh
from documents.models import DocumentIndexPage
from documents.services import document_create
from events.tests.helpers import meeting_index_for, meeting_make_private, meeting_publish, paris

pytestmark = pytest.mark.django_db

SECRET_MEETING = "Séance à huis clos"
SECRET_DOCUMENT = "Note interne confidentielle"
PUBLIC_MEETING = "Séance publique"
PUBLIC_DOCUMENT = "Compte rendu public"
NOW = paris(2026, 11, 2, 10)


@time_machine.travel(NOW, tick=False)
def _world_build():
    world = two_councils_build()
    council_a, council_b = world["council_a"], world["council_b"]
    world["member_b"] = UserFactory(username="membre-biollay")
    council_add_member(council=council_b, user=world["member_b"])
    world["public"] = meeting_publish(council_a, title=PUBLIC_MEETING, start=paris(2026, 12, 8, 18, 30))
    world["private"] = private = meeting_publish(
        council_a, title=SECRET_MEETING, start=paris(2026, 12, 10, 18, 30)
    )
    meeting_make_private(private, council_a)
    meeting_publish(council_b, title="Séance de Biollay", start=paris(2026, 12, 9, 18, 30))
    # Created with the council.
    world["documents_page"] = DocumentIndexPage.objects.child_of(council_a).get()
    world["public_doc"] = document_create(
        title=PUBLIC_DOCUMENT,
        file=ContentFile(b"%PDF-1.4 public", name="cr-public.pdf"),
        collection=council_a.access.collection,
        kind="minutes",
    )
    world["private_doc"] = document_create(
        title=SECRET_DOCUMENT,
        file=ContentFile(b"%PDF-1.4 secret", name="note-interne.pdf"),
        collection=council_a.access.private_collection,
        kind="report",
    )
    world["meeting_index"] = meeting_index_for(council_a)
    return keys_of(world)


@pytest.fixture(scope="module")
def world_keys(django_db_setup, django_db_blocker):
    """Built once for the module: each test runs in a savepoint inside its transaction."""
    with world_built_once(django_db_blocker, _world_build) as keys:
        yield keys


@pytest.fixture
def world(world_keys, db, time_machine):
    time_machine.move_to(NOW, tick=False)
    world = vars(world_fresh(world_keys))
    world["council_feed"] = world["meeting_index"].url + "calendrier/"
    return world


# The conftest's fixtures of the same names, taken from the world built once for the module.
@pytest.fixture
def council_a(world):
    return world["council_a"]


@pytest.fixture
def council_b(world):
    return world["council_b"]


@pytest.fixture
def member_a(world):
    return world["member_a"]


@pytest.fixture
def member_b(world):
    return world["member_b"]


PUBLIC_LISTINGS = ["/", "/agenda/", "/agenda/mois/2026/12/", "/agenda/?conseil=centre", "/agenda/calendrier/"]


def login(client, who, request):
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))


@pytest.mark.parametrize("who", ["anonymous", "member_b", "member_a"])
def test_private_meeting_is_absent_from_every_public_listing_and_feed_for_everyone(
    client, world, who, request
):
    """Listings and feeds are the same for everybody (they are shared, subscribed to and cached)."""
    login(client, who, request)
    for url in [*PUBLIC_LISTINGS, world["council_feed"]]:
        response = client.get(url)
        assert response.status_code == 200, url
        content = response.content.decode()
        assert SECRET_MEETING not in content, url
        assert world["private"].url not in content, url
        assert f"meeting-{world['private'].pk}@" not in content, url
    assert PUBLIC_MEETING in client.get("/agenda/").content.decode()
    assert f"meeting-{world['public'].pk}@" in client.get(world["council_feed"]).content.decode()


@pytest.mark.parametrize("who", ["anonymous", "member_b"])
def test_private_meeting_page_and_its_ics_are_refused_without_access(client, world, who, request):
    login(client, who, request)
    for url in (world["private"].url, world["private"].url + "calendrier/"):
        response = client.get(url)
        assert response.status_code in (302, 403, 404), url
        assert SECRET_MEETING.encode() not in response.content
        assert b"VEVENT" not in response.content


def test_private_meeting_page_and_its_ics_are_served_to_the_councils_members(client, world, member_a):
    client.force_login(member_a)
    response = client.get(world["private"].url)
    assert response.status_code == 200
    assert SECRET_MEETING in response.content.decode()
    response = client.get(world["private"].url + "calendrier/")
    assert response.status_code == 200
    assert b"BEGIN:VEVENT" in response.content


@pytest.mark.parametrize("who", ["anonymous", "member_b"])
def test_private_document_is_absent_from_the_documents_page_and_its_file_refused(client, world, who, request):
    login(client, who, request)
    page = client.get(world["documents_page"].url).content.decode()
    assert PUBLIC_DOCUMENT in page
    assert SECRET_DOCUMENT not in page
    assert world["private_doc"].url not in page
    response = client.get(world["private_doc"].url)
    assert response.status_code in (302, 403)
    assert b"secret" not in b"".join(getattr(response, "streaming_content", [response.content]))
    assert client.get(world["public_doc"].url).status_code == 200


def test_private_document_is_listed_and_served_to_the_councils_members(client, world, member_a):
    client.force_login(member_a)
    page = client.get(world["documents_page"].url).content.decode()
    assert SECRET_DOCUMENT in page
    assert world["private_doc"].url in page
    response = client.get(world["private_doc"].url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 secret"


def test_private_document_never_appears_on_public_listings(client, world, member_a):
    client.force_login(member_a)
    for url in PUBLIC_LISTINGS:
        assert SECRET_DOCUMENT not in client.get(url).content.decode(), url


@pytest.mark.parametrize("who", ["anonymous", "member_b"])
def test_search_never_returns_a_private_meeting(client, world, who, request):
    login(client, who, request)
    found = client.get("/recherche/", {"q": "séance"}).content.decode()
    assert PUBLIC_MEETING in found  # the search does find meetings…
    assert SECRET_MEETING not in found  # …but never the members-only one
    assert SECRET_MEETING not in client.get("/recherche/", {"q": "huis clos"}).content.decode()


def test_search_finds_the_members_only_meeting_for_its_councils_members(client, world):
    client.force_login(world["member_a"])
    assert SECRET_MEETING in client.get("/recherche/", {"q": "huis clos"}).content.decode()
    assert SECRET_DOCUMENT in client.get("/recherche/", {"q": "note interne"}).content.decode()


def test_the_sandbox_council_stays_out_of_every_public_listing_feed_and_search(
    client, world, council_factory
):
    sandbox = council_factory(title="Bac à sable", slug="bac-a-sable", is_sandbox=True)
    practice = meeting_publish(sandbox, title="Séance d'entraînement", start=paris(2026, 12, 11, 18, 30))
    for url in [*PUBLIC_LISTINGS, "/conseils/", "/recherche/?q=entra%C3%AEnement"]:
        content = client.get(url).content.decode()
        assert practice.url not in content, url
        assert f"meeting-{practice.pk}@" not in content, url
        assert "Bac à sable" not in content, url
