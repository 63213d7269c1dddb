"""Wagtail's default moderation is gone; a council may instead ask for the city's review."""

import importlib

from django.apps import apps as global_apps
from django.contrib.auth.models import Group
from django.urls import reverse

from wagtail.models import (
    GroupApprovalTask,
    GroupPagePermission,
    Page,
    Workflow,
    WorkflowPage,
    WorkflowState,
    WorkflowTask,
)
from wagtail.test.utils.form_data import nested_form_data, querydict_from_html, streamfield

import pytest

from councils.services import council_provision
from moderation.services import REVIEW_WORKFLOW_NAME

remove_defaults = importlib.import_module("moderation.migrations.0002_remove_wagtail_default_moderation")


def test_wagtails_default_workflow_and_groups_are_gone_after_migrate(db):
    assert not Workflow.objects.filter(name="Moderators approval").exists()
    assert not GroupApprovalTask.objects.filter(name="Moderators approval").exists()
    assert not Group.objects.filter(name__in=["Editors", "Moderators"]).exists()
    assert not WorkflowPage.objects.filter(page__depth=1).exists()


def test_the_data_migration_removes_the_defaults_but_keeps_a_customised_group(db, council_a):
    """Run the migration's function again on Wagtail's defaults recreated as wagtailcore made them."""
    root = Page.get_first_root_node()
    moderators = Group.objects.create(name="Moderators")
    Group.objects.create(name="Editors")
    editors = Group.objects.get(name="Editors")
    task = GroupApprovalTask.objects.create(name="Moderators approval")
    task.groups.set([moderators])
    workflow = Workflow.objects.create(name="Moderators approval", active=True)
    WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    WorkflowPage.objects.create(workflow=workflow, page=root)
    from django.contrib.auth.models import Permission

    publish = Permission.objects.get(codename="publish_page")
    GroupPagePermission.objects.create(group=moderators, page=root, permission=publish)
    # Someone gave "Editors" rights on a council: it is no longer Wagtail's default, it stays.
    GroupPagePermission.objects.create(group=editors, page=council_a, permission=publish)

    remove_defaults.remove_defaults(global_apps, None)

    assert not Workflow.objects.filter(name="Moderators approval").exists()
    assert not GroupApprovalTask.objects.filter(pk=task.pk).exists()
    assert not Group.objects.filter(name="Moderators").exists()
    assert Group.objects.filter(name="Editors").exists()


# -- The review by the city, per council ---------------------------------------------------------------


def _set_review(council, on):
    council.review_required = on
    council.save_revision().publish()
    council.refresh_from_db()


