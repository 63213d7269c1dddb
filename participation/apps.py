from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ParticipationConfig(AppConfig):
    name = "participation"
    verbose_name = _("Proposals and votes")

    def ready(self):
        from . import signals

        post_migrate.connect(signals.provision_proposal_indexes, sender=self)
