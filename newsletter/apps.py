from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NewsletterConfig(AppConfig):
    """The newsletter: double opt-in subscriptions per list (the city, each council), issues composed from
    the site's news, events and meetings, delivered by the background worker exactly once per recipient."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "newsletter"
    verbose_name = _("Newsletter")

    def ready(self):
        from . import signals  # noqa: F401  (anymail's bounce and complaint webhooks)
