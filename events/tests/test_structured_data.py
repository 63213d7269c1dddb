"""schema.org JSON-LD of events and meetings (core.structured_data), read back with json.loads."""

import json
import re
from datetime import time
from decimal import Decimal

from django.template import Context, Template
from django.test import RequestFactory

import pytest
import time_machine

from core.structured_data import json_ld, offer_availability
from events.models import RegistrationMode
from events.seats import seat_take, seats_ensure
from events.tests.event_page_helpers import NOW, event_publish, meetup_publish
from events.tests.helpers import meeting_publish, paris
from images.factories import CouncilImageFactory

pytestmark = pytest.mark.django_db

SCHEMA = "https://schema.org"


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def json_ld_of(client, url):
    response = client.get(url)
    assert response.status_code == 200
    blocks = re.findall(
        r'<script type="application/ld\+json">(.*?)</script>', response.content.decode(), re.S
    )
    assert len(blocks) == 1, blocks
    return json.loads(blocks[0])


# -- Events ------------------------------------------------------------------------------------------------


def test_an_event_is_described_field_by_field(client, home):
    image = CouncilImageFactory()
    event = meetup_publish(
        lead_image=image,
        lead_image_alt="La salle",
        registration_mode=RegistrationMode.PARVIS,
        capacity=120,
        registration_opens_at=paris(2026, 2, 15, 9),
    )

    data = json_ld_of(client, event.url)

    assert data["@context"] == SCHEMA
    assert data["@type"] == "Event"
    assert data["name"] == "Rencontre des utilisateurs de Parvis"
    assert data["startDate"] == "2026-03-28T09:30:00+01:00"
    assert data["endDate"] == "2026-03-28T17:30:00+01:00"
    assert data["eventStatus"] == f"{SCHEMA}/EventScheduled"
    assert data["eventAttendanceMode"] == f"{SCHEMA}/OfflineEventAttendanceMode"
    assert data["location"] == {
        "@type": "Place",
        "name": "Maison des associations",
        "address": {
            "@type": "PostalAddress",
            "streetAddress": "12 rue de la République, 73000 Parvis-sur-Lac",
        },
    }
    assert data["description"] == event.summary
    assert data["url"] == "http://testserver/agenda/rencontre-utilisateurs/"
    assert data["image"] == [f"http://testserver{image.get_rendition('fill-1200x630').url}"]
    assert data["organizer"] == {"@type": "Organization", "name": "Parvis", "url": "http://testserver/"}
    assert data["isAccessibleForFree"] is True
    assert data["offers"] == {
        "@type": "Offer",
        "price": "0.00",
        "priceCurrency": "EUR",
        "availability": f"{SCHEMA}/InStock",
        "url": "http://testserver/agenda/rencontre-utilisateurs/#inscription",
        "validFrom": "2026-02-15T09:00:00+01:00",
    }
    sub_events = data["subEvent"]
    assert [s["name"] for s in sub_events] == [
        "Accueil et café",
        "Ouverture : deux ans de Parvis",
        "Atelier : publier un compte rendu",
        "Retour d’expérience : la Biollay",
        "Table ronde",
    ]
    opening = sub_events[1]
    assert opening["@type"] == "Event"
    assert opening["startDate"] == "2026-03-28T10:00:00+01:00"
    assert opening["endDate"] == "2026-03-28T11:00:00+01:00"
    assert opening["location"]["name"] == "Auditorium, Maison des associations"
    assert opening["performer"] == [
        {"@type": "Person", "name": "Claire Dumas"},
        {"@type": "Person", "name": "Karim Benali"},
    ]
    assert opening["description"] == "Ce qui a changé dans les conseils depuis l’ouverture."
    assert sub_events[0]["location"]["name"] == "Maison des associations"
    assert "performer" not in sub_events[0]


def test_a_council_event_is_organised_by_its_council(client, council_a):
    event = meetup_publish(parent=council_a)

    data = json_ld_of(client, event.url)

    assert data["organizer"] == {
        "@type": "Organization",
        "name": "Conseil de quartier Centre",
        "url": "http://testserver/conseils/centre/",
    }


