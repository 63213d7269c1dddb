from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    """Background work: the email outbox, the scheduled jobs and the worker that runs them."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "jobs"
    verbose_name = _("Background work")

    def ready(self):
        from django_tasks_db.compat import task_enqueued

        from .signals import workers_wake

        task_enqueued.connect(workers_wake, dispatch_uid="jobs.workers_wake")
