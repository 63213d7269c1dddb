from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """Rules every app shares: what is listed, who may see a private item, shared blocks, security."""

    name = "core"
    verbose_name = _("Parvis core")

    def ready(self):
        from . import cache_signals

        cache_signals.connect()