def test_a_paying_event_full_of_registrations_is_sold_out(client, home):
    event = meetup_publish(
        price=Decimal("12.5"), registration_mode=RegistrationMode.PARVIS, capacity=2, waiting_list=True
    )
    seats_ensure(event)
    assert seat_take(event) and seat_take(event)

    data = json_ld_of(client, event.url)

    assert data["isAccessibleForFree"] is False
    assert data["offers"]["price"] == "12.50"
    assert data["offers"]["priceCurrency"] == "EUR"
    assert data["offers"]["availability"] == f"{SCHEMA}/SoldOut"
    assert "validFrom" not in data["offers"]


def test_an_event_registering_elsewhere_offers_that_site(client, home):
    event = meetup_publish(
        registration_mode=RegistrationMode.EXTERNAL,
        registration_url="https://billetterie.example.org/rencontre",
    )

    offer = json_ld_of(client, event.url)["offers"]

    assert offer["url"] == "https://billetterie.example.org/rencontre"
    assert offer["availability"] == f"{SCHEMA}/InStock"


def test_an_event_without_registration_has_no_offer(client, home):
    assert "offers" not in json_ld_of(client, meetup_publish().url)


def test_a_cancelled_online_event_is_cancelled_and_shares_no_joining_link(client, home):
    event = event_publish(
        format="online",
        place_name="",
        place_address="",
        online_url="https://visio.example.org/secret-room",
        status="cancelled",
        cancellation_reason="Intervenant malade.",
        registration_mode=RegistrationMode.PARVIS,
        sessions=[dict(start_time=time(10), end_time=time(11), title="Webinaire")],
    )

    data = json_ld_of(client, event.url)

    assert data["eventStatus"] == f"{SCHEMA}/EventCancelled"
    assert data["eventAttendanceMode"] == f"{SCHEMA}/OnlineEventAttendanceMode"
    assert data["location"] == {
        "@type": "VirtualLocation",
        "url": "http://testserver/agenda/rencontre-utilisateurs/",
    }
    assert data["subEvent"][0]["eventStatus"] == f"{SCHEMA}/EventCancelled"
    assert data["offers"]["availability"] == f"{SCHEMA}/Discontinued"
    assert "secret-room" not in json.dumps(data)


def test_a_hybrid_event_has_a_place_and_a_virtual_location(client, home):
    event = event_publish(format="hybrid", online_url="https://visio.example.org/rencontre")

    data = json_ld_of(client, event.url)

    assert data["eventAttendanceMode"] == f"{SCHEMA}/MixedEventAttendanceMode"
    place, virtual = data["location"]
    assert place["@type"] == "Place" and place["name"] == "Maison des associations"
    assert virtual == {"@type": "VirtualLocation", "url": "https://visio.example.org/rencontre"}


def test_dates_carry_the_offset_of_their_own_day_across_daylight_saving(client, home):
    event = event_publish(
        start=paris(2026, 3, 28, 18),
        end=paris(2026, 3, 29, 12),
        sessions=[
            dict(day=paris(2026, 3, 29, 0).date(), start_time=time(10), end_time=time(11), title="Brunch")
        ],
    )

    data = json_ld_of(client, event.url)

    assert data["startDate"] == "2026-03-28T18:00:00+01:00"
    assert data["endDate"] == "2026-03-29T12:00:00+02:00"
    assert data["subEvent"][0]["startDate"] == "2026-03-29T10:00:00+02:00"


def test_a_private_lead_image_is_not_in_the_structured_data(client, council_a):
    image = CouncilImageFactory(collection=council_a.access.private_collection)
    event = meetup_publish(parent=council_a, lead_image=image, lead_image_alt="Interne")

    assert "image" not in json_ld_of(client, event.url)


def test_text_typed_by_an_editor_cannot_close_the_script_element(client, home):
    event = meetup_publish(summary='Fin du bloc </script><script>alert("x")</script> & <!-- fin')

    html = client.get(event.url).content.decode()
    data = json_ld_of(client, event.url)

    assert data["description"] == 'Fin du bloc </script><script>alert("x")</script> & <!-- fin'
    assert "<script>alert" not in html
    assert "\\u003C/script\\u003E" in html and "\\u0026" in html


