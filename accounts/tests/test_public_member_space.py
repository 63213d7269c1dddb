""" "Mon espace" (issue 16, item 1): a signed-in person's councils, their members-only pages and upcoming
meetings and events — exactly theirs, nothing of another council, never in a shared cache, and in a
number of queries that does not grow with the number of councils."""

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

import pytest

from councils.factories import UserFactory
from councils.services import council_add_editor, council_add_member
from events.factories import EventPageFactory
from events.tests.helpers import meeting_make_private, meeting_publish

from .public_helpers import is_private, members_page, standard_page

pytestmark = pytest.mark.django_db

MEMBER_SPACE = "/mon-espace/"


def soon(days):
    return (timezone.localtime() + timedelta(days=days)).replace(hour=18, minute=30, second=0, microsecond=0)


def main_content(response):
    """The page's <main>: the header's council menu names every public council."""
    return response.content.decode().split('<main id="main"')[1].split("</main>")[0]


def council_content(council, tag):
    """A council's public page, members-only page, public and private upcoming meetings, a past meeting,
    a public event."""
    standard_page(council, f"Page publique {tag}", f"publique-{tag}")
    members_page(council, f"Espace membres {tag}", f"membres-{tag}")
    meeting_publish(council, title=f"Plénière {tag}", start=soon(7))
    meeting_make_private(meeting_publish(council, title=f"Bureau {tag}", start=soon(3)), council)
    meeting_publish(council, title=f"Réunion passée {tag}", start=soon(-20))
    start = soon(10)
    event = EventPageFactory(
        parent=council, title=f"Fête {tag}", slug=f"fete-{tag}", start=start, end=start + timedelta(hours=3)
    )
    event.save_revision().publish()


@pytest.fixture
def two_councils(council_a, council_b):
    council_content(council_a, "A")
    council_content(council_b, "B")
    return council_a, council_b


def test_an_anonymous_visitor_is_sent_to_sign_in(client, home):
    response = client.get(MEMBER_SPACE)
    assert response.status_code == 302
    assert response["Location"] == "/connexion/?next=/mon-espace/"


def test_a_member_sees_their_council_and_nothing_of_another(client, two_councils, member_a):
    council_a, council_b = two_councils
    client.force_login(member_a)
    response = client.get(MEMBER_SPACE)
    assert response.status_code == 200
    html = main_content(response)
    spaces = response.context["spaces"]
    assert [space.council.pk for space in spaces] == [council_a.pk]
    assert [page.title for page in spaces[0].pages] == ["Espace membres A"]
    assert [item.title for item in spaces[0].upcoming] == ["Bureau A", "Plénière A", "Fête A"]
    assert council_a.title in html
    assert "Espace membres A" in html and "Bureau A" in html and "Fête A" in html
    # Public pages and past meetings are not "members-only" nor "upcoming".
    assert "Page publique A" not in html and "Réunion passée A" not in html
    # Privacy: nothing of council B, public or private.
    for text in (council_b.title, "Espace membres B", "Bureau B", "Plénière B", "Fête B", "membres-B"):
        assert text not in html
    assert "Réservé aux membres" in html  # the private meeting says so
    assert is_private(response)
    assert "no-cache" in response["Cache-Control"]


def test_a_member_of_two_councils_sees_both(client, two_councils):
    council_a, council_b = two_councils
    user = UserFactory(username="double")
    council_add_member(council=council_a, user=user)
    council_add_member(council=council_b, user=user)
    client.force_login(user)
    spaces = client.get(MEMBER_SPACE).context["spaces"]
    assert {space.council.pk for space in spaces} == {council_a.pk, council_b.pk}
    assert sorted(page.title for space in spaces for page in space.pages) == [
        "Espace membres A",
        "Espace membres B",
    ]


