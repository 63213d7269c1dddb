"""Signal receivers: thin, they only call services."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from councils.models import CouncilPage
from councils.services import sandbox_in_step, sandboxes_provision


@receiver(post_save, sender=CouncilPage)
def council_saved(sender, instance, created, raw=False, **kwargs):
    # A council that became (or stopped being) a sandbox opens (or closes) to every council's editors.
    if not raw and not created and not sandbox_in_step(council=instance):
        sandboxes_provision()
