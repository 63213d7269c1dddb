from django.core.management.base import BaseCommand

from councils.models import CouncilPage
from councils.services import sandboxes_provision
from training.services import sandbox_reset


class Command(BaseCommand):
    help = "Empty every sandbox council and put back its practice material (run it weekly: see the README)."

    def handle(self, *args, **options):
        sandboxes_provision()
        count = 0
        for sandbox in CouncilPage.objects.filter(is_sandbox=True):
            sandbox_reset(sandbox=sandbox)
            count += 1
            self.stdout.write(f"Bac à sable remis à zéro : {sandbox.title}")
        if not count:
            self.stdout.write("Aucun bac à sable.")