def test_json_ld_escapes_like_django_json_script():
    html = str(json_ld({"name": "<b>&</b>"}))

    assert (
        html
        == '<script type="application/ld+json">{"name":"\\u003Cb\\u003E\\u0026\\u003C/b\\u003E"}</script>'
    )
    assert json.loads(html.removeprefix('<script type="application/ld+json">').removesuffix("</script>")) == {
        "name": "<b>&</b>"
    }


@pytest.mark.parametrize(
    ("state", "free", "capacity", "expected"),
    [
        ("open", None, None, "InStock"),
        ("open", 50, 100, "InStock"),
        ("open", 10, 100, "LimitedAvailability"),
        ("open", 0, 100, "SoldOut"),
        ("not_open", 100, 100, "InStock"),
        ("closed", 20, 100, "Discontinued"),
        ("cancelled", 20, 100, "Discontinued"),
        ("external", None, None, "InStock"),
    ],
)
def test_offer_availability_follows_registration_and_seats(state, free, capacity, expected):
    assert offer_availability(state=state, seats_free=free, capacity=capacity) == f"{SCHEMA}/{expected}"


# -- Meetings ----------------------------------------------------------------------------------------------


def test_a_meeting_is_described_as_a_free_event_of_its_council(client, council_a):
    meeting = meeting_publish(
        council_a,
        title="Séance plénière de mars",
        start=paris(2026, 3, 10, 18, 30),
        summary="Budget participatif et aménagement de la place.",
    )

    data = json_ld_of(client, meeting.url)

    assert data["@type"] == "Event"
    assert data["name"] == "Séance plénière de mars"
    assert data["startDate"] == "2026-03-10T18:30:00+01:00"
    assert data["endDate"] == "2026-03-10T20:30:00+01:00"
    assert data["eventStatus"] == f"{SCHEMA}/EventScheduled"
    assert data["eventAttendanceMode"] == f"{SCHEMA}/OfflineEventAttendanceMode"
    assert data["location"]["name"] == "Maison de quartier"
    assert data["location"]["address"]["streetAddress"] == "12 rue de la République"
    assert data["description"] == "Budget participatif et aménagement de la place."
    assert data["url"] == f"http://testserver{meeting.url}"
    assert data["organizer"]["name"] == "Conseil de quartier Centre"
    assert data["isAccessibleForFree"] is True
    assert "offers" not in data and "subEvent" not in data and "image" not in data


def test_an_online_meeting_shares_its_link_only_while_it_invites(client, council_a):
    meeting = meeting_publish(
        council_a,
        start=paris(2026, 3, 10, 18, 30),
        format="online",
        place_name="",
        place_address="",
        online_url="https://visio.example.org/pleniere",
    )

    assert json_ld_of(client, meeting.url)["location"]["url"] == "https://visio.example.org/pleniere"
    with time_machine.travel(paris(2026, 3, 11, 9), tick=False):
        data = json_ld_of(client, meeting.url)
    assert data["location"] == {"@type": "VirtualLocation", "url": f"http://testserver{meeting.url}"}


def test_a_members_only_meeting_gives_nothing_to_anonymous_readers(client, council_a):
    from events.tests.helpers import meeting_make_private

    meeting = meeting_publish(council_a, title="Bureau restreint", start=paris(2026, 3, 10, 18, 30))
    meeting_make_private(meeting, council_a)

    response = client.get(meeting.url)

    assert response.status_code == 302
    assert b"ld+json" not in response.content and b"Bureau restreint" not in response.content


def test_the_template_tag_renders_the_same_data(home, rf: RequestFactory):
    event = meetup_publish()
    request = rf.get(event.url)

    html = Template("{% load structured_data %}{% structured_data event site_name='Ville' %}").render(
        Context({"event": event, "request": request})
    )

    data = json.loads(re.search(r">(.*)</script>", html, re.S).group(1))
    assert data["name"] == event.title
    assert data["organizer"]["name"] == "Ville"
