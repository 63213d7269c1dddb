"""The public side of registration: the block on the event page, the form's answers (always neutral), the
rate limit, and the manage page reached from the emails' signed link."""

import re
from datetime import timedelta

from django.core import mail
from django.test import Client
from django.utils import timezone

import pytest
import time_machine
from icalendar import Calendar

from core.dated import ItemStatus
from events.factories import RegistrationEventFactory
from events.links import registration_token
from events.models import EventIndexPage, EventSeats, Registration, RegistrationMode, RegistrationStatus
from events.registrations import registration_create
from events.views import RATE_PER_EVENT

pytestmark = pytest.mark.django_db

RATE_LIMIT = int(RATE_PER_EVENT.split("/")[0])


@pytest.fixture
def agenda(home):
    return EventIndexPage.objects.get()


@pytest.fixture
def make_event(agenda):
    def make(**fields):
        fields.setdefault("title", "Rencontre des utilisateurs")
        return RegistrationEventFactory(parent=agenda, **fields)

    return make


@pytest.fixture
def event(make_event):
    return make_event(capacity=12)


def form_data(**overrides):
    data = {
        "name": "Alice Martin",
        "email": "alice@example.org",
        "organisation": "",
        "accessibility_needs": "",
        "consent": "on",
        "website": "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def post(client, event, **overrides):
    return client.post(event.url + "inscription/", form_data(**overrides))


def strip_csrf(html):
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


# -- The block on the event page ---------------------------------------------------------------------------


def test_event_page_shows_the_form_with_seats_left_and_closing_date(client, event):
    html = client.get(event.url).content.decode()
    assert 'id="inscription"' in html
    assert "12 places restantes" in html
    assert "Inscriptions ouvertes jusqu’au" in html
    assert f'action="/inscriptions/evenement/{event.pk}/"' in html
    for name in ("name", "email", "organisation", "accessibility_needs", "consent"):
        assert f'name="{name}"' in html
    # The consent box is described by the privacy note, which says how long the data is kept.
    assert 'aria-describedby="inscription-donnees"' in html
    assert "Elles sont effacées 183 jours après l’événement." in html
    # The honeypot is out of reach: hidden from assistive tech and the keyboard.
    trap = re.search(r'<div class="registration-form__trap" aria-hidden="true">(.*?)</div>', html, re.S)
    assert trap and 'name="website"' in trap.group(1)
    assert 'tabindex="-1"' in trap.group(1) and 'autocomplete="off"' in trap.group(1)


def test_one_seat_left_is_singular(client, make_event):
    event = make_event(capacity=2)
    registration_create(event=event, name="A", email="a@example.org", consent=True)
    assert "1 place restante" in client.get(event.url).content.decode()


def test_full_with_waiting_list_offers_the_waiting_list(client, make_event):
    event = make_event(capacity=1)
    registration_create(event=event, name="A", email="a@example.org", consent=True)
    html = client.get(event.url).content.decode()
    assert "Complet — inscription sur liste d’attente" in html
    assert "M’inscrire sur la liste d’attente" in html


def test_full_without_waiting_list_shows_no_form(client, make_event):
    event = make_event(capacity=1, waiting_list=False)
    registration_create(event=event, name="A", email="a@example.org", consent=True)
    html = client.get(event.url).content.decode()
    assert "L’événement est complet et n’a pas de liste d’attente" in html
    assert 'class="registration-form"' not in html


def test_not_yet_open_says_when_it_opens(client, make_event):
    event = make_event(registration_opens_at=timezone.now() + timedelta(days=3))
    html = client.get(event.url).content.decode()
    assert "Les inscriptions ouvriront le" in html
    assert 'class="registration-form"' not in html


def test_closed_says_so(client, make_event):
    event = make_event(registration_closes_at=timezone.now() - timedelta(hours=1))
    html = client.get(event.url).content.decode()
    assert "Les inscriptions sont closes." in html
    assert 'class="registration-form"' not in html


def test_external_registration_is_a_link_to_the_other_site(client, make_event):
    event = make_event(
        registration_mode=RegistrationMode.EXTERNAL, registration_url="https://billetterie.exemple.fr/rdv"
    )
    html = client.get(event.url).content.decode()
    assert '<a class="button" href="https://billetterie.exemple.fr/rdv" rel="noopener">' in html
    assert "S’inscrire sur billetterie.exemple.fr" in html
    assert 'class="registration-form"' not in html


def test_no_registration_shows_no_block(client, make_event):
    event = make_event(registration_mode=RegistrationMode.NONE)
    assert 'id="inscription"' not in client.get(event.url).content.decode()


def test_event_page_query_count_does_not_grow_with_registrations(
    client, make_event, django_assert_max_num_queries
):
    few = make_event(capacity=100)
    many = make_event(capacity=100)
    registration_create(event=few, name="A", email="a@example.org", consent=True)
    for n in range(10):
        registration_create(event=many, name="A", email=f"p{n}@example.org", consent=True)
    client.get(few.url)  # warm Wagtail's site cache and the fragments each page keeps (core.http_cache)
    client.get(many.url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        client.get(few.url)
    with django_assert_max_num_queries(len(one.captured_queries)):
        client.get(many.url)


# -- Posting the form --------------------------------------------------------------------------------------


def test_get_on_the_form_address_goes_back_to_the_form(client, event):
    response = client.get(event.url + "inscription/")
    assert response.status_code == 302
    assert response["Location"] == event.url + "#inscription"


def test_a_registration_leads_to_the_neutral_thanks_page(client, event, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, event, organisation="Association des Jardins", accessibility_needs="Rampe")
    assert response.status_code == 303
    assert response["Location"] == event.url + "inscription/merci/"
    registration = Registration.objects.get(event=event)
    assert registration.status == RegistrationStatus.CONFIRMED
    assert registration.organisation == "Association des Jardins"
    assert registration.accessibility_needs == "Rampe"
    assert len(mail.outbox) == 1
    thanks = client.get(response["Location"])
    assert thanks.status_code == 200
    html = thanks.content.decode()
    assert "Vérifiez votre boîte mail" in html
    assert "alice@example.org" not in html


def test_new_duplicate_and_waiting_answers_are_identical(
    client, make_event, django_capture_on_commit_callbacks
):
    event = make_event(capacity=1)
    answers = []
    with django_capture_on_commit_callbacks(execute=True):
        for email in ("alice@example.org", "ALICE@example.org", "bob@example.org"):
            response = post(client, event, email=email)
            answers.append(
                (response.status_code, response["Location"], strip_csrf(response.content.decode()))
            )
    assert answers[0] == answers[1] == answers[2]
    statuses = dict(Registration.objects.filter(event=event).values_list("email", "status"))
    assert statuses == {"alice@example.org": "confirmed", "bob@example.org": "waiting"}
    assert EventSeats.objects.get(event_id=event.pk).taken == 1
    # The duplicate got an email at its address, not a second seat.
    subjects = [(m.to[0], m.subject) for m in mail.outbox]
    assert ("ALICE@example.org", "Vous êtes déjà inscrit·e : Rencontre des utilisateurs") not in subjects
    assert ("alice@example.org", "Vous êtes déjà inscrit·e : Rencontre des utilisateurs") in subjects
    assert ("bob@example.org", "Liste d’attente : Rencontre des utilisateurs") in subjects


def test_the_honeypot_pretends_success_and_saves_nothing(client, event, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, event, website="http://spam.example")
    assert response.status_code == 303
    assert response["Location"] == event.url + "inscription/merci/"
    assert not Registration.objects.exists()
    assert not mail.outbox


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"email": "pas-une-adresse"},
            "email",
            "Indiquez une adresse e-mail valide, par exemple nom@exemple.fr.",
        ),
        ({"email": ""}, "email", "Indiquez votre adresse e-mail."),
        ({"name": ""}, "name", "Indiquez votre nom."),
        ({"consent": None}, "consent", "Cochez la case pour accepter l’utilisation de vos données."),
        (
            {"name": "A" * 201},
            "name",
            "Votre nom est trop long : 200 caractères au plus (il en compte 201).",
        ),
        (
            {"organisation": "O" * 201},
            "organisation",
            "Le nom de l’organisation est trop long : 200 caractères au plus (il en compte 201).",
        ),
        (
            {"accessibility_needs": "B" * 1001},
            "accessibility_needs",
            "Vos besoins d’accessibilité sont trop longs : 1000 caractères au plus (le texte en compte 1001).",
        ),
    ],
)
def test_bad_input_shows_french_errors_tied_to_fields_and_keeps_the_data(
    client, event, overrides, field, message
):
    data = {"name": "Chloé Dupont", "email": "chloe@example.org", "organisation": "Les Amis du parc"}
    data.update(overrides)
    response = post(client, event, **data)
    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(r"<title>Erreur\W*:", html)
    # The summary at the top links to the field; the field says what is wrong, and is tied to it.
    assert 'id="inscription-erreurs" tabindex="-1" autofocus' in html
    assert f'<li><a href="#id_{field}">{message}</a></li>' in html
    assert f'<p class="registration-form__error" id="id_{field}_error">{message}</p>' in html
    field_tag = re.search(rf'<(input|textarea)[^>]*name="{field}"[^>]*>', html).group(0)
    assert f'aria-describedby="id_{field}_error' in field_tag
    assert 'aria-invalid="true"' in field_tag
    # What was typed is still there.
    if field != "organisation":
        assert 'value="Les Amis du parc"' in html
    if field != "email":
        assert 'value="chloe@example.org"' in html
    assert not Registration.objects.exists()
    assert EventSeats.objects.filter(event_id=event.pk, taken__gt=0).count() == 0


