import datetime

from django.test import override_settings

from wagtail.embeds.finders import get_finders
from wagtail.models import PageViewRestriction

import pytest

from blog.factories import BlogPageFactory
from blog.models import BlogIndexPage


@pytest.fixture(autouse=True)
def offline_embeds():
    """No test reaches a video provider: the embed finder answers as if the network were down."""
    get_finders.cache_clear()
    with override_settings(WAGTAILEMBEDS_FINDERS=[{"class": "blog.tests.fake_finders.OfflineFinder"}]):
        yield
    get_finders.cache_clear()


@pytest.fixture
def city_blog(home):
    return BlogIndexPage.objects.child_of(home).get(slug="actualites")


@pytest.fixture
def blog_a(council_a):
    return BlogIndexPage.objects.child_of(council_a).get()


@pytest.fixture
def blog_b(council_b):
    return BlogIndexPage.objects.child_of(council_b).get()


@pytest.fixture
def make_post():
    counter = iter(range(1000))

    def make(parent, **kwargs):
        n = next(counter)
        kwargs.setdefault("date", datetime.date(2026, 3, 1) + datetime.timedelta(days=n))
        return BlogPageFactory(parent=parent, **kwargs)

    return make


def members_only(page, council):
    restriction = PageViewRestriction.objects.create(page=page, restriction_type=PageViewRestriction.GROUPS)
    restriction.groups.add(council.access.members_group)
    return restriction
