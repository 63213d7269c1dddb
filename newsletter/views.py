"""Public views of the newsletter (subscription helper). Placeholders until implemented."""

from django.http import Http404


def _todo(*args, **kwargs):
    raise Http404


newsletter_page = subscribe = subscribe_done = confirm = preferences = preferences_request = _todo
unsubscribe = _todo
