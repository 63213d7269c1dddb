"""Every person already in a council's groups gets an open mandate (editors' role wins)."""

from django.db import migrations
from django.utils import timezone


def memberships_from_groups(apps, schema_editor):
    CouncilAccess = apps.get_model("councils", "CouncilAccess")
    Membership = apps.get_model("councils", "Membership")
    today = timezone.localdate()
    for access in CouncilAccess.objects.all():
        roles = {}
        for user_id in access.members_group.user_set.values_list("pk", flat=True):
            roles[user_id] = "member"
        for user_id in access.editors_group.user_set.values_list("pk", flat=True):
            roles[user_id] = "editor"
        existing = set(
            Membership.objects.filter(council_id=access.council_id, ended_on__isnull=True).values_list(
                "user_id", flat=True
            )
        )
        Membership.objects.bulk_create(
            [
                Membership(council_id=access.council_id, user_id=user_id, role=role, started_on=today)
                for user_id, role in roles.items()
                if user_id not in existing
            ]
        )


class Migration(migrations.Migration):
    dependencies = [("councils", "0004_memberships_working_groups")]

    operations = [migrations.RunPython(memberships_from_groups, migrations.RunPython.noop)]
