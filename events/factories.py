"""Factories for events and registrations (tests and the demo share them)."""

from datetime import time, timedelta

from django.utils import timezone

import factory
import wagtail_factories

from core.dated import ItemFormat

from .models import EventPage, EventRoom, EventSession, Registration, RegistrationMode, RegistrationStatus


class EventPageFactory(wagtail_factories.PageFactory):
    """An event in three weeks, 9:30–17:00, free, without registration unless told."""

    class Meta:
        model = EventPage

    title = factory.Sequence(lambda n: f"Rencontre n° {n}")
    slug = factory.Sequence(lambda n: f"rencontre-{n}")
    start = factory.LazyFunction(
        lambda: (timezone.localtime() + timedelta(days=21)).replace(
            hour=9, minute=30, second=0, microsecond=0
        )
    )
    end = factory.LazyAttribute(lambda m: m.start.replace(hour=17, minute=0))
    format = ItemFormat.IN_PERSON
    place_name = "Maison des associations"
    place_address = "12 rue de la République"
    access_notes = "Accessible en fauteuil roulant ; tram ligne 1, arrêt Mairie."
    summary = "Une journée d’échanges entre habitants, bénévoles et services de la ville."
    audience = "Tout public"
    registration_mode = RegistrationMode.NONE


class RegistrationEventFactory(EventPageFactory):
    """An event taking registrations on Parvis, 20 seats, open now."""

    registration_mode = RegistrationMode.PARVIS
    capacity = 20


class EventRoomFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EventRoom

    page = factory.SubFactory(EventPageFactory)
    name = factory.Sequence(lambda n: f"Salle {n}")
    details = "Au rez-de-chaussée"


class EventSessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EventSession

    page = factory.SubFactory(EventPageFactory)
    start_time = time(10, 0)
    end_time = time(10, 45)
    title = factory.Sequence(lambda n: f"Atelier {n}")


class RegistrationFactory(factory.django.DjangoModelFactory):
    """A registration row as it is stored (no seat taken: use events.registrations for the real flow)."""

    class Meta:
        model = Registration

    event = factory.SubFactory(RegistrationEventFactory)
    status = RegistrationStatus.CONFIRMED
    name = factory.Faker("name", locale="fr_FR")
    email = factory.Sequence(lambda n: f"personne{n}@example.org")
    consent_at = factory.LazyFunction(timezone.now)
    confirmed_at = factory.LazyFunction(timezone.now)
