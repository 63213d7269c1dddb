"""Error pages of the public site."""

from django.http import HttpResponseServerError
from django.shortcuts import render
from django.template import loader


def page_not_found(request, exception=None):
    """A 404 inside the site's layout, with ways back in."""
    return render(request, "404.html", status=404)


def server_error(request):
    """A standalone 500: no context processors, no database (it may be why we are here)."""
    return HttpResponseServerError(loader.get_template("500.html").render())
