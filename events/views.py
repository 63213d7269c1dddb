"""Public registration views (helper H3): the form on the event page, the manage/cancel page."""

from django.http import Http404


def register(request, event):
    """POST from the event page's form (EventPage route `inscription/`)."""
    raise Http404


def registration_manage(request, token):
    """See one's registration, its status, and cancel it (POST)."""
    raise Http404
