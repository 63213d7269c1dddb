"""The public side of the newsletter: the opt-in flow through the emails, signed links (expired, tampered,
reused, voided), no enumeration, honeypot and rate limits, one-click unsubscribe, the footer form."""

import re
from datetime import timedelta

from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

import pytest
import time_machine

from councils.models import CouncilPage
from newsletter.factories import SubscriberFactory, city_list, council_list, current_consent
from newsletter.links import subscriber_token
from newsletter.models import Subscriber, SubscriberStatus, Subscription
from newsletter.subscriptions import subscriber_unsubscribe
from newsletter.views import RATE_SHORT

pytestmark = pytest.mark.django_db

RATE_LIMIT = int(RATE_SHORT.split("/")[0])
SUBSCRIBE = "/lettre/inscription/"
DONE = "/lettre/inscription/envoyee/"


@pytest.fixture(autouse=True)
def fresh(home):
    cache.clear()  # the rate limits count in the cache
    current_consent()
    city_list()
    yield
    cache.clear()


def is_private(response):
    directives = {d.strip() for d in response["Cache-Control"].split(",")}
    return {"private", "no-store"} <= directives and response["X-Robots-Tag"] == "noindex"


def form_data(**overrides):
    data = {
        "email": "alice@example.org",
        "lists": [city_list().pk],
        "consent_version": current_consent().version,
        "source": "/agenda/",
        "website": "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def subscribe(client, **overrides):
    return client.post(SUBSCRIBE, form_data(**overrides))


def link_in(message, kind):
    """The signed link of one kind in an email (text part), relative to the site."""
    found = re.search(rf"https?://[^/\s]+(/lettre/{kind}/[^\s]+/)", message.body)
    assert found, message.body
    html = message.alternatives[0][0]
    assert found.group(1) in html
    return found.group(1)


def test_the_whole_opt_in_flow_through_the_emails(client, council_a, django_capture_on_commit_callbacks):
    page = client.get("/lettre/")
    assert page.status_code == 200
    assert f'value="{council_list(council_a).pk}"' in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = subscribe(client, lists=[city_list().pk, council_list(council_a).pk])
    assert (response.status_code, response["Location"]) == (303, DONE)
    assert client.get(DONE).status_code == 200
    subscriber = Subscriber.objects.get(email="alice@example.org")
    assert subscriber.status == SubscriberStatus.PENDING
    assert set(subscriber.lists.all()) == {city_list(), council_list(council_a)}
    assert (subscriber.consent_text, subscriber.consent_source) == (current_consent(), "/agenda/")

    [message] = mail.outbox
    assert message.to == ["alice@example.org"]
    assert message.subject == "Confirmez votre inscription à la lettre d’information"
    confirm = link_in(message, "confirmer")
    page = client.get(confirm)
    assert page.status_code == 200
    assert 'name="csrfmiddlewaretoken"' in page.content.decode()
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.PENDING  # a GET (a mail scanner) confirms nobody

    response = client.post(confirm)
    assert (response.status_code, response["Location"]) == (303, f"{confirm}?etat=confirmed")
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.CONFIRMED and subscriber.confirmed_at
    assert "Merci : votre inscription est confirmée" in client.get(response["Location"]).content.decode()

    again = client.post(confirm)  # the same link, used twice
    assert again["Location"] == f"{confirm}?etat=already"
    assert "déjà confirmée" in client.get(again["Location"]).content.decode()


def test_confirm_needs_the_csrf_token(council_a):
    subscriber = SubscriberFactory(status=SubscriberStatus.PENDING, confirmed_at=None)
    browser = Client(enforce_csrf_checks=True)
    response = browser.post(f"/lettre/confirmer/{subscriber_token(subscriber, 'confirm')}/")
    assert response.status_code == 403
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.PENDING


def test_an_expired_confirm_link_explains_and_offers_to_sign_up_again(client):
    subscriber = SubscriberFactory(status=SubscriberStatus.PENDING, confirmed_at=None)
    url = f"/lettre/confirmer/{subscriber_token(subscriber, 'confirm')}/"
    with time_machine.travel(timezone.now() + timedelta(days=8)):
        for response in (client.get(url), client.post(url)):
            assert response.status_code == 404
            html = response.content.decode()
            assert "Ce lien n’est pas valide" in html
            assert 'href="/lettre/"' in html
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.PENDING


@pytest.mark.parametrize("kind", ["confirmer", "preferences", "desinscription"])
def test_tampered_and_voided_links_find_nothing(client, kind):
    purpose = {"confirmer": "confirm", "preferences": "preferences", "desinscription": "unsubscribe"}[kind]
    subscriber = SubscriberFactory(status=SubscriberStatus.PENDING if kind == "confirmer" else "confirmed")
    token = subscriber_token(subscriber, purpose)
    other = SubscriberFactory()
    forged = token.replace(f"{subscriber.pk}.", f"{other.pk}.", 1)
    wrong_purpose = subscriber_token(subscriber, "confirm" if purpose != "confirm" else "unsubscribe")
    for bad in (token[:-2] + "xx", forged, wrong_purpose, "nimportequoi"):
        for response in (client.get(f"/lettre/{kind}/{bad}/"), client.post(f"/lettre/{kind}/{bad}/")):
            assert response.status_code == 404, bad
            assert is_private(response)
    Subscriber.objects.filter(pk=subscriber.pk).update(key="nouvelle-cle")  # voided (as on erasure)
    assert client.post(f"/lettre/{kind}/{token}/").status_code == 404
    subscriber.refresh_from_db()
    assert subscriber.status == (SubscriberStatus.PENDING if kind == "confirmer" else "confirmed")


def test_a_confirm_link_of_someone_who_left_since_confirms_nothing(client):
    subscriber = SubscriberFactory(status=SubscriberStatus.PENDING, confirmed_at=None)
    url = f"/lettre/confirmer/{subscriber_token(subscriber, 'confirm')}/"
    subscriber_unsubscribe(subscriber=subscriber)
    assert client.post(url).status_code == 404
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.UNSUBSCRIBED


def _answer(response):
    return response.status_code, response.get("Location"), response.content


def test_the_answer_is_the_same_for_every_address_and_for_robots(client, django_capture_on_commit_callbacks):
    SubscriberFactory(email="confirmed@example.org")
    SubscriberFactory(email="pending@example.org", status=SubscriberStatus.PENDING, confirmed_at=None)
    gone = SubscriberFactory(email="gone@example.org")
    subscriber_unsubscribe(subscriber=gone)
    with django_capture_on_commit_callbacks(execute=True):
        answers = {
            email: _answer(subscribe(client, email=email))
            for email in (
                "new@example.org",
                "confirmed@example.org",
                "pending@example.org",
                "gone@example.org",
            )
        }
        answers["robot"] = _answer(subscribe(client, email="robot@example.org", website="http://spam"))
    assert len(set(answers.values())) == 1, answers
    assert answers["robot"][:2] == (303, DONE)
    assert not Subscriber.objects.filter(email="robot@example.org").exists()
    # Each real address got one email (a confirmation, or its preferences link); the robot none.
    assert sorted(m.to[0] for m in mail.outbox) == [
        "confirmed@example.org",
        "gone@example.org",
        "new@example.org",
        "pending@example.org",
    ]
    assert "/lettre/preferences/" in next(m for m in mail.outbox if m.to == ["confirmed@example.org"]).body


def test_a_confirmed_subscriber_s_lists_never_change_from_the_form(client, council_a):
    subscriber = SubscriberFactory(email="bob@example.org", lists=[city_list()])
    subscribe(client, email="bob@example.org", lists=[council_list(council_a).pk])
    assert list(subscriber.lists.all()) == [city_list()]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"email": "pas-une-adresse"}, "Indiquez une adresse e-mail valide"),
        ({"email": ""}, "Indiquez votre adresse e-mail."),
        ({"lists": []}, "Choisissez au moins une liste."),
        ({"lists": ["999999"]}, "n’existe plus"),
        ({"consent_version": "0"}, "a changé depuis"),
        ({"consent_version": None}, "a changé depuis"),
    ],
)
def test_bad_input_is_refused_in_french_and_changes_nothing(client, overrides, message):
    typed = overrides.get("email", "alice@example.org")
    response = subscribe(client, **overrides)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert re.search(r"<title>Erreur\W*:", html)
    if typed:
        assert f'value="{typed}"' in html  # the input is kept
    assert Subscriber.objects.count() == 0
    assert not mail.outbox


