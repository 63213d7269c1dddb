"""Composing a newsletter issue in the admin, in Chromium, on a phone and on a desktop: the list, the form,
the preview (HTML email and plain text), the sending confirmation, the email itself at 375 and 600 px and
the web archive — no axe violation of any impact in the screens' content, no sideways scrolling."""

from datetime import timedelta

from django.utils import timezone

import pytest

from blog.factories import BlogPageFactory
from blog.models import BlogIndexPage
from councils.factories import CouncilPageFactory, UserFactory
from councils.models import CouncilIndexPage
from councils.services import communications_team_group
from events.tests.event_page_helpers import event_publish
from events.tests.helpers import meeting_publish
from images.factories import CouncilImageFactory
from newsletter import composing
from newsletter.factories import NewsletterIssueFactory, SubscriberFactory, city_list, council_list
from newsletter.models import IssueStatus, NewsletterIssue
from tests.browser.conftest import admin_sign_in, assert_no_axe_violation, fits_the_width, screenshot_whole

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}
EMAIL_WIDE = {"width": 600, "height": 900}


@pytest.fixture
def issues(live_home, live_server, settings):
    """A draft issue with every kind of block, the city's and a council's latest content, subscribers,
    and an issue already sent."""
    # The email's absolute links and images point to the live server.
    settings.WAGTAILADMIN_BASE_URL = live_server.url
    now = timezone.now()
    index = CouncilIndexPage.objects.get()
    centre = CouncilPageFactory(parent=index, title="Centre-Ville", slug="centre")
    centre.save_revision().publish()
    city_blog = BlogIndexPage.objects.child_of(live_home).get(slug="actualites")
    posts = []
    for parent, title, intro in [
        (city_blog, "Budget participatif : les projets retenus", "Douze projets seront réalisés en 2027."),
        (
            BlogIndexPage.objects.child_of(centre).get(),
            "Place de la Fontaine : le chantier avance",
            "Les travaux de la place entrent dans leur dernière phase.",
        ),
    ]:
        post = BlogPageFactory(
            parent=parent, title=title, slug=title.lower()[:20].replace(" ", "-"), intro=intro
        )
        post.save_revision().publish()
        posts.append(post)
    event_publish(
        title="Rencontre annuelle des conseils", slug="rencontre-annuelle", start=now + timedelta(days=10)
    )
    meeting_publish(centre, title="Séance plénière de décembre", start=now + timedelta(days=14))
    image = CouncilImageFactory(title="La place de la Fontaine")
    city, centre_list = city_list(), council_list(centre)
    issue = NewsletterIssueFactory(
        subject="Lettre de décembre",
        intro="<p>Bonjour à toutes et à tous, voici les nouvelles du mois.</p>",
        lists=[city, centre_list],
    )
    issue.body = [
        {"type": "heading", "value": {"text": "Le mot de l’adjointe", "level": "h2"}},
        {
            "type": "paragraph",
            "value": f'<p>Merci pour vos idées. <a linktype="page" id="{posts[0].pk}">Découvrez les projets '
            "retenus</a>.</p><ul><li>Douze projets</li><li>Deux millions d’euros</li></ul>",
        },
        {
            "type": "image",
            "value": {"image": image.pk, "decorative": False, "alt_text": "La place en travaux"},
        },
        {
            "type": "page",
            "value": {"page": posts[1].pk, "text": "Où en est le chantier, semaine après semaine."},
        },
        {"type": "button", "value": {"label": "Donner mon avis", "url": "https://example.org/avis"}},
    ]
    issue.save()
    for n in range(3):
        SubscriberFactory(email=f"lecteur{n}@example.org", lists=[city, centre_list] if n else [city])
    sent = NewsletterIssueFactory(subject="Lettre de novembre", lists=[city])
    NewsletterIssue.objects.filter(pk=sent.pk).update(
        status=IssueStatus.SENT, send_requested_at=now - timedelta(days=20), sent_at=now - timedelta(days=20)
    )
    user = UserFactory(username="ville", first_name="Camille", last_name="Martin", email="ville@example.org")
    user.groups.add(communications_team_group())
    return {"draft": issue, "sent": NewsletterIssue.objects.get(pk=sent.pk)}


