from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ModerationConfig(AppConfig):
    name = "moderation"
    verbose_name = _("Moderation")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import signals

        signals.connect()
        # Runs after councils' post_migrate (this app comes after it in INSTALLED_APPS).
        post_migrate.connect(signals.after_migrate, sender=self)
