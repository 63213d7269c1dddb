"""Training: every resident editor practises in the sandbox; the public never reads it."""

from django.core.management import call_command
from django.urls import reverse

import pytest

from councils.factories import UserFactory
from councils.services import council_add_editor, council_add_member, sandboxes_provision
from home.models import StandardPage
from meetings.models import MeetingIndexPage, MeetingPage


@pytest.fixture
def sandbox(council_factory):
    sandbox = council_factory(title="Bac à sable", slug="bac-a-sable", is_sandbox=True)
    call_command("reset_sandbox", stdout=None)
    sandbox.refresh_from_db()
    return sandbox


def test_every_councils_editor_may_practise_in_the_sandbox(sandbox, editor_a, council_b):
    assert sandbox.permissions_for_user(editor_a).can_add_subpage()
    assert sandbox.permissions_for_user(editor_a).can_edit()
    meetings = MeetingIndexPage.objects.child_of(sandbox).get()
    assert meetings.permissions_for_user(editor_a).can_add_subpage()
    # …and still nothing in another council.
    assert not council_b.permissions_for_user(editor_a).can_edit()


def test_an_editor_of_a_council_created_after_the_sandbox_may_practise_too(sandbox, council_factory):
    council = council_factory(title="Conseil des Hauts", slug="hauts")
    editor = UserFactory(username="editeur-hauts")
    council_add_editor(council=council, user=editor)
    assert sandbox.permissions_for_user(editor).can_edit()


def test_the_public_and_members_cannot_read_the_sandbox(client, sandbox, member_a):
    page = StandardPage.objects.child_of(sandbox).get()
    for reader in (None, member_a):
        if reader:
            client.force_login(reader)
        response = client.get(page.url)
        assert response.status_code in (302, 403)
        assert "Page d’exercice" not in response.content.decode()


def test_an_editor_previews_the_sandbox_as_the_public_would_see_it_elsewhere(client, sandbox, editor_a):
    client.force_login(editor_a)
    page = StandardPage.objects.child_of(sandbox).get()
    assert client.get(page.url).status_code == 200


def test_the_sandbox_is_in_no_listing_feed_or_search(client, sandbox):
    for url in ("/", "/conseils/", "/agenda/", "/agenda/calendrier/", "/recherche/?q=exercice"):
        body = client.get(url).content.decode()
        assert "Bac à sable" not in body, url
        assert "Page d’exercice" not in body, url
        assert "Réunion d’exercice" not in body, url


def test_reset_empties_the_sandbox_and_puts_back_the_practice_material(sandbox, editor_a):
    meetings = MeetingIndexPage.objects.child_of(sandbox).get()
    extra = StandardPage(title="Essai raté", slug="essai")
    sandbox.add_child(instance=extra)
    call_command("reset_sandbox", stdout=None)
    assert not StandardPage.objects.filter(slug="essai").exists()
    assert not MeetingIndexPage.objects.filter(pk=meetings.pk).exists()
    assert MeetingPage.objects.descendant_of(sandbox).count() == 1
    assert StandardPage.objects.child_of(sandbox).get().slug == "page-d-exercice"


def test_a_council_that_stops_being_a_sandbox_is_closed_to_other_editors(sandbox, editor_a):
    sandbox.is_sandbox = False
    sandbox.save_revision().publish()
    sandbox = type(sandbox).objects.get(pk=sandbox.pk)
    assert not sandbox.permissions_for_user(editor_a).can_edit()


def test_provisioning_the_sandbox_twice_changes_nothing(sandbox, editor_a, django_assert_max_num_queries):
    from wagtail.models import GroupPagePermission

    before = GroupPagePermission.objects.count()
    sandboxes_provision()
    assert GroupPagePermission.objects.count() == before


def test_the_help_menu_leads_to_our_guide_in_french_not_wagtails_online_one(client, editor_a):
    client.force_login(editor_a)
    dashboard = client.get(reverse("wagtailadmin_home")).content.decode()
    assert reverse("parvis_editors_guide") in dashboard
    assert "guide.wagtail.org" not in dashboard
    guide = client.get(reverse("parvis_editors_guide"))
    assert guide.status_code == 200
    assert "Announce a meeting" in guide.content.decode() or "Annoncer une réunion" in guide.content.decode()


def test_the_guide_is_written_by_the_communications_team(client, city_staff, editor_a, member_a):
    url = reverse("wagtailsettings:edit", args=["training", "editorsguide"])
    client.force_login(city_staff)
    assert client.get(url, follow=True).status_code == 200
    client.force_login(editor_a)
    assert client.get(url).status_code in (302, 403)


def test_members_cannot_open_the_admin_guide(client, council_a):
    member = UserFactory(username="membre-seul")
    council_add_member(council=council_a, user=member)
    client.force_login(member)
    assert client.get(reverse("parvis_editors_guide")).status_code in (302, 403)
