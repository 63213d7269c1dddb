import datetime

import factory
import wagtail_factories

from home.demo_content import body_blocks

from .models import BlogIndexPage, BlogPage


class BlogIndexPageFactory(wagtail_factories.PageFactory):
    """A blog; get-or-create by parent and slug (a council's is provisioned with it)."""

    class Meta:
        model = BlogIndexPage
        django_get_or_create = ("parent", "slug")

    title = "Actualités"
    slug = "actualites"


class BlogPageFactory(wagtail_factories.PageFactory):
    """A news post. `tags=["a", "b"]` tags it; get-or-create by parent and slug."""

    class Meta:
        model = BlogPage
        django_get_or_create = ("parent", "slug")
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Actualité {n}")
    slug = factory.Sequence(lambda n: f"actualite-{n}")
    date = factory.Sequence(lambda n: datetime.date(2026, 1, 1) + datetime.timedelta(days=n % 300))
    author = "Par le service communication"
    intro = "Quelques lignes pour présenter la nouvelle."
    body = factory.LazyFunction(lambda: body_blocks([("p", "<p>Le texte de la nouvelle.</p>")]))

    @factory.post_generation
    def tags(obj, create, extracted, **kwargs):
        if extracted:
            obj.tags.add(*extracted)
            if create:
                obj.save()
