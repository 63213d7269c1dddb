from datetime import date, timedelta

from django.core.files.base import ContentFile

from wagtail.models import PageViewRestriction

import pytest
import time_machine

from councils.models import CouncilPage
from documents.models import CouncilDocument
from meetings.factories import MeetingIndexPageFactory, MeetingPageFactory, agenda_item
from meetings.models import (
    MEETINGS_PER_PAGE,
    MeetingDocument,
    MeetingIndexPage,
    MeetingPage,
    MeetingStatus,
    MinutesStatus,
)

from .conftest import paris

NOW = paris(2025, 10, 15, 12, 0)


def test_meeting_index_can_only_live_in_a_council_or_working_group_and_holds_only_meetings():
    assert MeetingIndexPage.parent_page_types == ["councils.CouncilPage", "councils.WorkingGroupPage"]
    assert MeetingIndexPage.allowed_subpage_models() == [MeetingPage]
    assert MeetingPage.allowed_parent_page_models() == [MeetingIndexPage]
    assert MeetingPage.allowed_subpage_models() == []


def test_a_council_gets_one_meeting_index_at_most(meeting_index_a, council_a, council_b):
    # Every council is created with its meetings index: none can get a second one.
    assert not MeetingIndexPage.can_create_at(council_a)
    assert not MeetingIndexPage.can_create_at(council_b)
    MeetingIndexPage.objects.child_of(council_b).get().delete()
    council_b.refresh_from_db()
    assert MeetingIndexPage.can_create_at(council_b)
    assert MeetingPage.can_create_at(meeting_index_a)
    assert not MeetingPage.can_create_at(council_a)


@time_machine.travel(NOW, tick=False)
def test_meeting_page_shows_place_agenda_with_times_minutes_and_documents(client, meeting_factory):
    document = CouncilDocument.objects.create(
        title="Budget participatif 2025", file=ContentFile(b"%PDF" + b"x" * 236_000, name="budget.pdf")
    )
    meeting = meeting_factory(
        start=paris(2025, 10, 7, 18, 30),
        end=paris(2025, 10, 7, 20, 30),
        agenda=[
            agenda_item("Accueil des habitants", 15, presenter="Marie Curie"),
            agenda_item("Budget participatif", 45, sub_items=["Projets retenus", "Calendrier"]),
            agenda_item("Questions diverses", 30),
        ],
        status=MeetingStatus.HELD,
        minutes_status=MinutesStatus.APPROVED,
        minutes_approved_on=date(2025, 11, 4),
        minutes="<p>Compte rendu de la séance.</p>",
        decisions=[
            {"type": "decision", "value": {"text": "Aménager le square", "votes": "12 pour, 2 contre"}}
        ],
        attendee_count=27,
    )
    MeetingDocument.objects.create(page=meeting, document=document)

    response = client.get(meeting.url)

    assert response.status_code == 200
    html = response.content.decode()
    for text in (
        "Maison des associations",
        "12 rue de la République",
        "Accueil des habitants",
        "Marie Curie",
        "Projets retenus",
        "Calendrier",
        "Compte rendu de la séance.",
        "Aménager le square",
        "12 pour, 2 contre",
        "27",
        "Budget participatif 2025",
        "PDF, 230",
    ):
        assert text in html, text
    # Each item starts when the previous ones end: 18 h 30, 18 h 45, 19 h 30 (no-break spaces).
    assert (
        html.index("18\u00a0h\u00a045") < html.index("Budget participatif") < html.index("19\u00a0h\u00a030")
    )
    assert 'class="badge badge--approved"' in html
    # The meeting is over: the page keeps the facts but no longer offers to add it to a calendar.
    assert f"{meeting.url}calendrier/" not in html


@time_machine.travel(NOW, tick=False)
def test_a_cancelled_meeting_shows_its_reason_prominently(client, meeting_factory):
    meeting = meeting_factory(status=MeetingStatus.CANCELLED, cancellation_reason="La salle est inondée.")

    html = client.get(meeting.url).content.decode()

    assert 'class="badge badge--cancelled"' in html
    assert html.index("La salle est inondée.") < html.index("Maison des associations")


@time_machine.travel(NOW, tick=False)
def test_draft_minutes_are_marked_as_draft(client, meeting_factory):
    meeting = meeting_factory(minutes_status=MinutesStatus.DRAFT, minutes="<p>Brouillon du compte rendu</p>")

    html = client.get(meeting.url).content.decode()

    assert 'class="badge badge--draft"' in html
    assert "badge--approved" not in html


def test_an_online_meeting_links_to_the_video_call(client, meeting_factory):
    meeting = meeting_factory(format="online", place_name="", online_url="https://visio.example.org/conseil")

    html = client.get(meeting.url).content.decode()

    assert 'href="https://visio.example.org/conseil"' in html


