"""Sortition's background work: drawing a panel, and running a draw again to check it."""

import logging

from django_tasks import task

logger = logging.getLogger("sortition")


@task()
def draw_run(draw_id: int) -> str:
    """Draw the panel of `SortitionDraw` `draw_id` (a maximin draw of a few hundred people takes a minute
    or more). Returns the draw's status."""
    from .models import SortitionDraw
    from .services import draw_run as run

    draw = SortitionDraw.objects.filter(pk=draw_id).first()
    if draw is None:
        return "missing"
    draw = run(draw=draw)
    logger.info("Sortition draw %s: %s", draw.pk, draw.status)
    return draw.status


@task()
def draw_verify(draw_id: int) -> bool | None:
    """Run draw `draw_id` again from its kept inputs; True when the panel is the same."""
    from .models import SortitionDraw
    from .services import draw_verify as verify

    draw = SortitionDraw.objects.filter(pk=draw_id).first()
    if draw is None:
        return None
    draw = verify(draw=draw)
    logger.info("Sortition draw %s checked: identical=%s", draw.pk, draw.verified_identical)
    return draw.verified_identical
