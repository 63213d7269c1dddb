"""The shared cache is never stale, by construction: every public route × every kind of change, no Varnish.

A shared cache (Varnish, a CDN) keeps each shareable response under the tags it carries
(`settings.PARVIS_CACHE_TAG_HEADER`) until one of them is purged (core.http_cache). So nothing it keeps is
ever stale if, for every change anyone can make, **every shareable response that the change alters carries
a tag the change purges**. This sweep checks exactly that, without a cache in front:

1. a world is built once for the module (two councils with past and upcoming meetings, news, events taking
   registrations, documents and images, a members-only section, the city's blog and agenda, newsletter
   lists and a sent issue, the site settings), time frozen;
2. every public route (`tests.routes`: every live page of every type, each page's sub-routes — feeds,
   calendars —, and every URL pattern outside the admin: sitemap, robots.txt, the newsletter's pages and
   archives, search…) is requested anonymously: its status, its body and its tags are the baseline;
3. for each change (built from the page models themselves: publishing a new page of each type under each
   kind of parent it may have, in a council and at the city's level; editing, unpublishing, deleting,
   moving a page of each type; view restrictions; private collections; documents; site settings; the
   newsletter; a registration; time passing; scheduled publishing…) applied in a savepoint, the tags purged
   are recorded where every purge goes once the change's transaction "commits"
   (`core.http_cache.purge_now_and_later`, run by `django_capture_on_commit_callbacks`),
   every shareable route is requested again, then the savepoint is rolled back;
4. a route whose status or body changed must have carried one of the purged tags — else a reader would be
   served the old page until it expires. And each change to something public must alter at least one
   shared response (else the change is not exercised).

A new page type, sub-route or URL pattern is swept without editing this file. The app's own fragment cache
(`cached`) is part of what is checked: each change starts from the cache the baseline filled (a copy of the
in-memory cache is put back before each change).

Stale routes found are marked `xfail(strict=True)` in `KNOWN_STALE` with the fix proposed; remove the mark
once fixed.
"""

from __future__ import annotations

import difflib
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.apps import apps
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.utils import timezone

from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.images.tests.utils import get_test_image_file
from wagtail.models import (
    Collection,
    CollectionViewRestriction,
    Page,
    PageViewRestriction,
    Revision,
    get_page_models,
)

import pytest
import time_machine

from core import http_cache
from core.models import BasePage
from events.tests.helpers import paris
from tests.routes import RouteFiller, public_routes_with_pages

pytestmark = pytest.mark.django_db

MARK = "Cigogne"  # in every title a change writes, and searched for
# A Monday morning in Paris, time frozen for the whole module.
NOW = paris(2026, 11, 2, 10)

# Query strings asked of some routes besides the bare one (search is asked for what the changes write).
QUERIES = {
    "/recherche/": ["q=" + MARK.lower(), "q=s%C3%A9ance", "q=rencontre"],
    "/recherche/suggestions/": ["q=" + MARK.lower()[:4], "q=s%C3%A9a"],
    "/agenda/": ["conseil=centre", "type=evenements"],
}
# Never requested: files and image renditions (their bytes are not pages; they are never shared anyway).
SKIPPED_PREFIXES = ("/images-privees/", "/documents/")

