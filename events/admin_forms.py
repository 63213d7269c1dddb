"""The event editor's form: a programme that fits the event, rooms that exist, seats that cannot vanish.

Kept apart from events.models (which imports it as `EventPage.base_form_class`), so it reads the page only
through the instance (`self.instance`: its helpers and reverse relations). Every message is in French,
on the field to correct: a session's own fields in the Programme tab, the page's in their tab.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from core.forms import FencedPageForm
from core.typography import french_date, french_time, french_time_range

#: The registration mode that takes registrations on this site (events.models.RegistrationMode.PARVIS).
PARVIS = "parvis"


def _local(day, value):
    return datetime.combine(day, value, tzinfo=ZoneInfo(settings.TIME_ZONE))


def _when(value, *, with_day):
    """ "9 h 30", or "samedi 14 mars, 9 h 30" for an event of several days."""
    if with_day:
        return f"{french_date(value, 'l j F')}, {french_time(value)}"
    return french_time(value)


def _kept_forms(formset):
    """The formset's forms with clean data, less those being deleted (inline panels delete by a flag).
    A row with errors of its own keeps them; its other fields are still checked."""
    if formset is None:
        return []
    formset.is_valid()  # cleans every row
    return [
        form
        for form in formset.forms
        if getattr(form, "cleaned_data", None) is not None and not form.cleaned_data.get("DELETE")
    ]


class EventPageForm(FencedPageForm):
    """The rules an editor meets when saving an event (on top of `EventPage.dated_errors`):

    - each session ends after it starts, on one of the event's days, within the event's hours;
    - a session's room is one of the event's rooms (when rooms are given; written as the room is named);
      a room never holds two sessions at once; two rooms never share a name;
    - registration on this site: at least one seat (empty = no limit), never fewer seats than already
      taken, registration that opens before it closes; once people are registered or waiting, the event
      keeps its registration and its waiting list (cancel the event, or close registration earlier).
    """

    def clean(self):
        cleaned_data = super().clean()
        self._clean_registration(cleaned_data)
        self._clean_programme(cleaned_data)
        return cleaned_data

    # -- Registration ----------------------------------------------------------------------------------

    def _clean_registration(self, data):
        event = self.instance
        mode = data.get("registration_mode")
        capacity = data.get("capacity")
        saved = bool(event.pk)
        taken = event.seats_taken() if saved else 0
        active = event.active_registration_count() if saved else 0
        waiting = event.waiting_count() if saved else 0

        if active and mode is not None and mode != PARVIS:
            self.add_error(
                "registration_mode",
                _(
                    "People are registered on this site (%(count)s). Keep registration here: to stop it, "
                    "set an earlier closing date, or cancel the event."
                )
                % {"count": active},
            )
        if mode != PARVIS:
            return
        if capacity is not None and capacity < 1:
            self.add_error("capacity", _("Give at least one seat, or leave the capacity empty for no limit."))
        elif capacity is not None and capacity < taken:
            self.add_error(
                "capacity",
                _(
                    "Seats already taken: %(taken)s. The capacity cannot be lower; to welcome fewer people, "
                    "cancel registrations first."
                )
                % {"taken": taken},
            )
        if waiting and "waiting_list" in data and not data.get("waiting_list"):
            self.add_error(
                "waiting_list",
                _("People are on the waiting list (%(count)s): keep it until they have been offered a seat.")
                % {"count": waiting},
            )
        opens = data.get("registration_opens_at")
        closes = data.get("registration_closes_at") or data.get("start")
        if opens and closes and not data.get("registration_closes_at") and opens >= closes:
            self.add_error(
                "registration_opens_at",
                _(
                    "Registration must open before the event starts: it closes then, unless you set a closing date."
                ),
            )

    # -- Programme -------------------------------------------------------------------------------------

    def _clean_programme(self, data):
        formsets = getattr(self, "formsets", {})
        rooms = self._clean_rooms(formsets.get("rooms"))
        start, end = data.get("start"), data.get("end")
        if start and end and end <= start:
            start = end = None  # the page's own error comes first
        sessions = _kept_forms(formsets.get("sessions"))
        placed = []
        for form in sessions:
            window = self._clean_session(form, start=start, end=end, rooms=rooms)
            if window is not None:
                placed.append((form, *window))
        self._clean_room_overlaps(placed)

    def _clean_rooms(self, formset):
        """{casefolded name: name as written} of the event's rooms; a name used twice is refused."""
        rooms = {}
        for form in _kept_forms(formset):
            name = (form.cleaned_data.get("name") or "").strip()
            if not name:
                continue
            key = name.casefold()
            if key in rooms:
                form.add_error("name", _("Another room already has this name."))
                continue
            rooms[key] = name
        return rooms

    def _clean_session(self, form, *, start, end, rooms):
        """Check one session; return (room key, starts, ends) to check overlaps, or None."""
        cleaned = form.cleaned_data
        start_time, end_time, day = cleaned.get("start_time"), cleaned.get("end_time"), cleaned.get("day")
        if start_time is None:
            return None
        ok = True
        if end_time is not None and end_time <= start_time:
            form.add_error("end_time", _("The session must end after it starts."))
            ok = False

        room = (cleaned.get("room") or "").strip()
        room_key = room.casefold() if room else None
        if room and rooms:
            if room_key in rooms:
                # Written as the room is named, so that the "by room" programme groups them.
                cleaned["room"] = form.instance.room = rooms[room_key]
            else:
                form.add_error(
                    "room",
                    _("Choose one of the event's rooms: %(rooms)s.") % {"rooms": ", ".join(rooms.values())},
                )
                ok = False

        if start is None or end is None:
            return None
        first_day = timezone.localtime(start).date()
        last_day = timezone.localtime(end).date()
        several_days = first_day != last_day
        session_day = day or first_day
        if not first_day <= session_day <= last_day:
            if several_days:
                message = _("This day is not one of the event's days (from %(first)s to %(last)s).") % {
                    "first": french_date(first_day, "l j F Y"),
                    "last": french_date(last_day, "l j F Y"),
                }
            else:
                message = _("The event takes place on %(day)s only.") % {
                    "day": french_date(first_day, "l j F Y")
                }
            form.add_error("day", message)
            return None
        starts = _local(session_day, start_time)
        ends = _local(session_day, end_time) if end_time is not None and ok else starts
        if starts < start:
            form.add_error(
                "start_time",
                _("The session starts before the event (%(start)s).")
                % {"start": _when(timezone.localtime(start), with_day=several_days)},
            )
            ok = False
        elif starts >= end:
            form.add_error(
                "start_time",
                _("The session starts after the event has ended (%(end)s).")
                % {"end": _when(timezone.localtime(end), with_day=several_days)},
            )
            ok = False
        elif ends > end:
            form.add_error(
                "end_time",
                _("The session ends after the event (%(end)s).")
                % {"end": _when(timezone.localtime(end), with_day=several_days)},
            )
            ok = False
        if not ok or not room_key:
            return None
        return room_key, starts, ends

    def _clean_room_overlaps(self, placed):
        """A room holds one session at a time: the later of two overlapping sessions gets the error."""
        placed = sorted(placed, key=lambda entry: (entry[1], entry[2]))
        last_in_room = {}
        for form, room_key, starts, ends in placed:
            previous = last_in_room.get(room_key)
            if previous is not None:
                other, other_starts, other_ends = previous
                if starts == other_starts or starts < other_ends:
                    form.add_error(
                        "start_time",
                        _("The room “%(room)s” is already taken by “%(title)s” (%(time)s).")
                        % {
                            "room": form.cleaned_data.get("room") or other.cleaned_data.get("room"),
                            "title": other.cleaned_data.get("title", ""),
                            "time": french_time_range(other_starts, other_ends)
                            if other_ends > other_starts
                            else french_time(other_starts),
                        },
                    )
                    continue
            if previous is None or ends > previous[2]:
                last_in_room[room_key] = (form, starts, ends)