def test_posting_to_a_closed_registration_says_it_is_closed(client, make_event):
    event = make_event(registration_closes_at=timezone.now() - timedelta(minutes=5))
    response = post(client, event)
    assert response.status_code == 200
    assert "Les inscriptions sont closes." in response.content.decode()
    assert not Registration.objects.exists()


def test_posting_to_a_cancelled_event_is_refused(client, make_event):
    event = make_event(status=ItemStatus.CANCELLED, cancellation_reason="Intempéries.")
    response = post(client, event)
    assert "Les inscriptions sont closes : l’événement est annulé." in response.content.decode()
    assert not Registration.objects.exists()


def test_posting_when_full_without_waiting_list_is_refused(client, make_event):
    event = make_event(capacity=1, waiting_list=False)
    registration_create(event=event, name="A", email="a@example.org", consent=True)
    response = post(client, event, email="late@example.org")
    assert response.status_code == 200
    html = response.content.decode()
    assert "L’événement est complet et n’a pas de liste d’attente : les inscriptions sont closes." in html
    assert Registration.objects.filter(event=event).count() == 1


def test_too_many_attempts_from_one_address_get_429_with_the_data_kept(client, event):
    for _ in range(RATE_LIMIT):
        assert post(client, event, consent=None, email="x@example.org").status_code == 200
    response = post(client, event, email="carla@example.org", name="Carla")
    assert response.status_code == 429
    html = response.content.decode()
    assert "Trop de tentatives d’inscription depuis votre connexion." in html
    assert 'value="carla@example.org"' in html
    assert not Registration.objects.exists()
    # Another address is not affected.
    other = client.post(event.url + "inscription/", form_data(), REMOTE_ADDR="192.0.2.77")
    assert other.status_code == 303


