"""Subscribers in the admin: the city team lists, searches, filters and exports them, sees the proof of each
one's consent, exports and erases a subscriber's data; council editors and members never see an address."""

import csv
import io
import json

from django.contrib.auth.models import Group, Permission
from django.contrib.messages import SUCCESS, get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse

from wagtail.models import ModelLogEntry

import pytest

from councils.factories import UserFactory
from newsletter.admin_subscribers import ACTION_ERASE, ACTION_EXPORT, consent_text_viewset, subscriber_viewset
from newsletter.factories import NewsletterIssueFactory, SubscriberFactory, city_list, council_list
from newsletter.models import ConsentText, Delivery, Subscriber, SubscriberStatus

pytestmark = pytest.mark.django_db

INDEX = "newsletter_subscribers:index"


def url(name, *args):
    return reverse(f"newsletter_subscribers:{name}", args=args)


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_superuser=True)


@pytest.fixture
def lists(council_a, council_b):
    return city_list(), council_list(council_a), council_list(council_b)


@pytest.fixture
def people(lists):
    city, a, b = lists
    return {
        "ada": SubscriberFactory(email="ada@example.org", lists=[city, a]),
        "bob": SubscriberFactory(email="bob@example.org", lists=[b], status=SubscriberStatus.PENDING),
        "cleo": SubscriberFactory(email="cleo@example.org", lists=[city], status=SubscriberStatus.BOUNCED),
    }


def refused(response, user=None):
    """Wagtail answers a refused admin action with a redirect to the dashboard (and an error message), a
    person without admin access with the sign-in page; either way, nothing of the subscriber."""
    if response.status_code == 403:
        return True
    return response.status_code == 302 and response["Location"].split("?")[0] in (
        reverse("wagtailadmin_home"),
        reverse("wagtailadmin_login"),
    )


def _emails(response):
    html = response.content.decode()
    return {email for email in ("ada@example.org", "bob@example.org", "cleo@example.org") if email in html}


# --- the listing --------------------------------------------------------------------------------------------


def test_city_team_lists_every_subscriber_with_status_lists_dates_and_consent_version(
    client, city_staff, people
):
    client.force_login(city_staff)
    response = client.get(reverse(INDEX))
    assert response.status_code == 200
    html = response.content.decode()
    assert _emails(response) == {"ada@example.org", "bob@example.org", "cleo@example.org"}
    assert f"v{people['ada'].consent_text.version}" in html
    assert url("inspect", people["ada"].pk) in html  # a row leads to the subscriber's page
    assert url("add") not in html and url("edit", people["ada"].pk) not in html


def test_search_by_email(client, city_staff, people):
    client.force_login(city_staff)
    assert _emails(client.get(reverse(INDEX), {"q": "bob@"})) == {"bob@example.org"}
    assert _emails(client.get(url("index_results"), {"q": "CLEO"})) == {"cleo@example.org"}


def test_filters_by_list_and_by_status(client, city_staff, people, lists):
    city, a, b = lists
    client.force_login(city_staff)
    assert _emails(client.get(url("index_results"), {"lists": [a.pk]})) == {"ada@example.org"}
    assert _emails(client.get(url("index_results"), {"lists": [city.pk]})) == {
        "ada@example.org",
        "cleo@example.org",
    }
    assert _emails(client.get(url("index_results"), {"status": ["pending", "bounced"]})) == {
        "bob@example.org",
        "cleo@example.org",
    }
    both = client.get(url("index_results"), {"lists": [city.pk], "status": ["confirmed"]})
    assert _emails(both) == {"ada@example.org"}
    # A subscriber of two chosen lists is listed once.
    twice = client.get(url("index_results"), {"lists": [city.pk, a.pk]})
    assert [s.email for s in twice.context["object_list"]] == ["cleo@example.org", "ada@example.org"]


def test_counts_per_list_and_status_sit_above_the_listing(client, city_staff, people, lists, council_a):
    client.force_login(city_staff)
    response = client.get(reverse(INDEX))
    rows = {row["list"].pk: row["counts"] for row in response.context["subscriber_counts"]}
    order = list(SubscriberStatus.values)
    city, a, b = lists
    assert rows[city.pk][order.index("confirmed")] == 1 and rows[city.pk][order.index("bounced")] == 1
    assert rows[a.pk][order.index("confirmed")] == 1 and sum(rows[a.pk]) == 1
    assert rows[b.pk][order.index("pending")] == 1 and sum(rows[b.pk]) == 1
    html = response.content.decode()
    assert "data-parvis-subscriber-counts" in html and council_a.title in html


def test_the_counts_per_list_and_status_take_one_query(people, django_assert_num_queries):
    from newsletter.admin_subscribers import subscriber_counts

    with django_assert_num_queries(1):
        rows = subscriber_counts()
    assert sum(sum(row["counts"]) for row in rows) == 4  # ada twice (two lists), bob, cleo


