"""iCalendar (RFC 5545) output for meetings: one meeting, a council's feed, the city's feed.

Placeholder: implemented by the calendars work (issue #4).
"""

from django.http import Http404


def meeting_ics_response(request, *, meeting):
    raise Http404


def council_feed_response(request, *, index):
    raise Http404
