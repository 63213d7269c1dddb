"""Tasks of background work (django-tasks). Helper H4 implements them."""

from django_tasks import task


@task()
def email_deliver(email_id: int) -> bool:
    """Send one queued email unless it has been sent: row lock (skip locked), send, mark sent, commit."""
    from .emails_delivery import deliver

    return deliver(email_id)
