"""What the composing tests share: a city and two councils with public and private content of every type
the site has, their titles all known, at a fixed date. No test here (imported by test_composing*.py and
test_admin_issues*.py)."""

from datetime import timedelta

from django.core.files.base import ContentFile

from wagtail.models import PageViewRestriction

import pytest

from blog.factories import BlogPageFactory
from blog.models import BlogIndexPage
from documents.services import document_create
from events.tests.event_page_helpers import event_publish
from events.tests.helpers import meeting_make_private, meeting_publish, paris
from images.factories import CouncilImageFactory
from newsletter.factories import NewsletterIssueFactory, city_list, council_list

NOW = paris(2026, 11, 24, 10)

#: Titles (and file names) of what must never reach an issue: every one carries "Cormoran".
PRIVATE_MARK = "cormoran"


def members_only(page, council):
    restriction = PageViewRestriction.objects.create(page=page, restriction_type=PageViewRestriction.GROUPS)
    restriction.groups.add(council.access.members_group)
    return restriction


def post_publish(parent, title, *, when=None, time_machine=None, **fields):
    """A news post published (through a revision) at `when` (default: now)."""
    slug = fields.pop("slug", None) or title.lower().replace(" ", "-").replace("’", "")[:50]
    if when is not None and time_machine is not None:
        time_machine.move_to(when, tick=False)
    post = BlogPageFactory(parent=parent, title=title, slug=slug, **fields)
    post.save_revision().publish()
    if when is not None and time_machine is not None:
        time_machine.move_to(NOW, tick=False)
    return type(post).objects.get(pk=post.pk)


def blog_of(parent):
    return BlogIndexPage.objects.child_of(parent).get()


@pytest.fixture
def world(home, council_a, council_b, council_factory, time_machine):
    """Public and private content of every kind, at NOW (24 November 2026, 10:00 in Paris)."""
    from councils.factories import working_group_create

    time_machine.move_to(NOW, tick=False)
    city_blog = BlogIndexPage.objects.child_of(home).get(slug="actualites")
    sandbox = council_factory(title="Bac à sable", slug="bac-a-sable", is_sandbox=True)
    group = working_group_create(council_a, "Groupe Cormoran")
    w = {"home": home, "council_a": council_a, "council_b": council_b, "sandbox": sandbox, "group": group}

    # Public, in the period (the default: 30 days back).
    w["city_post"] = post_publish(city_blog, "Nouvelle de la ville", intro="La ville annonce un budget.")
    w["a_post"] = post_publish(blog_of(council_a), "Nouvelle du Centre", intro="Le Centre a voté.")
    w["b_post"] = post_publish(blog_of(council_b), "Nouvelle de Biollay", intro="Biollay aussi.")
    # Public but before the period.
    w["old_post"] = post_publish(
        city_blog, "Vieille nouvelle", when=NOW - timedelta(days=45), time_machine=time_machine
    )
    # Coming up (within six weeks), and later.
    w["city_event"] = event_publish(
        title="Rencontre de la ville", slug="rencontre-ville", start=NOW + timedelta(days=10)
    )
    w["a_event"] = event_publish(
        council_a, title="Balade du Centre", slug="balade-centre", start=NOW + timedelta(days=12)
    )
    w["a_meeting"] = meeting_publish(council_a, title="Séance du Centre", start=NOW + timedelta(days=14))
    w["a_late_meeting"] = meeting_publish(
        council_a, title="Séance de printemps", start=NOW + timedelta(days=120)
    )
    w["a_past_meeting"] = meeting_publish(council_a, title="Séance passée", start=NOW - timedelta(days=7))

    # Private, of every kind the site has.
    w["members_post"] = post_publish(blog_of(council_a), "Nouvelle Cormoran", slug="nouvelle-cormoran")
    members_only(w["members_post"], council_a)
    w["members_meeting"] = meeting_publish(council_a, title="Séance Cormoran", start=NOW + timedelta(days=15))
    meeting_make_private(w["members_meeting"], council_a)
    w["members_event"] = event_publish(
        council_a, title="Rencontre Cormoran", slug="rencontre-cormoran", start=NOW + timedelta(days=16)
    )
    members_only(w["members_event"], council_a)
    w["group_meeting"] = meeting_publish(group, title="Réunion Cormoran", start=NOW + timedelta(days=9))
    w["sandbox_post"] = post_publish(blog_of(sandbox), "Essai Cormoran", slug="essai-cormoran")
    w["sandbox_meeting"] = meeting_publish(sandbox, title="Exercice Cormoran", start=NOW + timedelta(days=8))
    draft = BlogPageFactory(parent=blog_of(council_a), title="Brouillon Cormoran", slug="brouillon-cormoran")
    draft.unpublish()
    w["draft_post"] = draft
    w["private_document"] = document_create(
        title="Dossier Cormoran",
        file=ContentFile(b"%PDF-1.4 secret", name="dossier-cormoran.pdf"),
        collection=council_a.access.private_collection,
        kind="report",
    )
    w["private_image"] = CouncilImageFactory(
        title="Photo Cormoran", collection=council_a.access.private_collection
    )
    w["sandbox_document"] = document_create(
        title="Brouillon Cormoran doc",
        file=ContentFile(b"%PDF-1.4 essai", name="essai-cormoran.pdf"),
        collection=sandbox.access.collection,
    )
    # Public files.
    w["public_document"] = document_create(
        title="Compte rendu public",
        file=ContentFile(b"%PDF-1.4 public", name="compte-rendu.pdf"),
        collection=council_a.access.collection,
    )
    w["public_image"] = CouncilImageFactory(title="Photo de la place")
    w["city_list"] = city_list()
    w["a_list"] = council_list(council_a)
    w["b_list"] = council_list(council_b)
    return w


@pytest.fixture
def issue(world):
    return NewsletterIssueFactory(subject="Lettre de novembre", lists=[world["city_list"], world["a_list"]])
