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


from django.db import transaction  # noqa: E402
from django.db.models.signals import m2m_changed  # noqa: E402

from wagtail.models import CollectionViewRestriction, PageViewRestriction  # noqa: E402
from wagtail.signals import post_page_move  # noqa: E402

from . import working_groups  # noqa: E402
from .models import WorkingGroupAccess, WorkingGroupIndexPage, WorkingGroupPage  # noqa: E402

# -- Working groups (issue #16): provisioned when their pages are saved, drafts included -------------


@receiver(post_save, sender=WorkingGroupPage)
def working_group_saved(sender, instance, created, raw=False, update_fields=None, **kwargs):
    if raw:
        return
    if update_fields is not None and not {"title", "slug", "path"} & set(update_fields):
        return
    working_groups.working_group_provision(working_group=instance)


@receiver(post_save, sender=WorkingGroupIndexPage)
def working_group_index_saved(sender, instance, created, raw=False, update_fields=None, **kwargs):
    if raw:
        return
    if update_fields is not None and not {"path"} & set(update_fields):
        return
    working_groups.working_group_index_provision(index=instance)


@receiver(post_delete, sender=WorkingGroupAccess)
def working_group_access_deleted(sender, instance, **kwargs):
    # The group goes with the working group. The collection stays (still private to the council's
    # editors and the city): it may hold documents the city must keep.
    from django.contrib.auth.models import Group

    Group.objects.filter(pk=instance.group_id).delete()


@receiver(post_page_move)
def working_groups_moved(sender, instance, **kwargs):
    # A page move saves the generic Page, not the specific one: bring in step every working group (and
    # index) in the moved subtree, whose council may have changed.
    for index in WorkingGroupIndexPage.objects.descendant_of(instance, inclusive=True):
        working_groups.working_group_index_provision(index=index)
    for working_group in WorkingGroupPage.objects.descendant_of(instance, inclusive=True):
        working_groups.working_group_provision(working_group=working_group)


@receiver(page_published, sender=WorkingGroupPage)
def working_group_published(sender, instance, **kwargs):
    # A working group created as a draft got draft sections: they go live with it, once.
    working_groups.working_group_sections_publish(working_group=instance)


# A safety net: a working group's (or its index's) view restriction changed or removed by anyone else (the
# admin's privacy dialog) is put back once the change is committed.


def _restore_later(**ids):
    if working_groups.provisioning_in_progress():
        return
    transaction.on_commit(lambda: working_groups.working_groups_restore(**ids))


@receiver(post_delete, sender=PageViewRestriction)
@receiver(post_save, sender=PageViewRestriction)
def page_view_restriction_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        _restore_later(page_id=instance.page_id)


@receiver(post_delete, sender=CollectionViewRestriction)
@receiver(post_save, sender=CollectionViewRestriction)
def collection_view_restriction_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        _restore_later(collection_id=instance.collection_id)


@receiver(m2m_changed, sender=PageViewRestriction.groups.through)
def page_view_restriction_groups_changed(sender, instance, action, **kwargs):
    if action in ("post_add", "post_remove", "post_clear") and isinstance(instance, PageViewRestriction):
        _restore_later(page_id=instance.page_id)


@receiver(m2m_changed, sender=CollectionViewRestriction.groups.through)
def collection_view_restriction_groups_changed(sender, instance, action, **kwargs):
    if action in ("post_add", "post_remove", "post_clear") and isinstance(
        instance, CollectionViewRestriction
    ):
        _restore_later(collection_id=instance.collection_id)
