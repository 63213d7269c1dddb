from django.contrib.auth import get_user_model

import factory
import wagtail_factories

from .models import CouncilIndexPage, CouncilKind, CouncilPage


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")

    @factory.post_generation
    def password(obj, create, extracted, **kwargs):
        obj.set_password(extracted or "demo")
        if create:
            obj.save(update_fields=["password"])


class CouncilIndexPageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = CouncilIndexPage

    title = "Conseils"
    slug = "conseils"


class CouncilPageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = CouncilPage

    title = factory.Sequence(lambda n: f"Conseil de quartier {n}")
    slug = factory.Sequence(lambda n: f"conseil-{n}")
    kind = CouncilKind.NEIGHBOURHOOD
    area = "Rue de la République, place du Marché"
    intro = "Un conseil de quartier qui se réunit chaque mois."


# -- Colleges, memberships and working groups (issue #16) ------------------------------------------


class CollegeFactory(factory.django.DjangoModelFactory):
    """A college of a council (pass `council=`)."""

    class Meta:
        model = "councils.College"
        django_get_or_create = ("council", "name")

    name = factory.Sequence(lambda n: f"Collège {n}")
    sort_order = factory.Sequence(lambda n: n)


class MembershipFactory(factory.django.DjangoModelFactory):
    """An open mandate, written through `council_add_member` / `council_add_editor` so that the council's
    groups follow (pass `council=`; `role="editor"` for an editor; `user`, `college`, `position`,
    `started_on` optional)."""

    class Meta:
        model = "councils.Membership"

    user = factory.SubFactory(UserFactory)
    role = "member"
    college = None
    position = None
    started_on = None

    @classmethod
    def _create(
        cls,
        model_class,
        *,
        council,
        user,
        role="member",
        college=None,
        position=None,
        started_on=None,
        **kwargs,
    ):
        from .services import council_add_editor, council_add_member

        add = council_add_editor if role == "editor" else council_add_member
        return add(council=council, user=user, college=college, position=position, started_on=started_on)


def working_group_create(council, title, members=(), *, intro="", live=True):
    """A published working group `title` under `council`'s working-groups index (created when missing),
    provisioned, with `members` as its members. People not yet members of the council are made members
    first (`council_add_member`). Returns the `WorkingGroupPage`. Stable signature: used by other apps'
    tests and by the demo."""
    from .working_groups import working_group_create as create

    return create(council=council, title=title, members=members, intro=intro, live=live)
