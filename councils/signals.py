"""Signal receivers: thin, they only call services."""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.contrib.contenttypes.management import create_contenttypes
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from wagtail.signals import page_published

from . import services
from .models import CouncilAccess, CouncilPage


def provision_city_roles(sender, using="default", verbosity=0, **kwargs):
    """After migrate (and after a test flush): make sure the city's roles exist with their rights.

    Permissions of apps listed after this one are not created yet when our post_migrate runs, so
    create them first (both calls are idempotent).
    """
    for app_config in global_apps.get_app_configs():
        create_contenttypes(app_config, verbosity=0, using=using)
        create_permissions(app_config, verbosity=0, using=using)
    services.communications_team_provision()
    for council in CouncilPage.objects.all():
        services.council_provision(council=council)


@receiver(post_save, sender=CouncilPage)
def council_saved(sender, instance, created, raw=False, update_fields=None, **kwargs):
    if raw:
        return
    if update_fields is not None and not {"title", "slug", "path"} & set(update_fields):
        return
    if created:
        services.council_provision(council=instance)
    else:
        services.council_sync_names(council=instance)


@receiver(page_published, sender=CouncilPage)
def council_published(sender, instance, **kwargs):
    # A council created as a draft in the admin got draft sections: they go live with it, once.
    services.council_sections_publish(council=instance)


@receiver(post_delete, sender=CouncilAccess)
def council_access_deleted(sender, instance, **kwargs):
    # The groups go with the council. Collections stay: they may hold documents the city must keep.
    from django.contrib.auth.models import Group

    Group.objects.filter(pk__in=[instance.editors_group_id, instance.members_group_id]).delete()
