"""The public event page: facts, status, programme by time and by room, sharing tags, privacy, query budget.

Strings this feature adds are compared through gettext, so the tests hold before and after the French
catalogue is compiled; dates, times and prices are French typography whatever the catalogue.
"""

import re
from datetime import time
from decimal import Decimal
from html import unescape

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

import pytest
import time_machine

from events.models import EventPage, EventSession, RegistrationMode
from events.tests.event_page_helpers import (
    MEETUP_ROOMS,
    MEETUP_SESSIONS,
    NOW,
    event_build,
    event_publish,
    meetup_publish,
)
from events.tests.helpers import paris
from images.factories import CouncilImageFactory

pytestmark = pytest.mark.django_db

NBSP = "\u00a0"


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def html_of(response):
    assert response.status_code == 200
    return response.content.decode()


def text_of(html):
    """The visible text, tags removed and spaces collapsed (no-break spaces kept)."""
    return re.sub(r"[ \t\r\n]+", " ", unescape(re.sub(r"<[^>]+>", "", html)))


def main_of(html):
    """The page's main content, without its JSON-LD (tested in test_structured_data.py)."""
    main = html[html.index("<main") : html.index("</main>")]
    return re.sub(r'<script type="application/ld\+json">.*?</script>', "", main, flags=re.S)


def head_of(html):
    return html[html.index("<head>") : html.index("</head>")]


def section(html, element_id):
    start = html.index(f'id="{element_id}"')
    start = html.rindex("<section", 0, start)
    return html[start : html.index("</section>", start)]


def meta(html, attribute, name):
    found = re.findall(rf'<meta {attribute}="{re.escape(name)}" content="([^"]*)"', head_of(html))
    return [unescape(value) for value in found]


# -- The facts -------------------------------------------------------------------------------------------


def test_the_event_page_shows_title_dates_place_rooms_audience_price_and_organiser(client, home):
    event = meetup_publish(price=Decimal("12"), price_details="repas compris")

    html = html_of(client.get(event.url))
    main = text_of(main_of(html))

    assert event.url == "/agenda/rencontre-utilisateurs/"
    assert "<h1" in html and "Rencontre des utilisateurs de Parvis" in main
    assert f"samedi 28{NBSP}mars{NBSP}2026, 9{NBSP}h{NBSP}30" in main
    assert f"17{NBSP}h{NBSP}30" in main
    assert '<time datetime="2026-03-28T09:30:00+01:00">' in html
    assert "Maison des associations" in main and "12 rue de la République" in main
    for name, details in MEETUP_ROOMS:
        assert name in main and details in main
    assert "Bénévoles des conseils et habitants curieux" in main
    assert f"12,00{NBSP}€" in main and "repas compris" in main
    assert pgettext("price", "Free") not in main
    assert _("Organised by") in main and _("City event") in main
    assert "Une journée d’échanges" in main


def test_a_free_event_says_free(client, home):
    event = meetup_publish()

    main = text_of(main_of(html_of(client.get(event.url))))

    assert pgettext("price", "Free") in main
    assert "€" not in main


def test_the_lead_image_has_its_alternative_text(client, home):
    image = CouncilImageFactory()
    event = meetup_publish(lead_image=image, lead_image_alt="Des habitants autour d’une table")

    html = html_of(client.get(event.url))

    figure = re.search(r'<figure class="event__lead-image">(.*?)</figure>', html, re.S).group(1)
    assert 'alt="Des habitants autour d’une table"' in figure


def test_a_council_event_names_its_council_as_organiser(client, council_a):
    event = meetup_publish(parent=council_a)

    html = main_of(html_of(client.get(event.url)))

    assert event.url.startswith(council_a.url)
    assert f'<a href="{council_a.url}">{council_a.title}</a>' in html
    assert _("City event") not in html


def test_an_event_over_several_days_shows_both_days(client, home):
    event = event_publish(start=paris(2026, 3, 28, 9, 30), end=paris(2026, 3, 29, 17))

    main = text_of(main_of(html_of(client.get(event.url))))

    assert f"samedi 28{NBSP}mars{NBSP}2026, 9{NBSP}h{NBSP}30" in main
    # Daylight saving time starts in the night: the second day's offset is +02:00.
    assert f"dimanche 29{NBSP}mars{NBSP}2026, 17{NBSP}h" in main
    assert 'datetime="2026-03-29T17:00:00+02:00"' in html_of(client.get(event.url))