# -- The manage page ---------------------------------------------------------------------------------------


@pytest.fixture
def registration(event):
    return registration_create(
        event=event, name="Alice Martin", email="alice@example.org", consent=True
    ).registration


def manage_path(registration):
    return f"/inscriptions/{registration_token(registration)}/"


def test_manage_page_shows_the_registration_privately(client, registration):
    response = client.get(manage_path(registration))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Vous êtes inscrit·e." in html
    assert "Rencontre des utilisateurs" in html
    assert "Ajouter à mon agenda (fichier .ics)" in html
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]
    assert response["Referrer-Policy"] == "no-referrer"


def test_manage_page_gives_the_ics_to_a_confirmed_person(client, registration):
    response = client.get(manage_path(registration) + "?calendrier")
    assert response["Content-Type"].startswith("text/calendar")
    event = Calendar.from_ical(response.content).walk("VEVENT")[0]
    assert event.decoded("dtstart") == registration.event.start
    assert "no-store" in response["Cache-Control"]


def test_manage_page_shows_the_rank_on_the_waiting_list(client, make_event):
    event = make_event(capacity=1)
    registration_create(event=event, name="A", email="a@example.org", consent=True)
    waiting = registration_create(event=event, name="B", email="b@example.org", consent=True).registration
    html = client.get(manage_path(waiting)).content.decode()
    assert "Vous êtes sur la liste d’attente, en position 1." in html
    assert "?calendrier" not in html


