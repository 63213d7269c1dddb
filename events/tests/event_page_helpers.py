"""Building events with rooms and a programme for the event page's tests (page, JSON-LD, validation)."""

from datetime import UTC, datetime, time

from events.models import EventIndexPage, EventPage, EventRoom, EventSession
from events.tests.helpers import paris

#: The tests' clock: a Sunday morning, four weeks before the meetup.
NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)

MEETUP_ROOMS = [
    ("Auditorium", "Rez-de-chaussée, à gauche de l’accueil"),
    ("Salle Léman", "1er étage, ascenseur au fond du hall"),
    ("Atelier", "Rez-de-chaussée, au fond du couloir"),
]

MEETUP_SESSIONS = [
    dict(start_time=time(9, 30), end_time=time(10, 0), title="Accueil et café", room=""),
    dict(
        start_time=time(10, 0),
        end_time=time(11, 0),
        title="Ouverture : deux ans de Parvis",
        room="Auditorium",
        speakers="Claire Dumas, Karim Benali",
        description="Ce qui a changé dans les conseils depuis l’ouverture.",
    ),
    dict(
        start_time=time(11, 15),
        end_time=time(12, 15),
        title="Atelier : publier un compte rendu",
        room="Atelier",
        speakers="Julie Martin",
    ),
    dict(
        start_time=time(11, 15),
        end_time=time(12, 0),
        title="Retour d’expérience : la Biollay",
        room="Salle Léman",
        speakers="Paul Girard",
    ),
    dict(start_time=time(14, 0), end_time=time(15, 0), title="Table ronde", room="Auditorium"),
]


def city_agenda():
    return EventIndexPage.objects.get()


def event_build(*, rooms=(), sessions=(), **fields):
    """An unsaved EventPage with its rooms and sessions (in memory, as the editor's form builds them)."""
    start = fields.pop("start", paris(2026, 3, 28, 9, 30))
    fields.setdefault("end", start.replace(hour=17, minute=30))
    fields.setdefault("title", "Rencontre des utilisateurs de Parvis")
    fields.setdefault("slug", "rencontre-utilisateurs")
    fields.setdefault("place_name", "Maison des associations")
    fields.setdefault("place_address", "12 rue de la République, 73000 Parvis-sur-Lac")
    fields.setdefault("summary", "Une journée d’échanges entre les conseils, leurs bénévoles et la ville.")
    fields.setdefault("audience", "Bénévoles des conseils et habitants curieux")
    return EventPage(
        start=start,
        rooms=[EventRoom(name=name, details=details) for name, details in rooms],
        sessions=[EventSession(**session) for session in sessions],
        **fields,
    )


def event_publish(parent=None, **kwargs):
    """An event published under `parent` (the city agenda by default) through a revision."""
    event = event_build(**kwargs)
    (parent or city_agenda()).add_child(instance=event)
    event.save_revision().publish()
    return EventPage.objects.get(pk=event.pk)


def meetup_publish(parent=None, **fields):
    return event_publish(parent, rooms=MEETUP_ROOMS, sessions=MEETUP_SESSIONS, **fields)
