from django.core.cache import cache

from wagtail.models import PageViewRestriction

import pytest

from home.models import StandardPage


def standard_page(parent, title, slug, **fields):
    page = StandardPage(title=title, slug=slug, intro="Texte de la page.", **fields)
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


@pytest.fixture(autouse=True)
def _empty_cache():
    """The report rate limit lives in the cache: every test starts with none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def page_a(council_a):
    return standard_page(council_a, "Fête du quartier", "fete")


@pytest.fixture
def members_page_a(council_a):
    page = standard_page(council_a, "Compte rendu confidentiel du bureau", "bureau")
    restriction = PageViewRestriction.objects.create(page=page, restriction_type=PageViewRestriction.GROUPS)
    restriction.groups.add(council_a.access.members_group)
    return page
