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