def test_too_many_attempts_from_one_connection_get_a_429_with_the_input_kept(client):
    for n in range(RATE_LIMIT):
        assert subscribe(client, email=f"n{n}@example.org").status_code == 303
    response = subscribe(client, email="last@example.org")
    assert response.status_code == 429
    html = response.content.decode()
    assert "Trop de tentatives depuis votre connexion" in html
    assert 'value="last@example.org"' in html
    assert not Subscriber.objects.filter(email="last@example.org").exists()
    other = Client(REMOTE_ADDR="10.0.0.9")
    assert subscribe(other, email="elsewhere@example.org").status_code == 303


def test_one_address_gets_one_confirmation_however_often_it_is_typed(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(4):
            assert subscribe(Client(REMOTE_ADDR=f"10.0.1.{n}"), email="victim@example.org").status_code == 303
    assert len(mail.outbox) == 1


def test_the_source_is_a_local_path_only(client):
    subscribe(client, email="a@example.org", source="https://ailleurs.example/piege?x=1#y")
    client.post(
        SUBSCRIBE, form_data(email="c@example.org", source=""), HTTP_REFERER="http://testserver/conseils/?q=1"
    )
    client.post(SUBSCRIBE, form_data(email="d@example.org", source="//evil.example/x"))
    sources = dict(Subscriber.objects.values_list("email", "consent_source"))
    assert sources == {
        "a@example.org": "/piege",
        "c@example.org": "/conseils/",
        "d@example.org": "/x",  # a path only, whatever the host
    }


def test_one_click_unsubscribe_needs_no_session_nor_csrf_and_is_idempotent(client):
    subscriber = SubscriberFactory()
    url = f"/lettre/desinscription/{subscriber_token(subscriber, 'unsubscribe')}/"
    for _ in range(3):
        assert client.get(url).status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.CONFIRMED  # GET never unsubscribes
    mail_client = Client(enforce_csrf_checks=True)
    for _ in range(2):
        response = mail_client.post(
            url, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
        )
        assert response.status_code == 200
        assert not response.cookies
        assert is_private(response)
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.UNSUBSCRIBED and subscriber.unsubscribed_at
    assert not Subscription.objects.filter(subscriber=subscriber).exists()


def test_the_unsubscribe_page_s_button_and_a_link_from_a_very_old_email(client):
    subscriber = SubscriberFactory()
    url = f"/lettre/desinscription/{subscriber_token(subscriber, 'unsubscribe')}/"
    with time_machine.travel(timezone.now() + timedelta(days=3 * 365)):
        page = client.get(url).content.decode()
        assert 'method="post"' in page and "csrfmiddlewaretoken" not in page
        response = Client(enforce_csrf_checks=True).post(url, {"action": "unsubscribe"})
        assert (response.status_code, response["Location"]) == (303, f"{url}?etat=done")
        assert "Votre désinscription est enregistrée" in client.get(response["Location"]).content.decode()
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.UNSUBSCRIBED


def test_preferences_change_the_lists_or_leave(client, council_a, council_b):
    subscriber = SubscriberFactory(lists=[city_list()])
    url = f"/lettre/preferences/{subscriber_token(subscriber, 'preferences')}/"
    page = client.get(url)
    assert page.status_code == 200 and is_private(page)
    assert '<meta name="robots" content="noindex">' in page.content.decode()
    response = client.post(
        url, {"action": "save", "lists": [council_list(council_a).pk, council_list(council_b).pk]}
    )
    assert response["Location"] == f"{url}?etat=saved"
    assert set(subscriber.lists.all()) == {council_list(council_a), council_list(council_b)}
    refused = client.post(url, {"action": "save"})
    assert refused.status_code == 400
    assert "Choisissez au moins une liste" in refused.content.decode()
    assert subscriber.lists.count() == 2
    response = client.post(url, {"action": "unsubscribe"})
    assert response["Location"] == f"{url}?etat=unsubscribed"
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.UNSUBSCRIBED


def test_an_expired_preferences_link_offers_a_new_one(client):
    subscriber = SubscriberFactory()
    url = f"/lettre/preferences/{subscriber_token(subscriber, 'preferences')}/"
    with time_machine.travel(timezone.now() + timedelta(days=91)):
        response = client.get(url)
    assert response.status_code == 404
    assert 'action="/lettre/preferences/"' in response.content.decode()


def test_asking_for_the_preferences_link_answers_the_same_for_everyone(
    client, django_capture_on_commit_callbacks
):
    SubscriberFactory(email="sub@example.org")
    SubscriberFactory(email="pending@example.org", status=SubscriberStatus.PENDING, confirmed_at=None)
    with django_capture_on_commit_callbacks(execute=True):
        answers = {
            email: _answer(client.post("/lettre/preferences/", {"email": email, "website": ""}))
            for email in ("sub@example.org", "pending@example.org", "nobody@example.org")
        }
    assert len(set(answers.values())) == 1
    assert answers["nobody@example.org"][:2] == (303, "/lettre/preferences/?etat=envoye")
    assert [m.to for m in mail.outbox] == [["sub@example.org"]]
    preferences = link_in(mail.outbox[0], "preferences")
    assert client.get(preferences).status_code == 200
    assert mail.outbox[0].extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    bad = client.post("/lettre/preferences/", {"email": "nope"})
    assert bad.status_code == 400 and "Indiquez une adresse e-mail valide" in bad.content.decode()


def test_the_footer_form_on_a_cached_page_has_no_token_nor_personal_data(client, council_a):
    SubscriberFactory(email="reader@example.org")
    client.get("/lettre/preferences/")  # whatever the reader did before
    home = client.get("/")
    html = home.content.decode()
    form = re.search(r'<form class="newsletter-footer__form".*?</form>', html, re.S).group(0)
    assert 'action="/lettre/inscription/"' in form
    assert "csrfmiddlewaretoken" not in html
    assert "csrftoken" not in home.cookies
    assert f'value="{city_list().pk}" id="newsletter-footer-list-{city_list().pk}" checked' in form
    assert f'name="consent_version" value="{current_consent().version}"' in form
    assert 'aria-hidden="true"' in form and 'tabindex="-1"' in form  # the honeypot
    assert f'value="{council_list(council_a).pk}"' not in form
    council_page = client.get(council_a.url).content.decode()
    form = re.search(r'<form class="newsletter-footer__form".*?</form>', council_page, re.S).group(0)
    # On a council's pages, its list is offered and ticked beside the city's.
    assert (
        f'value="{council_list(council_a).pk}" id="newsletter-footer-list-{council_list(council_a).pk}" checked'
        in form
    )
    assert council_a.title in form
    assert 'name="source" value="/conseils/' in form


def _councils(council_factory, n):
    existing = CouncilPage.objects.count()
    for i in range(existing, n):
        council_factory(title=f"Conseil {i}", slug=f"conseil-{i}")


def test_query_budgets_do_not_grow_with_the_councils(client, council_factory, django_assert_max_num_queries):
    from django.db import connection
    from django.template import Context, Template
    from django.test import RequestFactory
    from django.test.utils import CaptureQueriesContext

    def count(url):
        client.get(url)  # warm caches (site root paths)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    def footer(page):
        """(Queries to build the form, queries once the fragment cache holds it)."""
        from django.core.cache import cache

        template = Template("{% load newsletter_tags %}{% newsletter_footer_signup %}")
        context = {"page": page, "request": RequestFactory().get("/")}
        cache.clear()
        with CaptureQueriesContext(connection) as cold:
            template.render(Context(context))
        with CaptureQueriesContext(connection) as warm:
            html = template.render(Context(context))
        assert "newsletter-footer__form" in html
        return len(cold), len(warm)

    _councils(council_factory, 1)
    council = CouncilPage.objects.first()
    one = {url: count(url) for url in ("/lettre/", council.url)}
    footer_one = (footer(council), footer(None))
    _councils(council_factory, 10)
    ten = {url: count(url) for url in ("/lettre/", council.url)}
    assert one == ten, (one, ten)
    # Built: the consent, (the council), the lists; then from the fragment cache: none.
    assert footer_one == (footer(council), footer(None)) == ((3, 0), (2, 0))
    client.get("/lettre/")  # warm again: `footer` emptied the fragment cache
    with django_assert_max_num_queries(8):
        client.get("/lettre/")


def test_the_footer_of_a_restricted_page_does_not_name_its_council(client, council_a):
    from wagtail.models import PageViewRestriction

    from newsletter.subscriptions import footer_lists

    PageViewRestriction.objects.create(
        page=council_a, restriction_type=PageViewRestriction.PASSWORD, password="x"
    )
    assert footer_lists(council_a) == [city_list()]
    html = client.get(council_a.url).content.decode()  # Wagtail's password form, in the site's layout
    footer = re.search(r'<section class="newsletter-footer".*?</section>', html, re.S).group(0)
    assert council_a.title not in footer


def test_asking_for_the_preferences_link_has_a_honeypot_and_a_rate_limit(
    client, django_capture_on_commit_callbacks
):
    SubscriberFactory(email="sub@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        robot = client.post("/lettre/preferences/", {"email": "sub@example.org", "website": "x"})
    assert (robot.status_code, robot["Location"]) == (303, "/lettre/preferences/?etat=envoye")
    assert not mail.outbox
    for n in range(RATE_LIMIT - 1):
        client.post("/lettre/preferences/", {"email": f"n{n}@example.org"})
    response = client.post("/lettre/preferences/", {"email": "sub@example.org"})
    assert response.status_code == 429
    assert 'value="sub@example.org"' in response.content.decode()
    assert not mail.outbox


def test_a_get_of_the_sign_up_address_goes_to_the_page_and_a_list_can_be_preselected(client, council_a):
    assert client.get(SUBSCRIBE)["Location"] == "/lettre/"
    html = client.get(f"/lettre/?liste={council_list(council_a).pk}").content.decode()
    assert re.search(rf'value="{council_list(council_a).pk}"[^>]*checked', html)
