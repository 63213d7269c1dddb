"""The visibility rules read the restricted and sandbox paths from the fragment cache (`hidden_paths()`):
every change that moves, adds or removes one must be seen by the next listing, committed as in production
(a transactional test: purges run on commit), and a warm cache must cost no query."""

from django.db.models import Exists, OuterRef
from django.db.models.functions import Length, Substr

from wagtail.models import Page, PageViewRestriction

import pytest

from core.visibility import listed_pages, page_visible_to
from councils.models import CouncilKind, CouncilPage
from home.models import StandardPage

pytestmark = pytest.mark.django_db(transaction=True)


def _page(parent, title, slug):
    page = StandardPage(title=title, slug=slug)
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


def _listed():
    return set(listed_pages().values_list("pk", flat=True))


def _truth():
    """Listed pages read straight from the database (the rule as one query, nothing cached)."""
    restricted = PageViewRestriction.objects.filter(
        page__path=Substr(OuterRef("path"), 1, Length("page__path"))
    )
    sandbox = CouncilPage.objects.filter(is_sandbox=True, path=Substr(OuterRef("path"), 1, Length("path")))
    return set(Page.objects.live().filter(~Exists(restricted), ~Exists(sandbox)).values_list("pk", flat=True))


def test_listings_follow_every_change_of_the_hidden_paths(
    council_a, council_b, council_index, django_assert_num_queries
):
    page = _page(council_a, "Fête de quartier", "fete")
    assert page.pk in _listed()
    with django_assert_num_queries(1):  # the listing only: the paths come from the cache
        _listed()

    # A restriction added, then removed.
    restriction = PageViewRestriction.objects.create(page=page, restriction_type=PageViewRestriction.LOGIN)
    assert page.pk not in _listed()
    assert not page_visible_to(page, None)
    restriction.delete()
    assert page.pk in _listed()
    assert _listed() == _truth()

    # A restricted section moved elsewhere: hidden at its new place, its old neighbours still shown.
    section = _page(council_a, "Espace membres", "espace")
    inside = _page(section, "Compte rendu interne", "interne")
    PageViewRestriction.objects.create(page=section, restriction_type=PageViewRestriction.LOGIN)
    assert not {section.pk, inside.pk} & _listed()
    section.move(council_b, pos="last-child")
    inside.refresh_from_db()
    assert inside.path.startswith(council_b.path)
    assert not {section.pk, inside.pk} & _listed()
    assert page.pk in _listed()
    assert _listed() == _truth()

    # A council made a sandbox by its moderators (published), then back.
    council_a.is_sandbox = True
    council_a.save_revision().publish()
    assert not {council_a.pk, page.pk} & _listed()
    assert _listed() == _truth()
    council_a.is_sandbox = False
    council_a.save_revision().publish()
    assert _listed() == _truth()

    # A sandbox created as a draft (never published) whose page someone published anyway.
    draft = CouncilPage(
        title="Bac à sable", slug="bac", kind=CouncilKind.NEIGHBOURHOOD, is_sandbox=True, live=False
    )
    council_index.add_child(instance=draft)
    trial = _page(draft, "Essai", "essai")
    assert trial.live
    assert trial.pk not in _listed()
    assert _listed() == _truth()