def test_the_calendar_link_downloads_the_ics_of_the_event(client, home):
    event = meetup_publish()

    html = html_of(client.get(event.url))
    link = re.search(r'<a class="[^"]*" href="([^"]+)" download>([^<]+)</a>', html)

    assert link.group(1) == f"{event.url}calendrier/"
    assert link.group(2) == _("Add to my calendar (.ics)")
    ics = client.get(link.group(1))
    assert ics.status_code == 200
    assert ics["Content-Type"].startswith("text/calendar")
    assert b"SUMMARY:Rencontre des utilisateurs de Parvis" in ics.content


def test_an_online_event_links_to_its_meeting_room_only_while_it_invites(client, home):
    event = meetup_publish(format="hybrid", online_url="https://visio.example.org/rencontre")

    assert 'href="https://visio.example.org/rencontre"' in html_of(client.get(event.url))

    with time_machine.travel(paris(2026, 3, 29, 9), tick=False):
        html = html_of(client.get(event.url))
    assert "visio.example.org" not in html
    assert "calendrier/" not in main_of(html)


def test_registration_offers_a_jump_to_the_registration_area(client, home):
    event = meetup_publish(registration_mode=RegistrationMode.PARVIS, capacity=100)

    html = html_of(client.get(event.url))

    assert 'href="#inscription"' in html
    assert 'id="inscription"' in html  # the registration include (events/includes/registration.html)


def test_an_event_without_registration_has_no_registration_link(client, home):
    event = meetup_publish()

    assert 'href="#inscription"' not in html_of(client.get(event.url))


# -- Status ------------------------------------------------------------------------------------------------


def test_a_cancelled_event_says_so_first_with_its_reason_and_stops_inviting(client, home):
    event = meetup_publish(
        status="cancelled",
        cancellation_reason="La salle est fermée pour travaux.",
        registration_mode=RegistrationMode.PARVIS,
        capacity=50,
    )

    html = main_of(html_of(client.get(event.url)))

    alert = re.search(r'<div class="meeting__cancellation[^"]*" role="alert">(.*?)</div>', html, re.S).group(
        1
    )
    assert _("This event is cancelled.") in alert
    assert "La salle est fermée pour travaux." in alert
    assert html.index('role="alert"') < html.index("event__facts")
    assert "calendrier/" not in html
    assert 'href="#inscription"' not in html
    # Facts stay: when and where it was to take place, and its programme.
    assert "Maison des associations" in html and "Table ronde" in html


def test_a_past_event_shows_as_held_keeps_its_facts_and_stops_inviting(client, home):
    event = meetup_publish(access_notes="Entrée par la cour.")

    with time_machine.travel(paris(2026, 3, 30, 9), tick=False):
        html = main_of(html_of(client.get(event.url)))

    assert pgettext("event status", "Held") in html
    assert _("This event has taken place.") in html
    assert "calendrier/" not in html
    assert "Entrée par la cour." not in html  # directions are for people coming
    assert "Rez-de-chaussée, à gauche de l’accueil" not in html
    assert "Auditorium" in html and "Maison des associations" in html


# -- Programme ---------------------------------------------------------------------------------------------


def test_the_programme_lists_sessions_by_start_time_with_room_speakers_and_description(client, home):
    event = meetup_publish()

    html = section(html_of(client.get(event.url)), "programme-title")
    slots = re.findall(r'<li class="programme-slot">(.*?)</ul>\s*</li>', html, re.S)

    assert [
        text_of(re.search(r'class="programme-slot__time">(.*?)</p>', s, re.S).group(1)).strip() for s in slots
    ] == [
        f"9{NBSP}h{NBSP}30",
        f"10{NBSP}h",
        f"11{NBSP}h{NBSP}15",
        f"14{NBSP}h",
    ]
    titles = [re.findall(r'<h3 class="session__title">([^<]+)</h3>', unescape(s)) for s in slots]
    assert titles == [
        ["Accueil et café"],
        ["Ouverture : deux ans de Parvis"],
        ["Atelier : publier un compte rendu", "Retour d’expérience : la Biollay"],
        ["Table ronde"],
    ]
    assert "programme-slot__sessions--parallel" in slots[2]
    opening = text_of(slots[1])
    assert f"10{NBSP}h–\u206011{NBSP}h" in opening
    assert "Auditorium" in opening
    assert "Claire Dumas, Karim Benali" in opening
    assert "Ce qui a changé dans les conseils depuis l’ouverture." in opening


def test_sessions_are_ordered_by_time_whatever_their_order_in_the_editor(client, home):
    event = event_publish(
        sessions=[
            dict(start_time=time(15, 0), end_time=time(16, 0), title="Clôture"),
            dict(start_time=time(9, 45), end_time=time(10, 0), title="Mot d’accueil"),
        ]
    )

    html = section(html_of(client.get(event.url)), "programme-title")

    assert html.index("Mot d’accueil") < html.index("Clôture")


