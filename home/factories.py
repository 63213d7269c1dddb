import factory
import wagtail_factories

from .demo_content import body_blocks
from .models import HomePage, StandardPage


class HomePageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = HomePage

    title = "Participer à la vie de la ville"
    slug = "accueil"
    intro = "<p>Les conseils citoyens de la ville, leurs réunions et leurs travaux.</p>"


class StandardPageFactory(wagtail_factories.PageFactory):
    """A plain page; pass `body=body_blocks([...])` for content. Get-or-create by parent and slug."""

    class Meta:
        model = StandardPage
        django_get_or_create = ("parent", "slug")

    title = factory.Sequence(lambda n: f"Page {n}")
    slug = factory.Sequence(lambda n: f"page-{n}")
    intro = "Une page d’information."
    body = factory.LazyFunction(
        lambda: body_blocks([("h2", "En bref"), ("p", "<p>Quelques lignes de présentation.</p>")])
    )
