"""The outbox: every email Parvis sends is queued here, in the caller's transaction, then delivered by a
task (`email_deliver`) and, should a worker die, by the periodic `outbox_flush` job.

Helper H4 implements this module; the signatures below are the contract other apps use.
"""

from django.db import transaction

from .models import OutboundEmail


def email_queue(
    *,
    to: str,
    subject: str,
    body_text: str,
    body_html: str = "",
    attachments: list[dict] | None = None,
    headers: dict | None = None,
    key: str | None = None,
) -> OutboundEmail | None:
    """Queue one email to one address; delivered after the surrounding transaction commits.

    `key` makes it idempotent: a second call with the same key queues nothing and returns None.
    `attachments` are [{"filename", "content" (text), "mimetype"}] (an .ics, a CSV).
    """
    email, created = (
        OutboundEmail.objects.get_or_create(
            key=key,
            defaults={
                "to": to,
                "subject": subject,
                "body_text": body_text,
                "body_html": body_html,
                "attachments": attachments or [],
                "headers": headers or {},
            },
        )
        if key
        else (
            OutboundEmail.objects.create(
                to=to,
                subject=subject,
                body_text=body_text,
                body_html=body_html,
                attachments=attachments or [],
                headers=headers or {},
            ),
            True,
        )
    )
    if not created:
        return None
    from .tasks import email_deliver

    transaction.on_commit(lambda: email_deliver.enqueue(email.pk))
    return email