def _sign_in(page, live_server):
    admin_sign_in(page, live_server, "ville")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_issue_screens_have_no_accessibility_violation(page, live_server, issues, viewport):
    draft, sent = issues["draft"], issues["sent"]
    label = "desktop" if viewport is DESKTOP else "phone"
    page.set_viewport_size(viewport)
    _sign_in(page, live_server)
    screens = [
        ("/admin/lettre/numeros/", "issues"),
        (f"/admin/lettre/numeros/edit/{draft.pk}/", "issue-edit"),
        (f"/admin/lettre/numeros/test/{draft.pk}/", "issue-test"),
        (f"/admin/lettre/numeros/envoyer/{draft.pk}/", "issue-send"),
        (f"/admin/lettre/numeros/inspect/{sent.pk}/", "issue-sent"),
    ]
    for path, name in screens:
        page.goto(f"{live_server.url}{path}")
        screenshot_whole(page, f"newsletter-{name}-{label}")
        assert fits_the_width(page), path
        # Draftail's editable area is Wagtail's own markup (its label sits on the field, outside it).
        assert_no_axe_violation(
            page, context={"include": [["main"]], "exclude": [[".DraftEditor-root"]]}, where=path
        )
    # The sending confirmation says how many will receive it.
    page.goto(f"{live_server.url}/admin/lettre/numeros/envoyer/{draft.pk}/")
    assert page.get_by_role("button", name="3").count() + page.locator("button[type=submit]").count() >= 1
    assert "3" in page.locator("main").inner_text()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_preview_shows_the_email_and_its_plain_text(page, live_server, issues, viewport):
    draft = issues["draft"]
    label = "desktop" if viewport is DESKTOP else "phone"
    page.set_viewport_size(viewport)
    _sign_in(page, live_server)
    page.goto(f"{live_server.url}/admin/lettre/numeros/edit/{draft.pk}/")
    # The preview view renders what the form holds: post the form to it as Wagtail's panel does.
    status = page.evaluate(
        """async (url) => {
            const form = document.querySelector('form[data-edit-form]') || document.querySelector('main form');
            const response = await fetch(url, {method: 'POST', body: new FormData(form)});
            return (await response.json()).is_valid;
        }""",
        f"/admin/lettre/numeros/preview/{draft.pk}/",
    )
    assert status is True
    page.goto(f"{live_server.url}/admin/lettre/numeros/preview/{draft.pk}/")
    assert page.locator("h1").inner_text() == "Lettre de décembre"
    screenshot_whole(page, f"newsletter-issue-preview-{label}")
    assert fits_the_width(page)
    assert_no_axe_violation(page, where="preview (HTML email)")
    page.goto(f"{live_server.url}/admin/lettre/numeros/preview/{draft.pk}/?mode=text")
    assert "Lettre de décembre" in page.locator("pre").inner_text()
    screenshot_whole(page, f"newsletter-issue-preview-text-{label}")
    assert_no_axe_violation(page, where="preview (plain text)")


@pytest.mark.parametrize("viewport", [PHONE, EMAIL_WIDE], ids=["375", "600"])
def test_the_email_reads_well_at_phone_and_mail_client_widths(page, live_server, issues, viewport):
    frozen = composing.issue_freeze(issue=issues["draft"])
    subscriber = issues["draft"].lists.first().subscribers.first()
    _subject, _text, markup = composing.issue_personalise(frozen, subscriber=subscriber)
    page.set_viewport_size(viewport)
    page.set_content(markup, wait_until="load")
    screenshot_whole(page, f"newsletter-email-{viewport['width']}")
    assert fits_the_width(page)
    # Every image loaded from its absolute address, and has its alternative text.
    assert page.evaluate("Array.from(document.images).every(i => i.complete && i.naturalWidth > 0)")
    assert page.evaluate("Array.from(document.images).every(i => i.hasAttribute('alt'))")
    assert_no_axe_violation(page, where=f"the email at {viewport['width']} px")
    # Dark mode: the colours are set explicitly, so a client that does not invert them keeps the contrast.
    page.emulate_media(color_scheme="dark")
    assert_no_axe_violation(page, where=f"the email in dark mode at {viewport['width']} px")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_web_archive_has_no_accessibility_violation(page, live_server, issues, viewport):
    draft = issues["draft"]
    NewsletterIssue.objects.filter(pk=draft.pk).update(
        status=IssueStatus.SENT, send_requested_at=timezone.now(), sent_at=timezone.now()
    )
    label = "desktop" if viewport is DESKTOP else "phone"
    page.set_viewport_size(viewport)
    page.goto(f"{live_server.url}/lettre/archives/{draft.pk}/")
    assert page.locator("h1").inner_text() == "Lettre de décembre"
    screenshot_whole(page, f"newsletter-archive-{label}")
    assert fits_the_width(page)
    assert_no_axe_violation(page, where="the web archive")
