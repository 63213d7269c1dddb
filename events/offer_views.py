"""Accepting a seat offered from the waiting list (helper H5)."""

from django.http import Http404


def offer_accept(request, token):
    """GET shows the offer and one button; POST accepts it (email scanners follow links with GET)."""
    raise Http404
