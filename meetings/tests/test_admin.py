"""The meeting editor through Wagtail's own admin views, with the nested StreamField form data."""

from django.urls import reverse
from django.utils.html import escape

from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from meetings.models import MeetingPage


def item(title, duration, presenter="", sub_items=()):
    return (
        "item",
        {
            "title": title,
            "description": "",
            "duration": duration,
            "presenter": presenter,
            "sub_items": streamfield([("item", {"title": s, "description": ""}) for s in sub_items]),
        },
    )


def meeting_form(agenda, **overrides):
    return nested_form_data(
        {
            "title": "Séance plénière d'octobre",
            "slug": "seance-octobre",
            "start": "2025-10-07 18:30",
            "end": "2025-10-07 20:30",
            "status": "planned",
            "cancellation_reason": "",
            "format": "in_person",
            "place_name": "Maison des associations",
            "place_address": "12 rue de la République",
            "access_notes": "",
            "online_url": "",
            "summary": "",
            "agenda": streamfield(agenda),
            "related_documents": inline_formset([]),
            "minutes_status": "none",
            "minutes_approved_on": "",
            "attendee_count": "",
            "minutes": rich_text(""),
            "decisions": streamfield([]),
            "comments": inline_formset([]),
            "seo_title": "",
            "search_description": "",
            **overrides,
        }
    )


def add_url(index):
    return reverse("wagtailadmin_pages:add", args=["meetings", "meetingpage", index.pk])


def test_an_editor_adds_and_publishes_a_meeting_with_a_three_item_agenda(client, editor_a, meeting_index_a):
    client.force_login(editor_a)
    data = meeting_form(
        [
            item("Accueil", 15, presenter="La présidente"),
            item("Budget", 60, sub_items=["Voirie"]),
            item("Questions", 30),
        ]
    )

    response = client.post(add_url(meeting_index_a), {**data, "action-publish": "action-publish"})

    assert response.status_code == 302, response.context["form"].errors if response.context else response
    meeting = MeetingPage.objects.get(slug="seance-octobre")
    assert meeting.live
    assert [b.value["title"] for b in meeting.agenda] == ["Accueil", "Budget", "Questions"]
    assert meeting.agenda[1].value["sub_items"][0]["title"] == "Voirie"
    assert meeting.ical_sequence == 1


def test_the_editor_refuses_an_agenda_longer_than_the_meeting(client, editor_a, meeting_index_a):
    client.force_login(editor_a)
    data = meeting_form([item("Accueil", 15), item("Budget", 90), item("Questions", 30)])

    response = client.post(add_url(meeting_index_a), {**data, "action-publish": "action-publish"})

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == ["agenda"]
    assert "2 h 15 min" in errors["agenda"][0] and "2 h" in errors["agenda"][0]
    # The message reaches the editor's screen (inside the StreamField's JSON-encoded error data).
    assert "2 h 15 min" in response.content.decode()
    assert not MeetingPage.objects.exists()


def test_the_editor_asks_for_the_place_of_an_in_person_meeting(client, editor_a, meeting_index_a):
    client.force_login(editor_a)
    data = meeting_form([item("Accueil", 15)], place_name="")

    response = client.post(add_url(meeting_index_a), data)

    assert response.status_code == 200
    assert "place_name" in response.context["form"].errors
    assert not MeetingPage.objects.exists()


def test_the_minutes_have_their_own_tab(client, editor_a, meeting_index_a, meeting_factory):
    meeting = meeting_factory()
    client.force_login(editor_a)

    response = client.get(reverse("wagtailadmin_pages:edit", args=[meeting.pk]))

    assert response.status_code == 200
    assert len(MeetingPage.get_edit_handler().children) == 4
    minutes_tab = MeetingPage.get_edit_handler().children[1]
    assert [p.field_name for p in minutes_tab.children] == [
        "minutes_status",
        "minutes_approved_on",
        "attendee_count",
        "minutes",
        "decisions",
    ]
    assert escape(str(minutes_tab.heading)) in response.content.decode()


def test_an_editor_cannot_add_a_meeting_in_another_council(client, editor_a, council_b):
    from meetings.factories import MeetingIndexPageFactory

    index_b = MeetingIndexPageFactory(parent=council_b)
    client.force_login(editor_a)

    response = client.post(add_url(index_b), meeting_form([item("Accueil", 15)]))

    assert response.status_code in (302, 403)
    assert not MeetingPage.objects.exists()
