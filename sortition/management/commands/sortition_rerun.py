"""`manage.py sortition_rerun <id>`: run a draw again from its kept inputs and say whether the panel is
the same (anyone with shell access can check a draw this way)."""

from django.core.management.base import BaseCommand, CommandError

from sortition.models import SortitionDraw
from sortition.services import draw_rerun


class Command(BaseCommand):
    help = "Run a sortition draw again from its kept inputs (seed, algorithm, files) and compare the panels."

    def add_arguments(self, parser):
        parser.add_argument("draw_id", type=int)

    def handle(self, *args, draw_id, **options):
        draw = SortitionDraw.objects.filter(pk=draw_id).select_related("council").first()
        if draw is None:
            raise CommandError(f"No draw {draw_id}.")
        self.stdout.write(
            f"Draw {draw.pk} “{draw.title}” ({draw.council.title}): {draw.panel_size} people, seed {draw.seed}, "
            f"algorithm {draw.algorithm}, sortition-algorithms {draw.package_version or '?'}, status {draw.status}"
        )
        outcome = draw_rerun(draw=draw)
        recorded = ", ".join(outcome.previous) or "(none)"
        again = ", ".join(outcome.selected) or f"(none: {outcome.error})"
        self.stdout.write(f"Recorded panel: {recorded}")
        self.stdout.write(f"Run again:      {again}")
        if outcome.identical:
            self.stdout.write(self.style.SUCCESS("Identical: the same panel."))
        else:
            missing = sorted(set(outcome.previous) - set(outcome.selected))
            added = sorted(set(outcome.selected) - set(outcome.previous))
            self.stdout.write(self.style.ERROR(f"Different: not drawn again {missing}, newly drawn {added}."))
            raise CommandError("The panel is not the same.")
