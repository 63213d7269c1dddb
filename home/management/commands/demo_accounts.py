"""`manage.py demo_accounts`: the demo's accounts and where to use them (`make demo` prints it)."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.urls import reverse
from django.utils import timezone

from attendance.models import CheckInCode
from councils.models import CouncilPage, WorkingGroupPage
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
        if role == content.PARTICIPANT["role"]:
            also = content.PARTICIPANT["also"]
            council += f", {titles.get(also) or fallback[also]}"
        label = content.ROLE_LABELS[role] + ("" if username in existing else " (absent : lancez seed_demo)")
        rows.append((f"`{username}`", f"`{content.DEMO_PASSWORD}`", label, council))
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = [
        "| " + " | ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) + " |" for row in rows
    ]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return lines


def participant_tour(base_url):
    """What to try with the participant's account: "Mon espace", the open vote, the check-in code."""
    spec = content.PARTICIPANT
    if not get_user_model().objects.filter(username=spec["username"]).exists():
        return []
    lines = [
        f"À essayer avec `{spec['username']}` (membre de l’assemblée citoyenne et du Centre-Ville) :",
        f"  Mon espace        : {base_url}{reverse('accounts:member_space')}",
    ]
    working_group = WorkingGroupPage.objects.live().filter(access__council__slug=spec["also"]).first()
    if working_group is not None:
        lines.append(f"  Groupe de travail : {base_url}{working_group.url} (réservé à ses membres)")
    now = timezone.now()
    code = (
        CheckInCode.objects.filter(
            meeting__path__startswith=CouncilPage.objects.get(slug=spec["council"]).path,
            valid_from__lte=now,
            valid_until__gte=now,
        )
        .select_related("meeting")
        .first()
        if CouncilPage.objects.filter(slug=spec["council"]).exists()
        else None
    )
    if code is not None:
        day = timezone.localtime(code.meeting.start).strftime("%d/%m/%Y")
        lines.append(f"  Code de pointage  : {code.code} ({code.meeting.title}, le {day})")
    lines.append("  Une proposition est ouverte au vote dans l’assemblée et une autre dans le groupe.")
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
        self.stdout.write(
            "Les 130 membres de l’assemblée et les habitants du groupe de travail sont inventés "
            "(adresses @example.org) et ne peuvent pas se connecter."
        )
        tour = participant_tour(base_url)
        if tour:
            self.stdout.write("")
            for line in tour:
                self.stdout.write(line)
        self.stdout.write("")
