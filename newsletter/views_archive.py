"""The web version of a sent issue (composing helper)."""

from django.http import Http404


def issue_archive(request, issue_id):
    raise Http404