# Volatile bits a shareable page could carry that differ from one request to the next.
VOLATILE = [
    (re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"'), 'name="csrfmiddlewaretoken" value=""'),
    (re.compile(r'nonce="[^"]*"'), 'nonce=""'),
    # When a calendar or a feed was generated (iCal's DTSTAMP; an empty feed's date is the current time).
    (re.compile(r"DTSTAMP:\S+"), "DTSTAMP:"),
    (re.compile(r"<lastBuildDate>[^<]*</lastBuildDate>"), "<lastBuildDate/>"),
    (re.compile(r"(<feed[^>]*>(?:(?!<entry).)*?)<updated>[^<]*</updated>", re.S), r"\1<updated/>"),
]

# Change ids of stale routes found, with the fix proposed (requests/oracle.md): xfail(strict) until fixed.
KNOWN_STALE: dict[str, str] = {}


# -- The world -----------------------------------------------------------------------------------------


def _standard_page(parent, title, slug, body=()):
    from home.models import StandardPage

    page = StandardPage(title=title, slug=slug, intro="", body=list(body))
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


def _world_build():
    """The world (built once, time frozen): returns {name: instance} and the RouteFiller's rows/values."""
    from blog.factories import BlogPageFactory
    from blog.models import BlogIndexPage
    from councils.tests.worlds import two_councils_build
    from documents.services import document_create
    from events.factories import EventPageFactory, RegistrationEventFactory, RegistrationFactory
    from events.models import EventIndexPage
    from events.tests.helpers import meeting_publish
    from home.models import SiteSettings
    from newsletter.factories import NewsletterIssueFactory, SubscriberFactory, city_list, council_list
    from newsletter.models import IssueStatus, NewsletterIssue

    world = two_councils_build()
    home, council_a, council_b = world["home"], world["council_a"], world["council_b"]
    members_a = council_a.access.members_group

    # Meetings: past and upcoming in both councils; one ends within the hour (time passing).
    world["meeting_a_upcoming"] = meeting_publish(
        council_a, title="Séance de rentrée", start=NOW + timedelta(days=3)
    )
    world["meeting_a_past"] = meeting_publish(council_a, title="Séance d'été", start=NOW - timedelta(days=40))
    world["meeting_a_now"] = meeting_publish(
        council_a, title="Séance du matin", start=NOW - timedelta(minutes=80), hours=2
    )
    world["meeting_b_upcoming"] = meeting_publish(
        council_b, title="Séance de Biollay", start=NOW + timedelta(days=5)
    )
    world["meeting_b_past"] = meeting_publish(
        council_b, title="Séance passée", start=NOW - timedelta(days=20)
    )

    # Documents and images: public ones in A's collection, a private one in A's private collection.
    world["document"] = document_create(
        title="Compte rendu de septembre",
        file=ContentFile(b"%PDF-1.4 public", name="cr-septembre.pdf"),
        collection=council_a.access.collection,
        kind="minutes",
    )
    world["private_document"] = document_create(
        title="Note interne",
        file=ContentFile(b"%PDF-1.4 private", name="note-interne.pdf"),
        collection=council_a.access.private_collection,
        kind="report",
    )
    world["image"] = get_image_model().objects.create(
        title="Place du marché",
        collection=council_a.access.collection,
        file=get_test_image_file(filename="place-marche.png"),
    )

    # News: the city's blog and A's, one post tagged, one with a lead image.
    city_blog = BlogIndexPage.objects.child_of(home).get()
    council_blog = BlogIndexPage.objects.child_of(council_a).get()
    world["city_post"] = BlogPageFactory(parent=city_blog, title="Nouvelle de la ville", tags=["Mobilité"])
    world["city_post"].save_revision().publish()
    world["council_post"] = BlogPageFactory(
        parent=council_blog,
        title="Nouvelle du Centre",
        tags=["Jardins"],
        lead_image=world["image"],
        lead_image_alt="La place",
    )
    world["council_post"].save_revision().publish()

    # Events: the city's (one taking registrations), and one of council A.
    agenda = EventIndexPage.objects.child_of(home).get()
    world["event_registration"] = RegistrationEventFactory(parent=agenda, title="Forum des associations")
    world["event_registration"].save_revision().publish()
    RegistrationFactory(event=world["event_registration"])
    world["city_event"] = EventPageFactory(parent=agenda, title="Rencontre de la ville")
    world["city_event"].save_revision().publish()
    world["council_event"] = EventPageFactory(parent=council_a, title="Rencontre du Centre")
    world["council_event"].save_revision().publish()

    # Plain pages: the city's "about" (with a child), A's page showing the document and the image, and
    # A's members-only section (with a child).
    world["about"] = _standard_page(home, "À propos", "a-propos")
    world["about_child"] = _standard_page(world["about"], "Mentions légales", "mentions-legales")
    world["council_page"] = _standard_page(
        council_a,
        "Compte rendu public",
        "compte-rendu-public",
        body=[
            {"type": "document", "value": {"document": world["document"].pk, "label": ""}},
            {
                "type": "image",
                "value": {"image": world["image"].pk, "alt_text": "La place", "decorative": False},
            },
        ],
    )
    world["members_section"] = _standard_page(council_a, "Espace des membres", "espace-membres")
    world["members_child"] = _standard_page(world["members_section"], "Ordre du jour interne", "interne")
    restriction = PageViewRestriction.objects.create(
        page=world["members_section"], restriction_type=PageViewRestriction.GROUPS
    )
    restriction.groups.add(members_a)
    world["members_restriction"] = restriction

    # Site settings: footer texts and a legal page.
    site_settings = SiteSettings.for_site(home.get_site())
    site_settings.postal_address = "Hôtel de ville\n1 place de la Mairie"
    site_settings.contact_email = "participation@example.org"
    site_settings.legal_notice_page = world["about_child"]
    site_settings.save()
    world["site_settings"] = site_settings

    # Newsletter: the city's list, A's, a reader, and a sent issue (its archive is public).
    SubscriberFactory(email="lecteur@example.org", lists=[city_list(), council_list(council_a)])
    issue = NewsletterIssueFactory(subject="Lettre d'octobre", lists=[city_list(), council_list(council_a)])
    NewsletterIssue.objects.filter(pk=issue.pk).update(
        status=IssueStatus.SENT, send_requested_at=NOW - timedelta(days=2), sent_at=NOW - timedelta(days=2)
    )
    world["issue"] = NewsletterIssue.objects.get(pk=issue.pk)
    world["draft_issue"] = NewsletterIssueFactory(subject="Lettre de novembre", lists=[city_list()])

    # A's public list of members, a working group (private to its members) and A's proposals page.
    council_a.members_list_public = True
    council_a.save_revision().publish()
    world["council_a"] = council_a = type(council_a).objects.get(pk=council_a.pk)
    from councils.factories import working_group_create
    from participation.factories import ProposalIndexPageFactory

    world["working_group"] = working_group_create(council_a, "Groupe Jardins", members=[world["member_a"]])
    working_group_create(council_b, "Groupe Vélo", members=[])  # somewhere to move a working group to
    proposals = ProposalIndexPageFactory(parent=council_a)
    proposals.save_revision().publish()
    world["proposals"] = proposals

    values = {
        "year": [str(NOW.year), str((NOW - timedelta(days=40)).year)],
        "month": [str(NOW.month), str((NOW - timedelta(days=40)).month)],
        "tag_slug": ["mobilite", "jardins"],
        "token": "jeton-inconnu",
        "uidb64": "MQ",
    }
    rows = [v for v in world.values() if hasattr(v, "_meta")]
    return world, RouteFiller(values, rows, limit=4)


# -- Rendering -----------------------------------------------------------------------------------------


@dataclass
class Rendered:
    status: int
    body: str
    tags: frozenset | None  # None: not shareable (no tags header)


def _normalise(body: str) -> str:
    for pattern, replacement in VOLATILE:
        body = pattern.sub(replacement, body)
    return body


def render(client, url) -> Rendered:
    response = client.get(url)
    if response.streaming:
        response.close()
        body = ""
    else:
        body = _normalise(response.content.decode("utf-8", "replace"))
    from django.conf import settings

    header = response.get(settings.PARVIS_CACHE_TAG_HEADER)
    tags = frozenset(re.split(r"[ ,]+", header.strip())) if header else None
    return Rendered(response.status_code, body, tags)


def all_urls(filler) -> list[str]:
    urls = []
    for template, params, page in public_routes_with_pages():
        for path in filler.paths(template, params, page):
            if path.startswith(SKIPPED_PREFIXES):
                continue
            urls.append(path)
            urls += [f"{path}?{query}" for query in QUERIES.get(path, ())]
    return list(dict.fromkeys(urls))


# -- The in-memory cache, put back as the baseline left it before each change -------------------------


def _locmem():
    cache = caches["default"]
    return cache if isinstance(cache, LocMemCache) else None


def cache_snapshot():
    cache = _locmem()
    if cache is None:
        return None
    with cache._lock:
        return dict(cache._cache), dict(cache._expire_info)


def cache_restore(snapshot):
    cache = _locmem()
    if cache is None or snapshot is None:
        caches["default"].clear()
        return
    entries, expiry = snapshot
    with cache._lock:
        cache._cache.clear()
        cache._cache.update(entries)
        cache._expire_info.clear()
        cache._expire_info.update(expiry)


# -- The changes ---------------------------------------------------------------------------------------


@dataclass
class Change:
    """One change applied in a savepoint. `public`: it must alter at least one public response."""

    label: str
    apply: Callable[[], None]
    public: bool = True


PAGE_MODELS = sorted(
    (m for m in get_page_models() if issubclass(m, BasePage) and not m._meta.abstract),
    key=lambda m: m._meta.label_lower,
)


def _label(model):
    return model._meta.label_lower


def _fresh(page):
    return Page.objects.get(pk=page.pk).specific


def _place(page):
    from core.visibility import space_model

    spaces = space_model().objects.filter(
        path__in=[page.path[:n] for n in range(Page.steplen, len(page.path) + 1, Page.steplen)]
    )
    return "council" if spaces.exists() else "city"


def _is_public(page):
    return type(page).objects.listed().filter(pk=page.pk).exists()


def _live(model):
    """Live pages of exactly this type (not of its subclasses), specific, in tree order."""
    return [p.specific for p in model.objects.live().exact_type(model).filter(depth__gt=1).order_by("path")]


def _one_per_place(pages):
    """One page per place (in a council, at the city's level), public ones first."""
    chosen = {}
    for page in sorted(pages, key=lambda p: (not _is_public(p), p.path)):
        chosen.setdefault(_place(page), page)
    return list(chosen.values())


def _factory_for(model):
    """The factory of a page model, found in the apps' `factories` modules (None: built field by field)."""
    import importlib

    import factory

    found = []
    for app in apps.get_app_configs():
        try:
            module = importlib.import_module(f"{app.name}.factories")
        except ModuleNotFoundError:
            continue
        for obj in vars(module).values():
            if (
                isinstance(obj, type)
                and issubclass(obj, factory.base.Factory)
                and getattr(obj._meta, "model", None) is model
            ):
                found.append(obj)
    found.sort(key=lambda f: f.__name__ != f"{model.__name__}Factory")
    return found[0] if found else None


def _new_page(model, title, slug):
    """An unsaved page of `model` with every required field filled (by its factory when it has one)."""
    factory_class = _factory_for(model)
    if factory_class is not None:
        return factory_class.build(title=title, slug=slug)
    page = model(title=title, slug=slug)
    for field in model._meta.concrete_fields:
        if field.blank or field.has_default() or field.null or getattr(page, field.attname, None):
            continue
        internal = field.get_internal_type()
        if internal in ("CharField", "TextField"):
            setattr(page, field.attname, title)
        elif internal == "DateTimeField":
            setattr(page, field.attname, NOW + timedelta(days=10))
        elif internal in ("IntegerField", "PositiveIntegerField", "PositiveSmallIntegerField"):
            setattr(page, field.attname, 1)
    return page


def _publish_new(model, parent):
    def apply():
        slug = f"{MARK.lower()}-{model._meta.model_name}"
        page = _new_page(model, f"{MARK} {model._meta.verbose_name}", slug)
        _fresh(parent).add_child(instance=page)
        page.save_revision().publish()

    return apply


def _creatable_models():
    for model in PAGE_MODELS:
        if not model.is_creatable or model.max_count or model.max_count_per_parent:
            continue  # singletons are made with their parent (a council's indexes): publishing one covers them
        for parent_model in model.allowed_parent_page_models():
            if issubclass(parent_model, BasePage):
                yield model, parent_model


def publish_new(model, parent_model):
    def changes(world):
        parents = [p for p in _live(parent_model) if model.can_create_at(p)]
        assert parents, f"the world has no {_label(parent_model)} to publish a {_label(model)} under"
        return [
            Change(f"under {parent.url}", _publish_new(model, parent), public=_is_public(parent))
            for parent in _one_per_place(parents)
        ]

    return changes


def _title_edit(page):
    def apply():
        fresh = _fresh(page)
        fresh.title = f"{fresh.title} {MARK}"
        fresh.save_revision().publish()

    return apply


def _one(pages, *, key=lambda p: (0,)):
    """The page a change of one existing page is made on: a public one first, in a council first."""
    ordered = sorted(pages, key=lambda p: (not _is_public(p), _place(p) != "council", *key(p), p.path))
    return ordered[:1]


def edit_title(model):
    def changes(world):
        pages = _one(_live(model))
        assert pages, f"the world has no live {_label(model)}"
        return [Change(f"{page.url}", _title_edit(page), public=_is_public(page)) for page in pages]

    return changes


def _below_site_root(model):
    pages = [p for p in _live(model) if p.depth > 2]
    return _one(pages, key=lambda p: (p.numchild,))


def unpublish(model):
    def changes(world):
        pages = _below_site_root(model)
        assert pages, f"the world has no live {_label(model)} below the site's root"
        return [
            Change(page.url, lambda page=page: _fresh(page).unpublish(), public=_is_public(page))
            for page in pages
        ]

    return changes


def delete(model):
    def changes(world):
        pages = _below_site_root(model)
        assert pages, f"the world has no live {_label(model)} below the site's root"
        return [
            Change(page.url, lambda page=page: _fresh(page).delete(), public=_is_public(page))
            for page in pages
        ]

    return changes


def move(model):
    """A page of this type moved into council B (from council A, or else from the city's level)."""

    def changes(world):
        council_b = world["council_b"]
        parents = tuple(model.allowed_parent_page_models())
        targets = [
            p.specific
            for p in Page.objects.live().filter(path__startswith=council_b.path).order_by("path")
            if issubclass(p.specific_class, parents)
        ]
        sources = [p for p in _live(model) if p.depth > 2 and not p.path.startswith(council_b.path)]
        for page in sorted(sources, key=lambda p: (not _is_public(p), _place(p) != "council", p.numchild)):
            parent = page.get_parent()
            target = next((t for t in targets if t.pk != parent.pk and page.can_move_to(t)), None)
            if target is not None:
                label = f"{page.url} → {target.url}"
                return [Change(label, _move(page, target), public=_is_public(page) or _is_public(target))]
        return []

    return changes


def _move(page, target):
    def apply():
        moving = _fresh(page)
        if Page.objects.child_of(target).filter(slug=moving.slug).exists():
            # Wagtail refuses a move onto a sibling's slug: the editor renames it first.
            moving.slug = f"{moving.slug}-{MARK.lower()}"
            moving.save_revision().publish()
            moving = _fresh(page)
        moving.move(_fresh(target), pos="last-child")

    return apply


def _can_be_in_a_council(model, seen=()):
    from core.visibility import space_model

    if model in seen:
        return False
    return any(
        issubclass(parent, space_model()) or _can_be_in_a_council(parent, (*seen, model))
        for parent in model.allowed_parent_page_models()
    )


def _movable_models():
    """Page types a council can hold (at any depth): one of each is moved from a council to another."""
    for model in PAGE_MODELS:
        if model.max_count or model.max_count_per_parent or not _can_be_in_a_council(model):
            continue
        yield model


# -- Changes outside the page tree ---------------------------------------------------------------------


def _restrict(page):
    def apply():
        council = world_council_of(page)
        restriction = PageViewRestriction.objects.create(
            page=_fresh(page), restriction_type=PageViewRestriction.GROUPS
        )
        restriction.groups.add(council.access.members_group)

    return apply


def world_council_of(page):
    from councils.models import CouncilPage

    return CouncilPage.objects.ancestor_of(page, inclusive=True).get()


def view_restriction_add(world):
    return [
        Change("a meeting made members-only", _restrict(world["meeting_a_upcoming"])),
        Change("a section (A's news) made members-only", _restrict(_blog_of(world["council_a"]))),
    ]


def _blog_of(parent):
    from blog.models import BlogIndexPage

    return BlogIndexPage.objects.child_of(parent).get()


def view_restriction_remove(world):
    return [
        Change(
            "the members-only section opened",
            lambda: PageViewRestriction.objects.get(pk=world["members_restriction"].pk).delete(),
        )
    ]


def collection_private(world):
    def apply():
        collection = Collection.objects.get(pk=world["document"].collection_id)
        restriction = CollectionViewRestriction.objects.create(
            collection=collection, restriction_type=CollectionViewRestriction.GROUPS
        )
        restriction.groups.add(world["council_a"].access.members_group)

    return [Change("A's public collection made private (its document and image)", apply)]


def collection_public(world):
    def apply():
        CollectionViewRestriction.objects.filter(
            collection_id=world["private_document"].collection_id
        ).delete()

    return [Change("A's private collection opened", apply, public=False)]


def document_changes(world):
    from documents.services import document_create

    Document = get_document_model()

    def edit():
        document = Document.objects.get(pk=world["document"].pk)
        document.title = f"Compte rendu {MARK}"
        document.save()

    def new():
        document_create(
            title=f"Rapport {MARK}",
            file=ContentFile(b"%PDF-1.4 new", name="rapport-cigogne.pdf"),
            collection=world["council_a"].access.collection,
            kind="report",
        )

    def remove():
        Document.objects.get(pk=world["document"].pk).delete()

    return [Change("title edited", edit), Change("uploaded", new), Change("deleted", remove)]


def image_changes(world):
    Image = get_image_model()

    def edit():
        image = Image.objects.get(pk=world["image"].pk)
        image.title = f"Place {MARK}"
        image.save()

    def remove():
        Image.objects.get(pk=world["image"].pk).delete()

    return [Change("title edited", edit, public=False), Change("deleted", remove)]


def site_settings_changes(world):
    from home.models import SiteSettings

    def colours():
        settings = SiteSettings.objects.get(pk=world["site_settings"].pk)
        settings.primary_colour = "#123456"
        settings.save()

    def footer():
        settings = SiteSettings.objects.get(pk=world["site_settings"].pk)
        settings.postal_address = f"Maison {MARK}"
        settings.mastodon_url = "https://mastodon.example/@ville"
        settings.save()

    return [Change("colours", colours), Change("footer texts", footer)]


def newsletter_changes(world):
    from newsletter.models import ConsentText, IssueStatus, NewsletterIssue, NewsletterList

    def consent():
        latest = ConsentText.objects.order_by("-version").first()
        ConsentText.objects.create(version=(latest.version if latest else 0) + 1, text=f"Texte {MARK}")

    def list_removed():
        NewsletterList.objects.filter(council=world["council_a"]).delete()

    def issue_sent():
        issue = NewsletterIssue.objects.get(pk=world["draft_issue"].pk)
        issue.status = IssueStatus.SENT
        issue.send_requested_at = issue.sent_at = timezone.now()
        issue.save()

    def issue_edited():
        issue = NewsletterIssue.objects.get(pk=world["issue"].pk)
        issue.subject = f"Lettre {MARK}"
        issue.save()

    return [
        Change("a new consent text", consent),
        Change("A's list removed", list_removed),
        Change("an issue sent (its archive was a 404: nothing shared shows it)", issue_sent, public=False),
        Change("a sent issue's subject edited", issue_edited),
    ]


def registration_changes(world):
    from events.models import EventPage
    from events.registrations import registration_create

    def register():
        event = EventPage.objects.get(pk=world["event_registration"].pk)
        registration_create(event=event, name="Camille Martin", email="camille@example.org", consent=True)

    return [Change("someone registers (seats left)", register)]


def membership_changes(world):
    from councils.membership import Membership

    def consent():
        membership = Membership.objects.filter(user=world["member_a"], council=world["council_a"]).get()
        membership.listed_publicly = True
        membership.save()

    return [Change("a member agrees to the public list", consent)]


def time_passing(world):
    """A meeting ends (`meeting_a_now` ends at NOW + 40 min): the minute task purges it."""
    from core.tasks import cache_purge_time_passed

    def apply():
        world["traveller"].move_to(NOW + timedelta(minutes=50))
        cache_purge_time_passed.call()

    return [Change("a meeting ends, the minute task runs", apply)]


def scheduled_publishing(world):
    from home.models import StandardPage

    def go_live():
        page = StandardPage(title=f"Page {MARK} programmée", slug="programmee", intro="", live=False)
        _fresh(world["about"]).add_child(instance=page)
        revision = page.save_revision(approved_go_live_at=NOW - timedelta(minutes=1))
        Revision.objects.filter(pk=revision.pk).update(approved_go_live_at=NOW - timedelta(minutes=1))
        call_command("publish_scheduled", verbosity=0)

    def expire():
        # The editor set the expiry long ago; the time has come.
        Page.objects.filter(pk=world["city_post"].pk).update(expire_at=NOW - timedelta(minutes=1))
        call_command("publish_scheduled", verbosity=0)

    return [Change("a page goes live", go_live), Change("a news post expires", expire)]


# -- The cases: one test each --------------------------------------------------------------------------


def _cases():
    cases = []
    for model, parent_model in _creatable_models():
        cases.append(
            (f"publish-new:{_label(model)}@{_label(parent_model)}", publish_new(model, parent_model))
        )
    for model in PAGE_MODELS:
        cases.append((f"edit-title:{_label(model)}", edit_title(model)))
    for model in PAGE_MODELS:
        if model.max_count != 1:
            cases.append((f"unpublish:{_label(model)}", unpublish(model)))
            cases.append((f"delete:{_label(model)}", delete(model)))
    for model in _movable_models():
        cases.append((f"move:{_label(model)}", move(model)))
    cases += [
        ("view-restriction-add", view_restriction_add),
        ("view-restriction-remove", view_restriction_remove),
        ("collection-private", collection_private),
        ("collection-public", collection_public),
        ("document", document_changes),
        ("image", image_changes),
        ("site-settings", site_settings_changes),
        ("newsletter", newsletter_changes),
        ("event-registration", registration_changes),
        ("membership-public-list", membership_changes),
        ("time-passing", time_passing),
        ("scheduled-publishing", scheduled_publishing),
    ]
    return [
        pytest.param(
            changes,
            id=case_id,
            marks=[pytest.mark.xfail(strict=True, reason=KNOWN_STALE[case_id])]
            if case_id in KNOWN_STALE
            else [],
        )
        for case_id, changes in cases
    ]


# -- The sweep -----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sweep(django_db_setup, django_db_blocker):
    """The world, every public URL, and each one's baseline rendering (built once for the module)."""
    from core.tasks import cache_purge_time_passed

    traveller = time_machine.travel(NOW, tick=False)
    coordinates = traveller.start()
    started = time.monotonic()
    try:
        with django_db_blocker.unblock(), transaction.atomic():
            caches["default"].clear()
            world, filler = _world_build()
            world["traveller"] = coordinates
            cache_purge_time_passed.call()  # the minute task's last run: now
            _committed()
            built = time.monotonic()
            urls = all_urls(filler)
            client = Client()
            baseline = {url: render(client, url) for url in urls}
            _committed()
            snapshot = cache_snapshot()
            print(
                f"\nworld {built - started:.1f}s; {len(urls)} URLs, "
                f"{sum(r.tags is not None for r in baseline.values())} shareable, "
                f"rendered in {time.monotonic() - built:.1f}s"
            )
            yield {"world": world, "urls": urls, "baseline": baseline, "snapshot": snapshot}
            for item in [*get_document_model().objects.all(), *get_image_model().objects.all()]:
                item.file.delete(save=False)
            transaction.set_rollback(True)
    finally:
        traveller.stop()


def _committed():
    """As if the world's transaction had committed: its on-commit callbacks (its own purges) are done with,
    so that each change's purges gather in a callback of their own."""
    del transaction.get_connection().run_on_commit[:]


@pytest.fixture
def purges(monkeypatch, settings):
    """Every tag purged once a change's transaction commits, recorded where every such purge goes
    (`purge_now_and_later`: the fragments, then the shared caches' task — not queued here)."""
    settings.VARNISH_PURGE_URLS = []
    recorded = set()
    purge = http_cache.purge_now_and_later

    def recording(tags):
        tags = set(tags)
        recorded.update(tags)
        purge(tags)

    monkeypatch.setattr(http_cache, "purge_now_and_later", recording)
    return recorded


def _diff(before, after, limit=12):
    lines = difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
    return "\n".join(line[:200] for line in list(lines)[2 : 2 + limit])


def _stale(url, change, before, after, purged):
    return (
        f"STALE {url} after «{change}»: {before.status} → {after.status}\n"
        f"  its tags: {' '.join(sorted(before.tags))}\n"
        f"  purged:   {' '.join(sorted(purged)) or '(nothing)'}\n"
        + "\n".join("    " + line for line in _diff(before.body, after.body).splitlines())
    )


def apply_and_check(sweep, change, purged, capture):
    """Apply one change in a savepoint; return (stale reports, whether a public response changed)."""
    baseline = sweep["baseline"]
    cache_restore(sweep["snapshot"])
    purged.clear()
    stale, changed = [], False
    try:
        with transaction.atomic():
            connection = transaction.get_connection()
            start = len(connection.run_on_commit)
            with capture(execute=True):
                change.apply()
            # Tags added to the transaction's purge after its callback ran (by another callback's writes) go out
            # at once in production (autocommit): send them too.
            late = set()
            for _savepoints, callback, _robust in connection.run_on_commit[start:]:
                if isinstance(callback, http_cache._PendingPurge):
                    late |= callback.tags - purged
            if late:
                http_cache.purge_now_and_later(late)
            client = Client()
            shared = [url for url, before in baseline.items() if before.tags is not None]
            for url in shared:
                before = baseline[url]
                hit = bool(before.tags & purged)
                if hit and changed:
                    continue  # purged: whatever it shows now is fetched again
                after = render(client, url)
                differs = (after.status, after.body) != (before.status, before.body)
                changed |= differs
                if differs and not hit:
                    stale.append(_stale(url, change.label, before, after, purged))
            transaction.set_rollback(True)
    finally:
        sweep["world"]["traveller"].move_to(NOW)  # a change may have moved time
    return stale, changed


ALL_CASES = _cases()


# Half the cases here, half in test_cache_staleness_sweep_2.py: `--dist loadscope` runs them on both workers.
@pytest.mark.parametrize("changes", ALL_CASES[0::2])
def test_no_shared_response_outlives_a_change(sweep, changes, purges, django_capture_on_commit_callbacks):
    check_changes(sweep, changes, purges, django_capture_on_commit_callbacks)


def check_changes(sweep, changes, purges, django_capture_on_commit_callbacks):
    sub_changes = changes(sweep["world"])
    assert sub_changes, "no change of this kind could be made in the world"
    stale, exercised = [], []
    for change in sub_changes:
        found, changed = apply_and_check(sweep, change, purges, django_capture_on_commit_callbacks)
        stale += found
        if change.public and not changed:
            exercised.append(f"«{change.label}» changed no shared response (is the change exercised?)")
    assert not stale, "\n\n".join(stale)
    assert not exercised, "\n".join(exercised)


def test_the_sweep_requests_every_kind_of_shared_route(sweep):
    """The baseline holds what a reader can be served from the cache: a page of every public page type,
    each kind of sub-route (feeds, calendars, month views), the newsletter's pages and the sitemap."""
    shared = [url for url, rendered in sweep["baseline"].items() if rendered.tags is not None]
    issue = sweep["world"]["issue"]
    for expected in ("/", "/sitemap.xml", "/lettre/", f"/lettre/archives/{issue.pk}/", "/agenda/mois/"):
        assert any(url.startswith(expected) for url in shared), expected
    for suffix in ("calendrier/", "rss/", "atom/", "/tag/jardins/"):
        assert any(suffix in url for url in shared), suffix
    for model in PAGE_MODELS:
        public = [page for page in _live(model) if _is_public(page)]
        if public:
            assert any(page.url in sweep["baseline"] for page in public), _label(model)
    assert len(shared) >= 50