def test_manage_page_links_an_offer_to_its_accept_page(client, registration):
    Registration.objects.filter(pk=registration.pk).update(
        status=RegistrationStatus.OFFERED,
        offered_at=timezone.now(),
        offer_expires_at=timezone.now() + timedelta(hours=48),
    )
    registration.refresh_from_db()
    # The signed link carries its time: the page and the test sign it within the same (frozen) second.
    with time_machine.travel(timezone.now(), tick=False):
        html = client.get(manage_path(registration)).content.decode()
        assert f"/inscriptions/{registration_token(registration)}/accepter/" in html


def test_get_never_cancels_even_the_confirmation_step(client, registration):
    response = client.get(manage_path(registration) + "?annuler")
    # Its POST form needs the browser to send its Origin (`no-referrer` would send "null", which the CSRF
    # check refuses); `same-origin` still keeps the token from every other site.
    assert response["Referrer-Policy"] == "same-origin"
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    assert "Annuler votre inscription ?" in html
    assert 'name="action" value="cancel"' in html
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CONFIRMED


def test_cancelling_then_replaying_the_cancel(client, registration, django_capture_on_commit_callbacks):
    path = manage_path(registration)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(path, {"action": "cancel"})
    assert response.status_code == 303
    assert response["Location"] == path + "?etat=cancelled"
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CANCELLED
    assert EventSeats.objects.get(event_id=registration.event_id).taken == 0
    assert [m.subject for m in mail.outbox] == ["Inscription annulée : Rencontre des utilisateurs"]
    html = client.get(response["Location"]).content.decode()
    assert "Votre inscription est annulée." in html
    assert 'value="cancel"' not in html
    # The same POST again changes nothing and says so.
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(path, {"action": "cancel"})
    assert again["Location"] == path + "?etat=already_cancelled"
    assert (
        "Cette inscription était déjà annulée : rien n’a changé."
        in client.get(again["Location"]).content.decode()
    )
    assert len(mail.outbox) == 1
    assert EventSeats.objects.get(event_id=registration.event_id).taken == 0


def test_a_post_without_the_cancel_action_changes_nothing(client, registration):
    client.post(manage_path(registration), {})
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CONFIRMED


def test_manage_page_of_a_past_event_cannot_cancel(client, registration):
    event = registration.event
    type(event).objects.filter(pk=event.pk).update(
        start=timezone.now() - timedelta(days=2), end=timezone.now() - timedelta(days=2, hours=-3)
    )
    html = client.get(manage_path(registration)).content.decode()
    assert "L’événement est passé." in html
    client.post(manage_path(registration), {"action": "cancel"})
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CONFIRMED


def assert_invalid_link(response):
    assert response.status_code == 404
    html = response.content.decode()
    assert "Ce lien n’est pas valide" in html
    assert "invalide ou a expiré" in html
    assert "no-store" in response["Cache-Control"]
    assert response["Referrer-Policy"] == "no-referrer"


def test_a_tampered_link_is_an_explained_404(client, registration):
    token = registration_token(registration)
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert_invalid_link(client.get(f"/inscriptions/{tampered}/"))
    assert_invalid_link(client.post(f"/inscriptions/{tampered}/", {"action": "cancel"}))
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CONFIRMED


def test_an_unknown_or_erased_registration_link_is_a_404(client, registration):
    path = manage_path(registration)
    Registration.objects.filter(pk=registration.pk).update(erased_at=timezone.now(), key="")
    assert_invalid_link(client.get(path))
    assert_invalid_link(client.get("/inscriptions/n-importe-quoi/"))


def test_a_link_with_an_old_key_is_dead(client, registration):
    path = manage_path(registration)
    Registration.objects.filter(pk=registration.pk).update(key="autre-cle")
    assert_invalid_link(client.get(path))


# -- Found by an attacker's review -------------------------------------------------------------------------


def test_an_offer_link_that_is_not_valid_is_the_same_explained_private_404(client, registration):
    token = registration_token(registration)
    for path in (f"/inscriptions/{token[:-2]}xx/accepter/", "/inscriptions/n-importe-quoi/accepter/"):
        response = client.get(path)
        assert response.status_code == 404
        assert "Ce lien n’est pas valide" in response.content.decode()
        assert "no-store" in response["Cache-Control"]
        assert response["Referrer-Policy"] in ("no-referrer", "same-origin")


