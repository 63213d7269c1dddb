from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingConfig(AppConfig):
    """Training for resident editors: the sandbox every editor may practise in, and the editors' guide."""

    name = "training"
    verbose_name = _("Training")

    def ready(self):
        from . import signals  # noqa: F401