def _listing_queries(client):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse(INDEX)).status_code == 200
    return len(queries)


def test_the_listing_runs_as_many_queries_for_ten_times_the_subscribers(
    client, city_staff, lists, django_assert_max_num_queries
):
    city, a, b = lists
    client.force_login(city_staff)
    for n in range(3):
        SubscriberFactory(lists=[city, a] if n % 2 else [b])
    client.get(reverse(INDEX))  # warm the caches (content types, site)
    few = _listing_queries(client)
    for n in range(27):
        SubscriberFactory(lists=[city, a] if n % 2 else [b])
    many = _listing_queries(client)
    assert many == few
    with django_assert_max_num_queries(few):
        client.get(reverse(INDEX))
    print(f"listing: {few} queries for 3 subscribers, {many} for 30")


# --- the CSV ------------------------------------------------------------------------------------------------


def _csv(response):
    assert response.streaming
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:]), delimiter=";"))


def test_csv_export_for_french_excel_follows_the_filters(client, city_staff, people, lists):
    city, a, b = lists
    client.force_login(city_staff)
    response = client.get(reverse(INDEX), {"export": "csv", "lists": [city.pk]})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    rows = _csv(response)
    assert len(rows[0]) == 8
    by_email = {row[0]: row for row in rows[1:]}
    assert set(by_email) == {"ada@example.org", "cleo@example.org"}
    ada = by_email["ada@example.org"]
    assert str(city) in ada[2] and str(a) in ada[2]
    assert ada[5] == str(people["ada"].consent_text.version)
    assert ada[7] == "/"


def test_csv_cells_are_never_formulas(client, city_staff, council_factory):
    hostile = council_factory(title='=HYPERLINK("http://evil","x")')
    SubscriberFactory(
        email="dan@example.org", lists=[council_list(hostile)], consent_source="+cmd|' /C calc'!A0"
    )
    client.force_login(city_staff)
    rows = _csv(client.get(reverse(INDEX), {"export": "csv"}))
    dan = next(row for row in rows if row[0] == "dan@example.org")
    assert dan[2].startswith("'=HYPERLINK") and dan[7].startswith("'+cmd")


def test_the_csv_export_streams_in_bounded_queries(client, city_staff, lists, django_assert_max_num_queries):
    city, a, b = lists
    for n in range(40):
        SubscriberFactory(lists=[city, a] if n % 2 else [b])
    client.force_login(city_staff)
    client.get(reverse(INDEX))
    with django_assert_max_num_queries(12), CaptureQueriesContext(connection) as queries:
        response = client.get(reverse(INDEX), {"export": "csv"})
        assert len(_csv(response)) == 41
    print(f"CSV export: {len(queries)} queries for 40 subscribers")


def test_no_xlsx_export(client, city_staff, people):
    client.force_login(city_staff)
    html = client.get(reverse(INDEX)).content.decode()
    assert "export=csv" in html and "export=xlsx" not in html
    response = client.get(reverse(INDEX), {"export": "xlsx"})
    assert "spreadsheetml" not in response.get("Content-Type", "")


# --- one subscriber: consent proof, export, erase ----------------------------------------------------------


def test_the_subscriber_page_shows_the_proof_of_consent(client, city_staff, lists):
    city, a, b = lists
    consent = ConsentText.objects.create(version=41, text="J’accepte de recevoir la lettre du conseil.")
    subscriber = SubscriberFactory(
        email="eve@example.org", consent_text=consent, consent_source="/conseils/centre/", lists=[a]
    )
    issue = NewsletterIssueFactory(lists=[a])
    Delivery.objects.create(issue=issue, subscriber=subscriber)
    client.force_login(city_staff)
    response = client.get(url("inspect", subscriber.pk))
    assert response.status_code == 200
    html = response.content.decode()
    assert "eve@example.org" in html
    assert "41" in html and "J’accepte de recevoir la lettre du conseil." in html
    assert 'href="/conseils/centre/"' in html
    assert str(a) in html
    assert response.context["subscriber"].delivery_count == 1
    assert url("export", subscriber.pk) in html and url("delete", subscriber.pk) in html


def test_only_a_local_path_becomes_a_link_on_the_subscriber_page(client, city_staff):
    hostile = SubscriberFactory(email="eve@example.org", consent_source="javascript:alert(1)")
    client.force_login(city_staff)
    html = client.get(url("inspect", hostile.pk)).content.decode()
    assert "javascript:alert(1)" in html and 'href="javascript:' not in html


def test_export_downloads_the_data_with_the_consent_proof_and_logs_it_without_the_address(
    client, city_staff, people
):
    ada = people["ada"]
    client.force_login(city_staff)
    response = client.get(url("export", ada.pk))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["email"] == "ada@example.org"
    assert data["consent"]["version"] == ada.consent_text.version
    assert data["consent"]["text"] == ada.consent_text.text
    assert data["consent"]["source"] == "/"
    assert data["consent"]["accepted_at"]
    entry = ModelLogEntry.objects.get(action=ACTION_EXPORT)
    assert entry.user == city_staff and entry.object_id == str(ada.pk)
    assert "ada@" not in entry.label and "ada@" not in json.dumps(entry.data)


