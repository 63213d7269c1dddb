"""Composing an issue: what it pulls in, what it never shows, how it renders (HTML and text)."""

from datetime import timedelta
from html.parser import HTMLParser

from django.core import mail

import pytest

from jobs.models import OutboundEmail
from newsletter import composing
from newsletter.composing import (
    PREFERENCES_PLACEHOLDER,
    UNSUBSCRIBE_PLACEHOLDER,
    issue_content_latest,
    issue_freeze,
    issue_personalise,
    issue_private_references,
)
from newsletter.factories import NewsletterIssueFactory, SubscriberFactory
from newsletter.models import IssueStatus, NewsletterIssue

from . import test_composing_world as shared
from .test_composing_world import NOW, PRIVATE_MARK

world = shared.world
issue = shared.issue

pytestmark = pytest.mark.django_db


def titles(sections):
    return {section.title: [item.title for item in section.posts + section.dated] for section in sections}


def every_reference_body(w):
    """A body pointing to each private thing the site has (as raw stream data)."""
    return [
        {"type": "page", "value": {"page": w["members_post"].pk, "text": ""}},
        {"type": "page", "value": {"page": w["group_meeting"].pk, "text": ""}},
        {"type": "page", "value": {"page": w["sandbox_post"].pk, "text": ""}},
        {"type": "page", "value": {"page": w["draft_post"].pk, "text": ""}},
        {"type": "document", "value": {"document": w["private_document"].pk, "label": ""}},
        {"type": "document", "value": {"document": w["sandbox_document"].pk, "label": ""}},
        {
            "type": "image",
            "value": {"image": w["private_image"].pk, "decorative": False, "alt_text": "Une photo"},
        },
        {
            "type": "paragraph",
            "value": (
                f'<p>Lire <a linktype="page" id="{w["members_event"].pk}">la rencontre</a> et '
                f'<a linktype="document" id="{w["private_document"].pk}">le dossier</a>.</p>'
            ),
        },
    ]


class Parsed(HTMLParser):
    """Every start tag with its attributes, and the text."""

    def __init__(self, markup):
        super().__init__(convert_charrefs=True)
        self.tags = []
        self.text = []
        self.feed(markup)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)

    def all(self, tag):
        return [attrs for name, attrs in self.tags if name == tag]


# -- What goes in ---------------------------------------------------------------------------------------


def test_the_latest_content_is_per_list_public_and_within_the_period(world, issue):
    sections = issue_content_latest(issue=issue)
    assert titles(sections) == {
        "City news": ["Nouvelle de la ville", "Rencontre de la ville"],
        "Conseil de quartier Centre": ["Nouvelle du Centre", "Balade du Centre", "Séance du Centre"],
    } or titles(sections) == {
        "Actualités de la ville": ["Nouvelle de la ville", "Rencontre de la ville"],
        "Conseil de quartier Centre": ["Nouvelle du Centre", "Balade du Centre", "Séance du Centre"],
    }


def test_the_period_starts_after_the_previous_issue_sent_to_a_shared_list(world, issue, time_machine):
    time_machine.move_to(NOW + timedelta(hours=2), tick=False)
    previous = NewsletterIssueFactory(lists=[world["a_list"]])
    sent = NOW + timedelta(hours=1)
    NewsletterIssue.objects.filter(pk=previous.pk).update(status=IssueStatus.SENT, sent_at=sent)
    # Another list's issue does not count, nor a draft.
    other = NewsletterIssueFactory(lists=[world["b_list"]])
    NewsletterIssue.objects.filter(pk=other.pk).update(
        status=IssueStatus.SENT, sent_at=sent + timedelta(minutes=30)
    )
    NewsletterIssueFactory(lists=[world["a_list"]])
    assert composing.issue_period_start(issue=issue) == sent
    sections = issue_content_latest(issue=issue)
    posts = [item.title for section in sections for item in section.posts]
    assert posts == []  # every post was published before the previous issue
    issue.period_start = NOW - timedelta(days=60)
    posts = [item.title for section in issue_content_latest(issue=issue) for item in section.posts]
    assert set(posts) == {"Nouvelle de la ville", "Vieille nouvelle", "Nouvelle du Centre"}


def test_a_council_list_alone_takes_only_that_council(world):
    issue = NewsletterIssueFactory(lists=[world["b_list"]])
    assert titles(issue_content_latest(issue=issue)) == {
        "Conseil de quartier Biollay": ["Nouvelle de Biollay"]
    }


def test_nothing_private_is_ever_pulled_in(world):
    issue = NewsletterIssueFactory(
        lists=[world["city_list"], world["a_list"], world["b_list"], composing_list(world["sandbox"])]
    )
    frozen = issue_freeze(issue=issue)
    for part in ("html", "text"):
        assert PRIVATE_MARK not in frozen[part].lower()
    assert "Séance du Centre" in frozen["html"]


def composing_list(council):
    from newsletter.factories import council_list

    return council_list(council)


# -- Privacy of the written part ------------------------------------------------------------------------


