from django.core.management.base import BaseCommand, CommandError
from django.utils.text import slugify

from councils.models import CouncilIndexPage, CouncilKind, CouncilPage
from councils.services import council_add_editor, council_create, council_provision


class Command(BaseCommand):
    help = (
        "Create a council (or bring an existing one back in step) with its groups, collections and "
        "permissions. Running it twice changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("title", help="The council's name, e.g. 'Conseil de quartier Centre'.")
        parser.add_argument("--slug", default="", help="URL slug (defaults to one made from the title).")
        parser.add_argument("--kind", default=CouncilKind.NEIGHBOURHOOD, choices=CouncilKind.values)
        parser.add_argument("--area", default="", help="Streets or districts the council covers.")
        parser.add_argument("--sandbox", action="store_true", help="Make it a practice space.")
        parser.add_argument(
            "--editor", action="append", default=[], help="Username or email of an editor (repeatable)."
        )

    def handle(self, *args, **options):
        from django.contrib.auth import get_user_model

        index = CouncilIndexPage.objects.first()
        if index is None:
            raise CommandError("No council index page exists: run `manage.py seed_demo` or create one.")
        # Find every editor first: an unknown one stops the command before anything is written.
        user_model = get_user_model()
        editors = []
        for identifier in options["editor"]:
            field = "email__iexact" if "@" in identifier else "username__iexact"
            user = user_model.objects.filter(**{field: identifier}).first()
            if user is None:
                raise CommandError(f"No user '{identifier}'.")
            editors.append(user)

        slug = options["slug"] or slugify(options["title"])
        council = CouncilPage.objects.child_of(index).filter(slug=slug).first()
        if council is None:
            council = council_create(
                parent=index,
                title=options["title"],
                slug=slug,
                kind=options["kind"],
                area=options["area"],
                is_sandbox=options["sandbox"],
            )
            self.stdout.write(self.style.SUCCESS(f"Created council {council.title} ({council.url_path})."))
        else:
            council_provision(council=council)
            self.stdout.write(f"Council {council.title} already exists: brought back in step.")

        for user in editors:
            council_add_editor(council=council, user=user)
            self.stdout.write(f"{user.username} edits {council.title}.")