def test_the_programme_by_room_groups_each_room_sessions_in_a_disclosure(client, home):
    event = meetup_publish()

    html = html_of(client.get(event.url))
    by_room = section(html, "programme-rooms-title")
    rooms = re.findall(r'<details class="programme-room">(.*?)</details>', by_room, re.S)

    names = [
        text_of(re.search(r'class="programme-room__name">(.*?)</span>', r, re.S).group(1)).strip()
        for r in rooms
    ]
    assert names == ["Auditorium", "Salle Léman", "Atelier", _("No particular room")]
    auditorium = unescape(rooms[0])
    assert auditorium.index("Ouverture : deux ans de Parvis") < auditorium.index("Table ronde")
    assert "Atelier : publier" not in auditorium
    assert "Rez-de-chaussée, à gauche de l’accueil" in auditorium
    # Each entry links to the session in the programme by time.
    for anchor in re.findall(r'href="#(seance-\d+)"', by_room):
        assert f'id="{anchor}"' in html
    assert 'href="#programme-par-salle"' in html


def test_an_event_in_one_room_has_no_programme_by_room(client, home):
    event = event_publish(
        rooms=[("Grande salle", "")],
        sessions=[
            dict(start_time=time(10, 0), end_time=time(11, 0), title="Accueil", room="Grande salle"),
            dict(start_time=time(11, 0), end_time=time(12, 0), title="Débat", room="Grande salle"),
        ],
    )

    html = html_of(client.get(event.url))

    assert 'id="programme-title"' in html
    assert "programme-par-salle" not in html


def test_an_event_without_sessions_has_no_programme(client, home):
    event = event_publish()

    html = html_of(client.get(event.url))

    assert 'id="programme' not in html


def test_a_programme_over_several_days_is_grouped_by_day(client, home):
    event = event_publish(
        start=paris(2026, 3, 28, 9, 30),
        end=paris(2026, 3, 29, 17),
        rooms=MEETUP_ROOMS,
        sessions=[
            dict(
                day=paris(2026, 3, 29, 0).date(),
                start_time=time(10),
                end_time=time(11),
                title="Dimanche matin",
                room="Atelier",
            ),
            dict(start_time=time(10), end_time=time(11), title="Samedi matin", room="Auditorium"),
        ],
    )

    html = section(html_of(client.get(event.url)), "programme-title")

    days = re.findall(r'<h3 class="programme__day"[^>]*><time datetime="([\d-]+)">([^<]+)</time></h3>', html)
    assert [d for d, _label in days] == ["2026-03-28", "2026-03-29"]
    assert days[0][1] == f"Samedi 28{NBSP}mars{NBSP}2026"
    # Under a day heading (h3), sessions are h4: the headings never skip a level.
    assert re.findall(r'<h4 class="session__title">([^<]+)</h4>', unescape(html)) == [
        "Samedi matin",
        "Dimanche matin",
    ]
    assert 'datetime="2026-03-29T10:00:00+02:00"' in html


def test_the_programme_helpers_read_an_unsaved_page_as_in_a_preview(home):
    event = event_build(rooms=MEETUP_ROOMS, sessions=MEETUP_SESSIONS)

    days = event.programme_days()

    assert len(days) == 1 and days[0][0] == paris(2026, 3, 28, 0).date()
    assert [len(slot["sessions"]) for slot in days[0][1]] == [1, 1, 2, 1]
    assert [room["name"] for room in event.programme_rooms()] == [
        "Auditorium",
        "Salle Léman",
        "Atelier",
        None,
    ]


# -- Sharing: meta description, Open Graph, Twitter card -------------------------------------------------


def test_open_graph_and_twitter_tags_describe_the_event(client, home):
    image = CouncilImageFactory()
    event = meetup_publish(lead_image=image, lead_image_alt="Des habitants autour d’une table")

    html = html_of(client.get(event.url))

    assert meta(html, "property", "og:type") == ["website"]
    assert meta(html, "property", "og:locale") == ["fr_FR"]
    assert meta(html, "property", "og:title") == ["Rencontre des utilisateurs de Parvis"]
    assert meta(html, "property", "og:description") == [event.summary]
    assert meta(html, "name", "description") == [event.summary]
    assert meta(html, "property", "og:url") == ["http://testserver/agenda/rencontre-utilisateurs/"]
    assert '<link rel="canonical" href="http://testserver/agenda/rencontre-utilisateurs/">' in html
    [og_image] = meta(html, "property", "og:image")
    rendition = image.get_rendition("fill-1200x630")
    assert og_image == f"http://testserver{rendition.url}"
    assert meta(html, "property", "og:image:width") == [str(rendition.width)]
    assert meta(html, "property", "og:image:height") == [str(rendition.height)]
    assert rendition.url.startswith("/media/images/")
    assert meta(html, "property", "og:image:alt") == ["Des habitants autour d’une table"]
    assert meta(html, "name", "twitter:card") == ["summary_large_image"]
    assert meta(html, "name", "twitter:image:alt") == ["Des habitants autour d’une table"]


