"""Signal receivers: thin, they only call services."""

from django.db.models.signals import post_save

from councils.models import CouncilPage

from . import services


def council_saved(sender, instance, created=False, raw=False, update_fields=None, **kwargs):
    """Apply the council's review setting once it is saved (published); cheap when nothing changed.

    Connected after councils' own receiver, so that provisioning has run first.
    """
    if raw:
        return
    if update_fields is not None and "review_required" not in update_fields:
        return
    if instance.review_required or (not created and not services.council_review_in_step(instance)):
        services.council_review_sync(council=instance)


def after_migrate(sender, **kwargs):
    services.moderation_roles_provision()


def connect():
    post_save.connect(council_saved, sender=CouncilPage, dispatch_uid="moderation_council_review_sync")