def _edit_form(client, page):
    response = client.get(reverse("wagtailadmin_pages:edit", args=[page.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    data = querydict_from_html(html, form_id="page-edit-form")
    data.update(nested_form_data({"body": streamfield([])}))
    return html, data


def _editor_publishes_draft(client, page, title, action):
    _html, data = _edit_form(client, page)
    data.update({"title": title, action: action})
    return client.post(reverse("wagtailadmin_pages:edit", args=[page.pk]), data)


@pytest.fixture
def reviewed_council(council_a, editor_a, city_staff):
    _set_review(council_a, True)
    return council_a


def test_switching_the_review_on_attaches_the_city_workflow_and_takes_publish_from_editors(
    reviewed_council, editor_a, page_a, city_staff
):
    link = WorkflowPage.objects.get(page=reviewed_council)
    assert link.workflow.name == REVIEW_WORKFLOW_NAME
    task = link.workflow.tasks.get().specific
    assert list(task.groups.values_list("name", flat=True)) == [city_staff.groups.get().name]
    assert page_a.get_workflow() == link.workflow
    assert not page_a.permissions_for_user(editor_a).can_publish()
    assert page_a.permissions_for_user(editor_a).can_edit()
    assert page_a.permissions_for_user(city_staff).can_publish()


def test_after_migrate_the_review_takes_publish_back_from_editors_provisioning_gave_it_to(
    reviewed_council, editor_a, page_a
):
    from moderation.signals import after_migrate

    council_provision(council=reviewed_council)  # as councils' own post_migrate does
    after_migrate(sender=None)  # moderation's post_migrate runs after it
    assert not page_a.permissions_for_user(editor_a).can_publish()
    assert WorkflowPage.objects.filter(page=reviewed_council).exists()


def test_saving_a_council_under_review_keeps_its_editors_from_publishing(reviewed_council, editor_a, page_a):
    council_provision(council=reviewed_council)
    reviewed_council.save_revision().publish()
    assert not page_a.permissions_for_user(editor_a).can_publish()


def test_editors_see_submit_to_the_city_review_and_no_publish_button(
    client, reviewed_council, editor_a, page_a
):
    client.force_login(editor_a)
    html, _data = _edit_form(client, page_a)
    assert 'name="action-submit"' in html
    assert REVIEW_WORKFLOW_NAME in html
    assert 'name="action-publish"' not in html


def test_only_the_city_may_switch_the_review(client, council_a, editor_a, city_staff):
    client.force_login(editor_a)
    html, _data = _edit_form(client, council_a)
    assert 'name="review_required"' not in html
    client.force_login(city_staff)
    html, _data = _edit_form(client, council_a)
    assert 'name="review_required"' in html


def test_an_editor_cannot_publish_by_posting_the_publish_action(client, reviewed_council, editor_a, page_a):
    client.force_login(editor_a)
    _editor_publishes_draft(client, page_a, "Titre forcé", "action-publish")
    page_a.refresh_from_db()
    assert page_a.title == "Fête du quartier", "the live page is unchanged"


def test_a_submission_notifies_the_city_which_approves_with_a_comment(
    client, reviewed_council, editor_a, city_staff, page_a, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(editor_a)
    with django_capture_on_commit_callbacks(execute=True):
        _editor_publishes_draft(client, page_a, "Fête du quartier, nouvelle date", "action-submit")
    state = WorkflowState.objects.get(object_id=str(page_a.pk))
    assert state.status == WorkflowState.STATUS_IN_PROGRESS
    page_a.refresh_from_db()
    assert page_a.title == "Fête du quartier", "nothing is published before the city approves"
    assert city_staff.email in [address for mail in mailoutbox for address in mail.to]

    # The city can still edit the page under review, and approves it with a comment.
    client.force_login(city_staff)
    html, _data = _edit_form(client, page_a)
    assert 'name="action-publish"' in html
    mailoutbox.clear()
    url = reverse(
        "wagtailadmin_pages:workflow_action", args=[page_a.pk, "approve", state.current_task_state_id]
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"comment": "Parfait, merci."})
    assert response.status_code == 302
    page_a.refresh_from_db()
    assert page_a.live and page_a.title == "Fête du quartier, nouvelle date"
    state.refresh_from_db()
    assert state.status == WorkflowState.STATUS_APPROVED
    assert editor_a.email in [address for mail in mailoutbox for address in mail.to]


def test_the_city_rejects_with_a_comment_that_reaches_the_editor(
    client, reviewed_council, editor_a, city_staff, page_a, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(editor_a)
    _editor_publishes_draft(client, page_a, "Titre à revoir", "action-submit")
    state = WorkflowState.objects.get(object_id=str(page_a.pk))
    client.force_login(city_staff)
    mailoutbox.clear()
    url = reverse(
        "wagtailadmin_pages:workflow_action", args=[page_a.pk, "reject", state.current_task_state_id]
    )
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"comment": "Retirez le nom du voisin."})
    state.refresh_from_db()
    assert state.status == WorkflowState.STATUS_NEEDS_CHANGES
    page_a.refresh_from_db()
    assert page_a.title == "Fête du quartier"
    mails = [mail for mail in mailoutbox if editor_a.email in mail.to]
    assert mails and "Retirez le nom du voisin." in mails[0].body


def test_switching_the_review_off_lets_editors_publish_again(client, reviewed_council, editor_a, page_a):
    _set_review(reviewed_council, False)
    assert not WorkflowPage.objects.filter(page=reviewed_council).exists()
    assert page_a.get_workflow() is None
    client.force_login(editor_a)
    html, _data = _edit_form(client, page_a)
    assert 'name="action-publish"' in html and 'name="action-submit"' not in html
    _editor_publishes_draft(client, page_a, "Fête du quartier, publiée", "action-publish")
    page_a.refresh_from_db()
    assert page_a.title == "Fête du quartier, publiée"


def test_without_review_an_editor_publishes_directly(client, council_a, editor_a, page_a):
    assert page_a.get_workflow() is None
    client.force_login(editor_a)
    _editor_publishes_draft(client, page_a, "Fête du quartier 2027", "action-publish")
    page_a.refresh_from_db()
    assert page_a.title == "Fête du quartier 2027"
    assert not WorkflowState.objects.exists()


def test_the_review_of_one_council_does_not_touch_another(reviewed_council, council_b):
    assert not WorkflowPage.objects.filter(page=council_b).exists()
    editors_b = council_b.access.editors_group
    assert GroupPagePermission.objects.filter(
        group=editors_b, page=council_b, permission__codename="publish_page"
    ).exists()