def test_the_search_description_wins_over_the_summary_when_set(client, home):
    event = meetup_publish(search_description="La journée annuelle des conseils.")

    html = html_of(client.get(event.url))

    assert meta(html, "name", "description") == ["La journée annuelle des conseils."]
    assert meta(html, "property", "og:description") == ["La journée annuelle des conseils."]


def test_a_private_lead_image_is_never_shared(client, council_a):
    image = CouncilImageFactory(collection=council_a.access.private_collection)
    event = meetup_publish(parent=council_a, lead_image=image, lead_image_alt="Réunion interne")

    html = html_of(client.get(event.url))

    assert meta(html, "property", "og:image") == []
    assert meta(html, "name", "twitter:card") == ["summary"]
    assert image.title not in html and "private" not in main_of(html) + head_of(html)
    assert "images-privees" not in html


# -- Privacy -----------------------------------------------------------------------------------------------


def test_a_members_only_event_is_not_shown_to_others_and_its_data_never_leaks(client, council_a, member_a):
    from wagtail.models import PageViewRestriction

    event = meetup_publish(parent=council_a, title="Séminaire interne du conseil", slug="seminaire")
    restriction = PageViewRestriction.objects.create(page=event, restriction_type=PageViewRestriction.GROUPS)
    restriction.groups.add(council_a.access.members_group)

    response = client.get(event.url)
    assert response.status_code == 302
    assert "Séminaire interne" not in response.content.decode()
    for url in ("/", council_a.url, "/agenda/"):
        page = client.get(url).content.decode()
        assert "Séminaire interne" not in page
        assert "seminaire" not in page
    calendar = client.get(f"{event.url}calendrier/")
    assert calendar.status_code in (302, 403, 404)
    assert b"Interne" not in calendar.content and b"interne" not in calendar.content

    client.force_login(member_a)
    html = html_of(client.get(event.url))
    assert "Séminaire interne du conseil" in html
    assert "private" in client.get(event.url)["Cache-Control"]


def test_a_draft_event_is_not_listed_anywhere(client, council_a):
    event = event_build(title="Brouillon secret", slug="brouillon-secret")
    council_a.add_child(instance=event)
    event.save_revision()
    EventPage.objects.filter(pk=event.pk).update(live=False)

    assert client.get("/agenda/brouillon-secret/").status_code == 404
    for url in ("/", council_a.url):
        assert "Brouillon secret" not in client.get(url).content.decode()


# -- Query budget ------------------------------------------------------------------------------------------


def event_with_sessions(count, slug):
    rooms = [(f"Salle {n}", f"Étage {n}") for n in range(1, 6)]
    sessions = [
        dict(
            start_time=time(9 + (n // 5) % 8, 0),
            end_time=time(9 + (n // 5) % 8, 45),
            title=f"Séance {n}",
            room=f"Salle {n % 5 + 1}",
            speakers="Anne, Bruno",
            description="Une séance.",
        )
        for n in range(count)
    ]
    return event_publish(
        slug=slug,
        rooms=rooms,
        sessions=sessions,
        lead_image=CouncilImageFactory(),
        lead_image_alt="La salle",
        registration_mode=RegistrationMode.PARVIS,
        capacity=80,
    )


def queries_for(client, url, django_assert_max_num_queries, budget):
    client.get(url)  # renditions are created on the first view
    with django_assert_max_num_queries(budget) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_the_event_page_costs_the_same_queries_with_5_or_50_sessions(
    client, home, django_assert_max_num_queries
):
    small = event_with_sessions(5, "petite")
    large = event_with_sessions(50, "grande")
    assert EventSession.objects.filter(page=large).count() == 50

    few = queries_for(client, small.url, django_assert_max_num_queries, 25)
    many = queries_for(client, large.url, django_assert_max_num_queries, 25)

    assert few == many, (few, many)
    assert "Séance 49" in client.get(large.url).content.decode()
