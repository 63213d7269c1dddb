"""Remove what Wagtail installs for a generic site and Parvis does not use: the "Moderators approval"
workflow (wagtailcore 0048: one GroupApprovalTask for the "Moderators" group, attached to the root page)
and the "Editors" and "Moderators" groups (wagtailcore 0002 / 0001_squashed: page permissions on the root
page, then admin, document and image permissions). Councils have their own groups; the city reviews
councils that ask for it with its own workflow (moderation.services.council_review_sync).

Only Wagtail's defaults go: a group or workflow of that name that someone changed (page permissions
below the root, another task, another group) is left alone.
"""

from django.db import migrations

DEFAULT_GROUPS = ("Editors", "Moderators")
DEFAULT_WORKFLOW = "Moderators approval"


def _is_default_workflow(workflow, GroupApprovalTask):
    tasks = [wt.task_id for wt in workflow.workflow_tasks.all()]
    if len(tasks) != 1:
        return False
    task = GroupApprovalTask.objects.filter(pk=tasks[0], name=DEFAULT_WORKFLOW).first()
    if task is None:
        return False
    return set(task.groups.values_list("name", flat=True)) <= {"Moderators"}


def remove_defaults(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Workflow = apps.get_model("wagtailcore", "Workflow")
    GroupApprovalTask = apps.get_model("wagtailcore", "GroupApprovalTask")
    Task = apps.get_model("wagtailcore", "Task")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")

    for workflow in Workflow.objects.filter(name=DEFAULT_WORKFLOW):
        if not _is_default_workflow(workflow, GroupApprovalTask):
            continue
        task_ids = list(workflow.workflow_tasks.values_list("task_id", flat=True))
        workflow.delete()  # with its pages, content types, tasks links and states
        for task in GroupApprovalTask.objects.filter(pk__in=task_ids):
            if not task.workflow_tasks.exists():
                task.delete()
        Task.objects.filter(pk__in=task_ids, workflow_tasks__isnull=True).delete()

    for group in Group.objects.filter(name__in=DEFAULT_GROUPS):
        customised = GroupPagePermission.objects.filter(group=group).exclude(page__depth=1).exists()
        if not customised:
            group.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("moderation", "0001_initial"),
        ("councils", "0003_councilpage_review_required"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
        ("wagtaildocs", "0002_initial_data"),
        ("wagtailimages", "0002_initial_data"),
    ]

    operations = [migrations.RunPython(remove_defaults, migrations.RunPython.noop)]
