"""The shared visibility rules: one home, used by every page type and listing."""

from types import SimpleNamespace

from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.test import RequestFactory

from wagtail.models import Page, PageViewRestriction, get_page_models

import pytest

from core.models import BasePage
from core.visibility import (
    VisiblePageQuerySet,
    attach_councils,
    collection_visible_to,
    hidden_page_paths,
    listed_pages,
    page_visible_to,
    searchable_pages,
)
from councils.factories import CouncilPageFactory, UserFactory
from councils.models import CouncilIndexPage, CouncilPage
from councils.services import council_add_member
from home.models import StandardPage
from home.services import site_structure_ensure

PARVIS_APPS = {"home", "councils", "meetings", "documents", "events", "blog", "participation", "newsletter"}


def _page(parent, title, slug, members_of=None):
    page = StandardPage(title=title, slug=slug)
    parent.add_child(instance=page)
    page.save_revision().publish()
    if members_of is not None:
        restriction = PageViewRestriction.objects.create(
            page=page, restriction_type=PageViewRestriction.GROUPS
        )
        restriction.groups.add(members_of)
    return page


@pytest.fixture(scope="module")
def module_world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        site_structure_ensure(hostname="testserver")
        index = CouncilIndexPage.objects.get()
        council = CouncilPageFactory(parent=index, title="Centre", slug="centre")
        council.save_revision().publish()
        sandbox = CouncilPageFactory(parent=index, title="Bac à sable", slug="bac-a-sable", is_sandbox=True)
        sandbox.save_revision().publish()
        member = UserFactory(username="membre-centre")
        council_add_member(council=council, user=member)
        outsider = UserFactory(username="membre-ailleurs")
        yield SimpleNamespace(
            council=council,
            sandbox=sandbox,
            member=member,
            outsider=outsider,
            public=_page(council, "Fête de quartier", "fete"),
            private=_page(council, "Espace membres", "espace", members_of=council.access.members_group),
            in_sandbox=_page(sandbox, "Essai", "essai"),
        )
        transaction.set_rollback(True)


@pytest.fixture
def world(module_world, db):
    return module_world


def request_as(user=None):
    request = RequestFactory().get("/")
    request.user = user or AnonymousUser()
    request.session = {}
    return request


def parvis_page_models():
    return [m for m in get_page_models() if m._meta.app_label in PARVIS_APPS]


def test_every_page_type_carries_the_shared_visibility_rules():
    for model in parvis_page_models():
        assert issubclass(model, BasePage), model
        assert isinstance(model.objects.all(), VisiblePageQuerySet), model


def test_listed_means_live_public_and_outside_the_sandbox(world):
    listed = set(listed_pages().values_list("pk", flat=True))
    assert world.public.pk in listed
    assert world.private.pk not in listed
    assert world.in_sandbox.pk not in listed
    assert world.sandbox.pk not in listed
    assert set(CouncilPage.objects.listed()) == {world.council}


def test_search_uses_the_same_rule(world):
    searchable = set(searchable_pages().values_list("pk", flat=True))
    assert searchable == set(listed_pages().values_list("pk", flat=True))


def test_visible_to_lets_a_member_see_their_members_only_page_and_nobody_else(world):
    for user, sees_private in ((None, False), (world.outsider, False), (world.member, True)):
        request = request_as(user)
        visible = set(StandardPage.objects.visible_to(request).values_list("pk", flat=True))
        assert world.public.pk in visible
        assert (world.private.pk in visible) is sees_private
        assert world.in_sandbox.pk not in visible
        assert page_visible_to(world.private, request) is sees_private


def test_restrictions_are_read_once_per_request(world, django_assert_num_queries):
    request = request_as(world.member)
    hidden_page_paths(request)
    with django_assert_num_queries(0):
        hidden_page_paths(request)
        page_visible_to(world.private, request)


def test_private_collections_are_visible_to_the_councils_members_only(world):
    private = world.council.access.private_collection_id
    public = world.council.access.collection_id
    assert collection_visible_to(public, request_as())
    assert not collection_visible_to(private, request_as())
    assert not collection_visible_to(private, request_as(world.outsider))
    assert collection_visible_to(private, request_as(world.member))


def test_attach_councils_names_the_council_of_each_page_in_one_query(world, django_assert_num_queries):
    pages = [world.public, world.private, world.in_sandbox, world.council, Page.objects.get(depth=1)]
    with django_assert_num_queries(1):
        attach_councils(pages)
    assert [getattr(p, "council", None) for p in pages] == [
        world.council,
        world.council,
        world.sandbox,
        world.council,
        None,
    ]
