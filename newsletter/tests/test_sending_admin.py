"""The admin screens of sending: progress, failures with their reason, sending again (one or all); only
for whoever may send an issue."""

from django.urls import reverse

import pytest

from newsletter import sending
from newsletter.factories import NewsletterIssueFactory, SubscriberFactory
from newsletter.models import Delivery, DeliveryStatus, IssueStatus, NewsletterIssue, SubscriberStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent_issue():
    """An issue sent to 6 people: 3 sent, 1 refused by the server, 1 unsubscribed before, 1 waiting."""
    issue = NewsletterIssueFactory(subject="Lettre de novembre")
    NewsletterIssue.objects.filter(pk=issue.pk).update(status=IssueStatus.SENDING)
    issue.refresh_from_db()
    people = [SubscriberFactory(email=f"lecteur{i}@example.org") for i in range(6)]
    people[4].status = SubscriberStatus.UNSUBSCRIBED
    people[4].save()
    rows = [
        ("sent", ""),
        ("sent", ""),
        ("sent", ""),
        ("failed", "550 5.1.1 User unknown"),
        ("failed", sending.UNSUBSCRIBED),
        ("pending", ""),
    ]
    for person, (status, error) in zip(people, rows, strict=True):
        Delivery.objects.create(issue=issue, subscriber=person, status=status, last_error=error, attempts=1)
    return issue


def url(name, *args):
    return reverse(f"newsletter_sending:{name}", args=args)


def test_the_progress_screen_shows_counts_bar_and_failures_with_their_reason(client, city_staff, sent_issue):
    client.force_login(city_staff)
    response = client.get(url("progress", sent_issue.pk))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'max="100" value="83"' in html  # 5 of 6 handled
    assert "3 envoyés, 2 en échec, 1 en attente, sur 6." in html
    assert "lecteur3@example.org" in html and "550 5.1.1 User unknown" in html
    assert "lecteur4@example.org" in html and "Désinscrit avant l’envoi" in html
    assert "lecteur0@example.org" not in html  # only failures are listed
    # Sending again: offered for the refused address, not for the one who left.
    assert html.count('action="/admin/lettre/envoi/envoi/') == 1
    assert url("retry_all", sent_issue.pk) in html
    assert url("status", sent_issue.pk) in html and "sending_progress.js" in html


def test_the_status_tells_the_script_where_the_send_stands(client, city_staff, sent_issue):
    client.force_login(city_staff)
    data = client.get(url("status", sent_issue.pk)).json()
    assert {key: data[key] for key in ("status", "total", "sent", "failed", "pending", "percent")} == {
        "status": "sending",
        "total": 6,
        "sent": 3,
        "failed": 2,
        "pending": 1,
        "percent": 83,
    }


def test_the_progress_screen_costs_the_same_queries_with_ten_times_the_failures(
    client, city_staff, django_assert_max_num_queries
):
    client.force_login(city_staff)
    counts = []
    for size in (3, 30):
        issue = NewsletterIssueFactory()
        for i in range(size):
            person = SubscriberFactory(email=f"n{size}-{i}@example.org")
            Delivery.objects.create(issue=issue, subscriber=person, status="failed", last_error="550 non")
        client.get(url("progress", issue.pk))  # warm the caches
        with django_assert_max_num_queries(40) as captured:
            assert client.get(url("progress", issue.pk)).status_code == 200
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1]


def test_one_failed_email_is_sent_again(client, city_staff, sent_issue, django_capture_on_commit_callbacks):
    client.force_login(city_staff)
    refused = Delivery.objects.get(subscriber__email="lecteur3@example.org")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(url("retry", refused.pk))
    assert response.status_code == 302 and response["Location"] == url("progress", sent_issue.pk)
    refused.refresh_from_db()
    assert (refused.status, refused.last_error, refused.attempts) == (DeliveryStatus.PENDING, "", 0)
    assert len(callbacks) == 1  # the send is enqueued


def test_sending_again_the_email_of_someone_who_left_is_refused(client, city_staff, sent_issue):
    client.force_login(city_staff)
    left = Delivery.objects.get(subscriber__email="lecteur4@example.org")
    response = client.post(url("retry", left.pk), follow=True)
    assert "ne peut pas être renvoyé" in response.content.decode()
    left.refresh_from_db()
    assert left.status == DeliveryStatus.FAILED


def test_all_failed_emails_are_sent_again_but_those_of_people_who_left(client, city_staff, sent_issue):
    client.force_login(city_staff)
    response = client.post(url("retry_all", sent_issue.pk))
    assert response.status_code == 302
    statuses = dict(Delivery.objects.values_list("subscriber__email", "status"))
    assert statuses["lecteur3@example.org"] == DeliveryStatus.PENDING
    assert statuses["lecteur4@example.org"] == DeliveryStatus.FAILED


def test_retrying_takes_a_post(client, city_staff, sent_issue):
    client.force_login(city_staff)
    refused = Delivery.objects.get(subscriber__email="lecteur3@example.org")
    assert client.get(url("retry", refused.pk)).status_code == 405
    assert client.get(url("retry_all", sent_issue.pk)).status_code == 405
    refused.refresh_from_db()
    assert refused.status == DeliveryStatus.FAILED


def test_an_unknown_issue_or_delivery_is_not_found(client, city_staff):
    client.force_login(city_staff)
    assert client.get(url("progress", 999_999)).status_code == 404
    assert client.post(url("retry", 999_999)).status_code == 404


@pytest.mark.parametrize("who", ["editor_a", "member_a"])
def test_council_editors_and_members_are_refused_everything(client, request, who, sent_issue):
    client.force_login(request.getfixturevalue(who))
    refused = Delivery.objects.get(subscriber__email="lecteur3@example.org")
    for method, address in [
        ("get", url("progress", sent_issue.pk)),
        ("get", url("progress", 999_999)),
        ("get", url("status", sent_issue.pk)),
        ("post", url("retry", refused.pk)),
        ("post", url("retry", 999_999)),
        ("post", url("retry_all", sent_issue.pk)),
    ]:
        response = getattr(client, method)(address)
        assert response.status_code in (302, 403), address
        assert b"lecteur3@example.org" not in response.content
        if who == "editor_a":
            assert response.status_code == 403, address
    refused.refresh_from_db()
    assert refused.status == DeliveryStatus.FAILED
