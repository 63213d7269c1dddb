"""The newsletter's background tasks. Each derives its work from the database (deliveries, sign-ups), so
running one twice or late is harmless."""

from django_tasks import task


@task()
def issue_send(issue_id: int) -> int:
    """Send an issue's pending deliveries in batches until none is left. Returns how many were sent."""
    from .sending import issue_send_run

    return issue_send_run(issue_id=issue_id)


@task()
def deliveries_resume() -> int:
    """Every minute: give back deliveries claimed by a sender that died, and restart their issue's send."""
    from .sending import deliveries_resume as resume

    return resume()


@task()
def subscribers_purge() -> int:
    """Daily: erase sign-ups never confirmed within PARVIS_NEWSLETTER_UNCONFIRMED_DAYS."""
    from .subscriptions import subscribers_purge_unconfirmed

    return subscribers_purge_unconfirmed()
