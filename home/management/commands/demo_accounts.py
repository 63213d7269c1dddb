"""`manage.py demo_accounts`: the demo's accounts and where to use them (`make demo` prints it)."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from councils.models import CouncilPage
from home import demo_content as content


def accounts_table():
    """The lines of the accounts table, in Markdown (also pasted in the README)."""
    titles = dict(
        CouncilPage.objects.filter(slug__in=[c["slug"] for c in content.COUNCILS]).values_list(
            "slug", "title"
        )
    )
    fallback = {c["slug"]: c["title"] for c in content.COUNCILS}
    existing = set(
        get_user_model()
        .objects.filter(username__in=[a[0] for a in content.demo_accounts()])
        .values_list("username", flat=True)
    )
    rows = [("identifiant", "mot de passe", "rôle", "conseil")]
    for username, role, slug in content.demo_accounts():
        council = (titles.get(slug) or fallback[slug]) if slug else "tous"
        label = content.ROLE_LABELS[role] + ("" if username in existing else " (absent : lancez seed_demo)")
        rows.append((f"`{username}`", f"`{content.DEMO_PASSWORD}`", label, council))
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = [
        "| " + " | ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) + " |" for row in rows
    ]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return lines


class Command(BaseCommand):
    help = "Print the demo accounts (password 'demo') and the demo's addresses."

    def add_arguments(self, parser):
        parser.add_argument("--base-url", default="http://127.0.0.1:8000", help="Where the demo is served.")

    def handle(self, *args, **options):
        base_url = options["base_url"].rstrip("/")
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS("Parvis — démo"))
        self.stdout.write(f"  Site public    : {base_url}/")
        self.stdout.write(f"  Administration : {base_url}/admin/")
        self.stdout.write(f"  Mot de passe de tous les comptes : {content.DEMO_PASSWORD}")
        self.stdout.write("")
        for line in accounts_table():
            self.stdout.write(line)
        self.stdout.write("")