@pytest.mark.parametrize("who", ["city_staff", "superuser"])
def test_city_team_and_superusers_erase_a_subscriber_after_confirming(client, request, people, who):
    user = request.getfixturevalue(who)
    ada = people["ada"]
    client.force_login(user)
    confirm = client.get(url("delete", ada.pk))
    assert confirm.status_code == 200
    html = confirm.content.decode()
    assert "ada@example.org" in html and 'method="post"' in html
    assert Subscriber.objects.filter(pk=ada.pk).exists()  # a GET erases nothing
    response = client.post(url("delete", ada.pk))
    assert response.status_code == 302 and response["Location"] == reverse(INDEX)
    assert not Subscriber.objects.filter(email="ada@example.org").exists()
    assert [m.level for m in get_messages(response.wsgi_request)] == [SUCCESS]
    entry = ModelLogEntry.objects.get(action=ACTION_ERASE)
    assert entry.user == user and entry.object_id == str(ada.pk)
    assert "ada@" not in entry.label
    # The history keeps no address anywhere.
    assert not ModelLogEntry.objects.filter(label__icontains="ada@").exists()


def test_the_erase_message_is_french(client, city_staff, people):
    """Waits for the catalogue merge (po_subadmin.txt)."""
    client.force_login(city_staff)
    response = client.post(url("delete", people["ada"].pk), follow=True)
    assert "Les données de l’abonné·e ont été effacées." in response.content.decode()


def test_seeing_without_the_erase_permission_offers_no_erasure(client, people):
    viewer = UserFactory(username="lectrice")
    group = Group.objects.create(name="Lecture des abonnés")
    group.permissions.add(Permission.objects.get(codename="view_subscriber"))
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    viewer.groups.add(group)
    client.force_login(viewer)
    ada = people["ada"]
    page = client.get(url("inspect", ada.pk))
    assert page.status_code == 200 and url("delete", ada.pk) not in page.content.decode()
    assert refused(client.get(url("delete", ada.pk)))
    assert refused(client.post(url("delete", ada.pk)))
    assert Subscriber.objects.filter(pk=ada.pk).exists()


@pytest.mark.parametrize("who", ["city_staff", "superuser"])
def test_nobody_adds_or_changes_a_subscriber_by_hand(client, request, people, who):
    client.force_login(request.getfixturevalue(who))
    ada = people["ada"]
    assert refused(client.get(url("add")))
    assert refused(client.post(url("add"), {"email": "mallory@example.org"}))
    assert refused(client.get(url("edit", ada.pk)))
    assert refused(client.post(url("edit", ada.pk), {"email": "mallory@example.org"}))
    ada.refresh_from_db()
    assert (
        ada.email == "ada@example.org" and not Subscriber.objects.filter(email="mallory@example.org").exists()
    )


# --- nobody else -------------------------------------------------------------------------------------------


def _every_url(viewset, pk):
    """Every URL of the viewset, for the object `pk` when the pattern takes one."""
    from django.urls import get_resolver

    namespace = viewset.name
    names = {p.name for p in get_resolver().namespace_dict[namespace][1].url_patterns if p.name}
    urls = []
    for name in sorted(names):
        try:
            urls.append(reverse(f"{namespace}:{name}"))
        except NoReverseMatch:
            urls.append(reverse(f"{namespace}:{name}", args=[pk]))
    return urls


def test_council_editors_and_members_are_refused_every_subscriber_and_consent_url(
    client, editor_a, member_a, people
):
    ada = people["ada"]
    consent = ada.consent_text
    urls = _every_url(subscriber_viewset, ada.pk) + _every_url(consent_text_viewset, consent.pk)
    assert len(urls) >= 12
    for user in (editor_a, member_a):
        client.force_login(user)
        for target in urls:
            for method in (client.get, client.post):
                response = method(target)
                assert refused(response), (user, method, target, response.status_code)
                assert "ada@example.org" not in response.content.decode()
        menu = client.get(reverse("wagtailadmin_home")).content.decode() if user is editor_a else ""
        assert reverse(INDEX) not in menu
    assert (
        Subscriber.objects.filter(pk=ada.pk).exists() and ConsentText.objects.filter(pk=consent.pk).exists()
    )
    assert not ModelLogEntry.objects.filter(action__in=[ACTION_ERASE, ACTION_EXPORT]).exists()


def test_the_newsletter_menu_shows_subscribers_to_the_city_team(client, city_staff):
    client.force_login(city_staff)
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    assert reverse(INDEX).replace("/", "\\/") in html or reverse(INDEX) in html