def test_an_editor_gets_a_link_to_the_admin_and_a_member_does_not(client, two_councils, editor_a, member_a):
    council_a, _council_b = two_councils
    client.force_login(editor_a)
    html = client.get(MEMBER_SPACE).content.decode()
    assert f'href="/admin/pages/{council_a.pk}/"' in html
    assert "Espace membres A" in html
    client.force_login(member_a)
    html = client.get(MEMBER_SPACE).content.decode()
    assert "/admin/" not in html


def test_a_page_restricted_to_editors_is_not_shown_to_members(client, council_a, member_a, editor_a):
    from wagtail.models import PageViewRestriction

    page = standard_page(council_a, "Notes des éditeurs", "notes")
    restriction = PageViewRestriction.objects.create(page=page, restriction_type=PageViewRestriction.GROUPS)
    restriction.groups.add(council_a.access.editors_group)
    client.force_login(member_a)
    assert "Notes des éditeurs" not in client.get(MEMBER_SPACE).content.decode()
    client.force_login(editor_a)
    assert "Notes des éditeurs" in client.get(MEMBER_SPACE).content.decode()


def test_an_unpublished_members_page_is_not_listed(client, council_a, member_a):
    page = members_page(council_a, "Brouillon du bureau", "brouillon")
    page.unpublish()
    client.force_login(member_a)
    assert "Brouillon du bureau" not in client.get(MEMBER_SPACE).content.decode()


def test_the_sandbox_is_not_a_members_council(client, council_factory):
    sandbox = council_factory(title="Bac à sable", slug="bac-a-sable", is_sandbox=True)
    user = UserFactory(username="stagiaire")
    council_add_member(council=sandbox, user=user)
    client.force_login(user)
    response = client.get(MEMBER_SPACE)
    assert response.context["spaces"] == []
    assert "Bac à sable" not in response.content.decode()


def test_someone_without_a_council_is_told_so(client, home):
    client.force_login(UserFactory(username="seul"))
    response = client.get(MEMBER_SPACE)
    assert response.status_code == 200
    assert "rattaché à aucun conseil" in response.content.decode()


def test_upcoming_items_are_capped_per_council(client, council_a, member_a):
    from accounts.member_space import UPCOMING_PER_COUNCIL

    for number in range(UPCOMING_PER_COUNCIL + 3):
        meeting_publish(council_a, title=f"Séance {number}", start=soon(number + 1), publish=False)
    client.force_login(member_a)
    upcoming = client.get(MEMBER_SPACE).context["spaces"][0].upcoming
    assert [item.title for item in upcoming] == [f"Séance {n}" for n in range(UPCOMING_PER_COUNCIL)]


def test_the_page_runs_the_same_queries_for_one_or_five_councils(
    client, council_factory, django_assert_max_num_queries
):
    user = UserFactory(username="assidu")
    client.force_login(user)
    first = council_factory(title="Conseil 0", slug="c0")
    council_content(first, "0")
    council_add_editor(council=first, user=user)
    client.get(MEMBER_SPACE)  # warm the per-process caches (content types, site root paths)
    connection.queries_log.clear()
    with CaptureQueriesContext(connection) as one:
        response = client.get(MEMBER_SPACE)
    assert len(response.context["spaces"]) == 1
    queries_for_one = len(one.captured_queries)
    assert queries_for_one > 0

    for number in range(1, 5):
        council = council_factory(title=f"Conseil {number}", slug=f"c{number}")
        council_content(council, str(number))
        (council_add_editor if number % 2 else council_add_member)(council=council, user=user)
    client.get(MEMBER_SPACE)
    connection.queries_log.clear()
    with django_assert_max_num_queries(queries_for_one):
        response = client.get(MEMBER_SPACE)
    spaces = response.context["spaces"]
    assert len(spaces) == 5
    # Editors who are not members do not see the meeting restricted to the members' group.
    assert [len(space.upcoming) for space in spaces] == [3 if space.is_member else 2 for space in spaces]
    assert all(len(space.pages) == 1 for space in spaces)