@pytest.mark.parametrize(
    "name", ["Alice\r\nBcc: v@example.org", "Voir https://arnaque.example", "www.arnaque.example", "Ali\tce"]
)
def test_a_name_carrying_a_line_break_or_a_web_address_is_refused(client, event, name):
    response = post(client, event, name=name)
    assert response.status_code == 200
    assert "Indiquez seulement votre nom, sur une ligne et sans adresse web." in response.content.decode()
    assert not Registration.objects.exists()
    assert not mail.outbox


def test_one_address_is_written_to_at_most_five_times_an_hour_whatever_the_connection(client, make_event):
    events = [make_event(capacity=12, slug=f"rencontre-{n}", title=f"Rencontre {n}") for n in range(6)]
    for n, event in enumerate(events[:5]):
        response = client.post(event.url + "inscription/", form_data(), REMOTE_ADDR=f"10.0.0.{n}")
        assert response.status_code == 303
    response = client.post(events[5].url + "inscription/", form_data(), REMOTE_ADDR="10.0.0.9")
    assert response.status_code == 429
    html = response.content.decode()
    assert 'value="alice@example.org"' in html and "Trop d’inscriptions pour cette adresse e-mail." in html
    assert Registration.objects.filter(email="alice@example.org").count() == 5


def test_a_line_break_in_an_event_title_does_not_break_its_calendar_file(client, make_event):
    from events.ics import event_ics

    event = make_event(capacity=12)
    event.title = "Rencontre\r\nannuelle"
    ics = event_ics(event)
    calendar = Calendar.from_ical(ics)
    assert str(calendar["x-wr-calname"]) == "Rencontre annuelle" or "Rencontre" in str(
        calendar["x-wr-calname"]
    )


# -- The form on a page the shared cache keeps: a token only for people with a session (core.csrf) ---------


def test_the_event_page_with_open_registration_is_shared_by_anonymous_readers(client, event):
    response = client.get(event.url)
    html = response.content.decode()
    assert 'name="email"' in html
    assert "csrfmiddlewaretoken" not in html
    assert "public" in response["Cache-Control"]
    assert f"p{event.pk}" in response["xkey"].split()


def test_anonymous_registration_posts_without_a_token_from_this_site(event):
    client = Client(enforce_csrf_checks=True)
    path = f"/inscriptions/evenement/{event.pk}/"
    response = client.post(path, form_data(), HTTP_ORIGIN="http://testserver")
    assert response.status_code == 303
    assert response["Location"] == event.url + "inscription/merci/"
    assert Registration.objects.filter(event=event).count() == 1


def test_a_post_from_another_site_is_refused(event):
    client = Client(enforce_csrf_checks=True)
    path = f"/inscriptions/evenement/{event.pk}/"
    assert client.post(path, form_data(), HTTP_ORIGIN="https://evil.example").status_code == 403
    referer = {"HTTP_REFERER": "https://evil.example/page"}
    assert client.post(path, form_data(), **referer).status_code == 403
    assert not Registration.objects.filter(event=event).exists()


def test_a_person_with_a_session_needs_the_token(event, member_a):
    client = Client(enforce_csrf_checks=True)
    client.force_login(member_a)
    path = f"/inscriptions/evenement/{event.pk}/"
    assert client.post(path, form_data(), HTTP_ORIGIN="http://testserver").status_code == 403
    html = client.get(event.url).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    response = client.post(
        path, {**form_data(), "csrfmiddlewaretoken": token}, HTTP_ORIGIN="http://testserver"
    )
    assert response.status_code == 303
    assert Registration.objects.filter(event=event).count() == 1


def test_the_post_address_of_an_unpublished_or_members_only_event_is_404(client, event):
    path = f"/inscriptions/evenement/{event.pk}/"
    event.unpublish()
    assert client.post(path, form_data()).status_code == 404
    assert client.post("/inscriptions/evenement/999999/", form_data()).status_code == 404


def test_the_refusal_says_why_in_french(event):
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        f"/inscriptions/evenement/{event.pk}/", form_data(), HTTP_ORIGIN="https://evil.example"
    )
    assert response.status_code == 403
    assert "Formulaire refusé" in response.content.decode()