def test_every_private_reference_is_named_and_left_out_of_the_rendering(world, issue):
    issue.body = every_reference_body(world)
    issue.intro = f'<p>Voir <a linktype="page" id="{world["members_post"].pk}">cette page</a>.</p>'
    issue.save()
    problems = issue_private_references(issue=issue)
    named = " ".join(problems)
    for key in ("members_post", "group_meeting", "sandbox_post", "draft_post", "members_event"):
        assert world[key].title in named, key
    for key in ("private_document", "sandbox_document", "private_image"):
        assert world[key].title in named, key
    frozen = issue_freeze(issue=issue)
    for part in ("html", "text"):
        assert PRIVATE_MARK not in frozen[part].lower(), part
        assert "/documents/" not in frozen[part]
    # Link texts stay, without their links.
    assert "la rencontre" in frozen["html"]
    assert "cette page" in frozen["html"]


def test_public_references_raise_no_problem(world, issue):
    issue.body = [
        {"type": "page", "value": {"page": world["a_post"].pk, "text": "À lire."}},
        {"type": "document", "value": {"document": world["public_document"].pk, "label": ""}},
        {
            "type": "image",
            "value": {"image": world["public_image"].pk, "decorative": False, "alt_text": "La place"},
        },
        {
            "type": "paragraph",
            "value": f'<p>Voir <a linktype="page" id="{world["city_event"].pk}">la rencontre</a>.</p>',
        },
    ]
    issue.save()
    assert issue_private_references(issue=issue) == []
    frozen = issue_freeze(issue=issue)
    assert "Compte rendu public" in frozen["html"]
    assert 'alt="La place"' in frozen["html"]
    assert world["a_post"].get_full_url() in frozen["text"]
    assert world["city_event"].get_full_url() in frozen["text"]


def test_a_page_made_private_after_saving_is_a_problem_at_send_time(world, issue):
    from .test_composing_world import members_only

    issue.body = [{"type": "page", "value": {"page": world["a_post"].pk, "text": ""}}]
    issue.save()
    assert issue_private_references(issue=issue) == []
    members_only(world["a_post"], world["council_a"])
    problems = issue_private_references(issue=issue)
    assert len(problems) == 1 and "Nouvelle du Centre" in problems[0]
    assert "Nouvelle du Centre" not in issue_freeze(issue=issue)["html"]


# -- Rendering ------------------------------------------------------------------------------------------


def rich_issue(world, issue):
    issue.body = [
        {"type": "heading", "value": {"text": "Le mot du maire", "level": "h2"}},
        {
            "type": "paragraph",
            "value": f'<p>Voir <a linktype="page" id="{world["a_post"].pk}">la nouvelle</a>.</p>',
        },
        {
            "type": "image",
            "value": {"image": world["public_image"].pk, "decorative": False, "alt_text": "La place"},
        },
        {"type": "document", "value": {"document": world["public_document"].pk, "label": "Le compte rendu"}},
        {"type": "page", "value": {"page": world["city_event"].pk, "text": "Venez nombreux."}},
        {"type": "button", "value": {"label": "Donner son avis", "url": "https://example.org/avis"}},
    ]
    issue.save()
    return issue


def test_the_html_part_is_accessible_single_column_markup_with_absolute_links(world, issue):
    frozen = issue_freeze(issue=rich_issue(world, issue))
    parsed = Parsed(frozen["html"])
    assert parsed.all("html")[0]["lang"] == "fr"
    assert [a for a in parsed.all("table") if a.get("role") != "presentation"] == []
    assert len(parsed.all("h1")) == 1
    assert parsed.all("h2") and parsed.all("h3")
    for attrs in parsed.all("img"):
        assert "alt" in attrs
        assert attrs["src"].startswith("http://testserver/")
    hrefs = [attrs["href"] for attrs in parsed.all("a")]
    assert hrefs and all(href.startswith(("http://", "https://", "%%", "mailto:")) for href in hrefs), hrefs
    assert UNSUBSCRIBE_PLACEHOLDER in hrefs and PREFERENCES_PLACEHOLDER in hrefs
    assert "<style" not in frozen["html"]
    for tag in ("p", "a", "h1", "h2", "h3", "td"):
        assert all("style" in attrs for attrs in parsed.all(tag)), tag
    # A preheader, hidden.
    assert 'style="display: none;' in frozen["html"]


def test_the_text_part_holds_every_title_and_full_url(world, issue):
    frozen = issue_freeze(issue=rich_issue(world, issue))
    text = frozen["text"]
    assert "<" not in text.replace("<https", "")
    for key in ("city_post", "a_post", "city_event", "a_event", "a_meeting"):
        assert world[key].title in text, key
        assert world[key].get_full_url() in text, key
    assert "Le mot du maire" in text
    assert "Donner son avis\nhttps://example.org/avis" in text
    assert "http://testserver/documents/" in text
    assert UNSUBSCRIBE_PLACEHOLDER in text and PREFERENCES_PLACEHOLDER in text


