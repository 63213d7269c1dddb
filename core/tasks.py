"""Background tasks of the shared cache: purging tags in Varnish (or a CDN), and time passing.

`cache_purge` is queued by `core.http_cache` once the transaction that changed something has committed.
Purging twice, or a tag nothing carries, is harmless.
"""

import io
import logging
import time
import urllib.error
import urllib.request
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from django_tasks import task

logger = logging.getLogger("core.http_cache")

TAGS_PER_REQUEST = 100
ATTEMPTS = (0, 0.2, 1.0)


def purge_varnish(url: str, tags: list[str]) -> int:
    """Send `tags` to one Varnish node (`PURGE` with `xkey-purge`, as deploy/varnish/parvis.vcl expects);
    returns the number of objects it dropped."""
    dropped = 0
    for start in range(0, len(tags), TAGS_PER_REQUEST):
        chunk = " ".join(tags[start : start + TAGS_PER_REQUEST])
        for attempt, delay in enumerate(ATTEMPTS, start=1):
            time.sleep(delay)
            request = urllib.request.Request(url, method="PURGE", headers={"xkey-purge": chunk})  # noqa: S310
            try:
                with urllib.request.urlopen(request, timeout=settings.VARNISH_PURGE_TIMEOUT) as response:  # noqa: S310 (our own configured URL)
                    body = response.read().decode("ascii", "replace").strip()
                    dropped += int(body) if body.isdigit() else 0
                break
            except (urllib.error.URLError, OSError) as error:
                if attempt == len(ATTEMPTS):
                    raise
                logger.warning("Purge of %s failed (%s), retrying", url, error)
    return dropped


@task(priority=100)  # claimed before search indexing and reference tasks: readers wait on it
def cache_purge(tags: list[str]) -> int:
    """Drop every object tagged with one of `tags` from each shared cache node (VARNISH_PURGE_URLS)."""
    dropped = 0
    for url in settings.VARNISH_PURGE_URLS:
        dropped += purge_varnish(url, list(tags))
    logger.info("Purged %d tags, %d objects", len(tags), dropped)
    return dropped


@task()
def pages_publish_scheduled() -> None:
    """Every minute: Wagtail's scheduled publishing (`publish_scheduled`), whose signals purge the cache."""
    from django.core.management import call_command

    call_command("publish_scheduled", stdout=io.StringIO())


LAST_TIME_PASSED_KEY = "cache:time-passed:last"


@task()
def cache_purge_time_passed() -> int:
    """Every minute: what time changed. A model lists in `shared_cache_moments` the times at which what
    readers see of a row changes by itself (a meeting that starts leaves "upcoming" for "past"; an event's
    registration that opens or closes): the rows whose moment passed since the last run are purged, a page
    as if it had been published again."""
    from django.apps import apps
    from django.db.models import Q

    from wagtail.models import Page

    from .http_cache import purge_now_and_later, purge_tags_for_instance, purge_tags_for_page

    now = timezone.now()
    since = cache.get(LAST_TIME_PASSED_KEY) or now - timedelta(minutes=5)
    tags = set()
    for model in apps.get_models():
        moments = getattr(model, "shared_cache_moments", ())
        if not moments:
            continue
        passed = Q()
        for field in moments:
            passed |= Q(**{f"{field}__gt": since, f"{field}__lte": now})
        if issubclass(model, Page):
            for page in model.objects.live().filter(passed).only("pk", "path", "content_type_id"):
                tags |= purge_tags_for_page(page)
        else:
            for row in model._base_manager.filter(passed):
                tags |= purge_tags_for_instance(row)
    if tags:
        purge_now_and_later(tags)
    cache.set(LAST_TIME_PASSED_KEY, now, timeout=None)
    return len(tags)
