from datetime import timedelta

from django.utils import timezone

import factory
import wagtail_factories

from .blocks import agenda_item  # noqa: F401  (re-exported for tests)
from .models import MeetingFormat, MeetingIndexPage, MeetingPage


class MeetingIndexPageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = MeetingIndexPage

    title = "Réunions"
    slug = "reunions"
    intro = "Les séances du conseil, ouvertes à toutes et à tous."

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        """A council is created with its meetings index: get that one, with the given fields applied."""
        parent = kwargs.get("parent")
        existing = model_class.objects.child_of(parent).first() if parent is not None else None
        if existing is None:
            return super()._create(model_class, *args, **kwargs)
        for name, value in kwargs.items():
            if name != "parent":
                setattr(existing, name, value)
        existing.save()
        return existing


class MeetingPageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = MeetingPage

    title = factory.Sequence(lambda n: f"Séance plénière n° {n}")
    slug = factory.Sequence(lambda n: f"seance-{n}")
    start = factory.LazyFunction(
        lambda: (timezone.localtime() + timedelta(days=14)).replace(
            hour=18, minute=30, second=0, microsecond=0
        )
    )
    end = factory.LazyAttribute(lambda m: m.start + timedelta(hours=2))
    format = MeetingFormat.IN_PERSON
    place_name = "Maison des associations"
    place_address = "12 rue de la République"
    access_notes = "Salle au rez-de-chaussée, accessible en fauteuil roulant."
    summary = "Séance ouverte au public."