def test_personalising_fills_the_subscriber_links_or_the_newsletter_page(world, issue):
    frozen = issue_freeze(issue=issue)
    subscriber = SubscriberFactory(lists=[world["city_list"]])
    subject, text, markup = issue_personalise(frozen, subscriber=subscriber)
    assert subject == "Lettre de novembre"
    for part in (text, markup):
        assert "%%" not in part
        assert "/lettre/desinscription/" in part and "/lettre/preferences/" in part
    subject, text, markup = issue_personalise(frozen, subscriber=None)
    assert "%%" not in text + markup
    assert "http://testserver/lettre/" in text


def test_the_test_send_emails_the_user_through_the_outbox(
    world, issue, city_staff, django_capture_on_commit_callbacks
):
    city_staff.email = "ville@example.org"
    city_staff.save()
    with django_capture_on_commit_callbacks(execute=True):
        assert composing.issue_send_test(issue=issue, user=city_staff)
    email = OutboundEmail.objects.get()
    assert email.to == "ville@example.org"
    assert email.subject == "[Test] Lettre de novembre"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].alternatives[0][1] == "text/html"


def test_the_recipient_count_is_confirmed_subscribers_each_once(world, issue):
    SubscriberFactory(lists=[world["city_list"], world["a_list"]])
    SubscriberFactory(lists=[world["a_list"]])
    SubscriberFactory(lists=[world["b_list"]])
    SubscriberFactory(lists=[world["city_list"]], status="pending")
    SubscriberFactory(lists=[world["city_list"]], status="unsubscribed")
    assert composing.issue_recipient_count(issue=issue) == 2


def test_links_in_the_introduction_are_expanded_and_absolute(world, issue):
    issue.intro = (
        f'<p data-block-key="k1">Voir <a linktype="page" id="{world["a_post"].pk}">la nouvelle</a> '
        f'et <a linktype="document" id="{world["public_document"].pk}">le compte rendu</a>.</p>'
    )
    issue.save()
    frozen = issue_freeze(issue=issue)
    parsed = Parsed(frozen["html"])
    hrefs = [attrs["href"] for attrs in parsed.all("a")]
    assert world["a_post"].get_full_url() in hrefs
    assert f"http://testserver/documents/{world['public_document'].pk}/" in " ".join(hrefs)
    assert all("style" in attrs for attrs in parsed.all("p"))
    assert "linktype" not in frozen["html"]
    assert f"la nouvelle ({world['a_post'].get_full_url()})" in frozen["text"]


def test_composing_costs_the_same_queries_with_ten_times_the_content(world, issue):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from events.tests.event_page_helpers import event_publish
    from events.tests.helpers import meeting_publish

    from .test_composing_world import blog_of, post_publish

    def queries():
        with CaptureQueriesContext(connection) as captured:
            frozen = issue_freeze(issue=issue)
        return len(captured.captured_queries), frozen

    queries()  # warm Wagtail's caches (site root paths)
    few, frozen = queries()
    assert frozen["html"].count("<h4") == 5
    for n in range(9):
        post_publish(blog_of(world["council_a"]), f"Brève {n}", slug=f"breve-{n}")
        post_publish(blog_of(world["home"]), f"Annonce {n}", slug=f"annonce-{n}")
        meeting_publish(world["council_a"], title=f"Séance {n}", start=NOW + timedelta(days=20 + n))
        event_publish(title=f"Atelier {n}", slug=f"atelier-{n}", start=NOW + timedelta(days=5 + n))
    many, frozen = queries()
    assert frozen["html"].count("<h4") > 30
    assert many == few, (few, many)
    assert few <= 20, few


def test_a_busy_list_does_not_crowd_out_another_and_each_keeps_at_most_ten(world, issue, time_machine):
    from .test_composing_world import blog_of, post_publish

    # Twelve city posts, all newer than the council's.
    for n in range(12):
        post_publish(
            blog_of(world["home"]),
            f"Annonce {n}",
            slug=f"annonce-{n}",
            when=NOW + timedelta(minutes=n + 1),
            time_machine=time_machine,
        )
    time_machine.move_to(NOW + timedelta(hours=1), tick=False)
    sections = {section.title: section for section in issue_content_latest(issue=issue)}
    city = next(section for section in sections.values() if section.newsletter_list == world["city_list"])
    council = sections["Conseil de quartier Centre"]
    assert len(city.posts) == composing.MAX_ITEMS
    assert [item.title for item in council.posts] == ["Nouvelle du Centre"]


def test_the_footer_says_why_one_receives_it_and_gives_the_city_s_address(world, issue):
    from wagtail.models import Site

    from home.models import SiteSettings

    site_settings = SiteSettings.for_site(Site.objects.get(is_default_site=True))
    site_settings.site_name = "Parvis-sur-Lac"
    site_settings.postal_address = "Hôtel de ville\n1 place de la Mairie"
    site_settings.contact_email = "lettre@example.org"
    site_settings.save()
    frozen = issue_freeze(issue=issue)
    for part in (frozen["html"], frozen["text"]):
        assert "Parvis-sur-Lac" in part
        assert "1 place de la Mairie" in part
        assert "lettre@example.org" in part
        assert "Conseil de quartier Centre" in part  # the lists one subscribed to
    assert f"http://testserver/lettre/archives/{issue.pk}/" in frozen["text"]
    subject, text, markup = issue_personalise(frozen, subscriber=None)
    assert "%%" not in text
