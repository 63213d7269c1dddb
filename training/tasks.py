"""Training's background work: the weekly reset of the sandboxes (scheduled in jobs.schedule)."""

import logging

from django_tasks import task

logger = logging.getLogger("training")


@task()
def sandboxes_reset() -> int:
    """Empty every sandbox council and put back its practice material, as `manage.py reset_sandbox` does.
    Returns how many sandboxes were reset."""
    from councils.models import CouncilPage
    from councils.services import sandboxes_provision

    from .services import sandbox_reset

    sandboxes_provision()
    count = 0
    for sandbox in CouncilPage.objects.filter(is_sandbox=True):
        sandbox_reset(sandbox=sandbox)
        logger.info("Sandbox reset: %s", sandbox.title)
        count += 1
    return count