@time_machine.travel(NOW, tick=False)
def test_meeting_index_lists_upcoming_soonest_first_then_past_latest_first(
    client, meeting_index_a, meeting_factory
):
    for day, title in ((1, "Past early"), (10, "Past late"), (30, "Next far"), (20, "Next soon")):
        meeting_factory(title=title, start=paris(2025, 10, day, 18, 30), end=paris(2025, 10, day, 20, 30))

    response = client.get(meeting_index_a.url)

    assert response.status_code == 200
    titles = [m.title for m in response.context["meetings"]]
    assert titles == ["Next soon", "Next far", "Past late", "Past early"]
    html = response.content.decode()
    assert html.index("meeting-index__list--upcoming") < html.index("meeting-index__list--past")
    assert f"{meeting_index_a.url}calendrier/" in html


@time_machine.travel(NOW, tick=False)
def test_meeting_index_paginates_twenty_meetings_a_page(client, meeting_index_a):
    for n in range(25):
        MeetingPageFactory(
            parent=meeting_index_a,
            start=NOW + timedelta(days=n + 1),
            end=NOW + timedelta(days=n + 1, hours=2),
        )

    first = client.get(meeting_index_a.url)
    second = client.get(meeting_index_a.url, {"page": 2})

    assert len(first.context["meetings"]) == 20
    assert len(second.context["meetings"]) == 5
    assert {m.pk for m in first.context["meetings"]}.isdisjoint({m.pk for m in second.context["meetings"]})


def test_meeting_index_hides_unpublished_meetings(client, meeting_index_a, meeting_factory):
    meeting_factory(title="Brouillon secret", publish=False)

    response = client.get(meeting_index_a.url)

    assert "Brouillon secret" not in response.content.decode()


@time_machine.travel(NOW, tick=False)
def test_querysets_split_upcoming_and_past(meeting_factory):
    past = meeting_factory(start=paris(2025, 10, 1, 18, 30), end=paris(2025, 10, 1, 20, 30))
    running = meeting_factory(start=paris(2025, 10, 15, 11, 0), end=paris(2025, 10, 15, 13, 0))
    later = meeting_factory(start=paris(2025, 11, 5, 18, 30), end=paris(2025, 11, 5, 20, 30))
    soon = meeting_factory(start=paris(2025, 10, 20, 18, 30), end=paris(2025, 10, 20, 20, 30))

    assert list(MeetingPage.objects.upcoming()) == [running, soon, later]
    assert list(MeetingPage.objects.past()) == [past]


def test_meetings_under_a_private_index_are_not_listed(council_b, meeting_factory, meeting_index_a):
    private_index = MeetingIndexPageFactory(parent=council_b)
    private_index.save_revision().publish()
    PageViewRestriction.objects.create(page=private_index, restriction_type=PageViewRestriction.LOGIN)
    public = meeting_factory()
    private = meeting_factory(parent=private_index)

    listed = set(MeetingPage.objects.listed())

    assert public in listed
    assert private not in listed


def test_meetings_of_a_sandbox_council_are_not_listed(council_factory, meeting_factory):
    sandbox = council_factory(title="Bac à sable", slug="bac-a-sable", is_sandbox=True)
    index = MeetingIndexPageFactory(parent=sandbox)
    index.save_revision().publish()
    practice = meeting_factory(parent=index)
    real = meeting_factory()

    listed = set(MeetingPage.objects.listed())

    assert real in listed
    assert practice not in listed


@pytest.mark.parametrize("count", [3, MEETINGS_PER_PAGE + 5])
@time_machine.travel(NOW, tick=False)
def test_meeting_index_and_council_page_run_a_fixed_number_of_queries(
    client, count, council_a, meeting_index_a, django_assert_max_num_queries
):
    for n in range(count):
        start = NOW + timedelta(days=n - count // 2)
        MeetingPageFactory(
            parent=meeting_index_a,
            start=start,
            end=start + timedelta(hours=2),
            agenda=[agenda_item("Point", 30)],
            minutes_status=MinutesStatus.DRAFT if n % 2 else MinutesStatus.NONE,
        )
    client.get(meeting_index_a.url)  # warm the site root cache, as in production

    with django_assert_max_num_queries(25):
        response = client.get(meeting_index_a.url)
    assert response.status_code == 200
    assert len(response.context["meetings"]) == min(count, MEETINGS_PER_PAGE)

    with django_assert_max_num_queries(25):
        response = client.get(CouncilPage.objects.get(pk=council_a.pk).url)
    assert response.status_code == 200
    assert response.context["next_meeting"] is not None
