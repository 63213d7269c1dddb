from datetime import timedelta

from django.utils import timezone

import factory
import wagtail_factories

from .models import MeetingFormat, MeetingIndexPage, MeetingPage


class MeetingIndexPageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = MeetingIndexPage

    title = "Réunions"
    slug = "reunions"
    intro = "Les séances du conseil, ouvertes à toutes et à tous."


def agenda_item(title, duration=30, presenter="", description="", sub_items=()):
    """One agenda item as StreamField raw data, for `MeetingPageFactory(agenda=[...])`."""
    return {
        "type": "item",
        "value": {
            "title": title,
            "description": description,
            "duration": duration,
            "presenter": presenter,
            "sub_items": [{"title": s, "description": ""} for s in sub_items],
        },
    }


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
