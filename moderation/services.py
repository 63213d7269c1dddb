"""Moderation: readers' reports, the city unpublishing with a note, and the optional review per council.

Plain keyword-only functions (`<thing>_<action>`); views, hooks and signals only call them.
"""

import hashlib
import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from wagtail.actions.unpublish_page import UnpublishPageAction
from wagtail.log_actions import log
from wagtail.models import GroupApprovalTask, Workflow, WorkflowPage, WorkflowTask

from accounts.lockout import client_ip
from core.visibility import attach_councils
from councils.models import CouncilAccess, CouncilPage
from councils.services import communications_team_group, council_editor_rights_sync
from jobs.emails import email_queue

from .models import ContentReport, ReportStatus

logger = logging.getLogger(__name__)

MODERATE_PERMISSION = "moderation.moderate_councils"
REPORTS_PER_HOUR = getattr(settings, "PARVIS_REPORTS_PER_HOUR", 5)
RATE_LIMIT_WINDOW = 3600

# Names of the review workflow and its task: data shown in the admin ("Soumettre à Relecture par la
# ville"), in French like the communications team's group name.
REVIEW_WORKFLOW_NAME = "Relecture par la ville"
REVIEW_TASK_NAME = "Relecture par l'équipe communication"

LOG_REPORT = "parvis.moderation.report"
LOG_DISMISS = "parvis.moderation.dismiss"
LOG_UNPUBLISH = "parvis.moderation.unpublish"


def can_moderate(user):
    """The communications team (and the platform administrator): they handle reports and oversee councils."""
    return bool(user and user.is_active and user.has_perm(MODERATE_PERMISSION))


# -- Reports -------------------------------------------------------------------------------------------


def _client_key(request):
    """A salted hash of the client's address: the address itself is never stored, not even in the cache."""
    address = client_ip(request) or "unknown"
    digest = hashlib.sha256(f"{settings.SECRET_KEY}:report:{address}".encode()).hexdigest()
    return f"parvis:report-rate:{digest}"


def report_throttle(*, request) -> bool:
    """Count one report attempt from this client; False once it made more than the hourly limit."""
    key = _client_key(request)
    if cache.add(key, 1, RATE_LIMIT_WINDOW):
        return True
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.set(key, 1, RATE_LIMIT_WINDOW)
        count = 1
    return count <= REPORTS_PER_HOUR


def report_create(*, page, reason, message="", request=None) -> ContentReport:
    """Record a reader's report on a page (anonymous) and note it in the page's history."""
    report = ContentReport.objects.create(page=page, reason=reason, message=(message or "").strip())
    log(instance=page, action=LOG_REPORT, user=None, data={"reason": reason, "report_id": report.pk})
    return report


def report_dismiss(*, report, by, note="") -> ContentReport:
    """Close a report without acting on the page."""
    report.status = ReportStatus.DISMISSED
    report.handled_by = by
    report.handled_at = timezone.now()
    report.note = (note or "").strip()
    report.save(update_fields=["status", "handled_by", "handled_at", "note"])
    log(instance=report.page, action=LOG_DISMISS, user=by, data={"report_id": report.pk})
    return report


def council_of(page):
    """The council a page belongs to (itself for a council page), or None."""
    attach_councils([page])
    return page.council


def council_editors(council):
    """Active accounts with an email address in the council's editors' group."""
    access = CouncilAccess.objects.filter(council=council).select_related("editors_group").first()
    if access is None:
        return get_user_model().objects.none()
    return (
        get_user_model()
        .objects.filter(groups=access.editors_group, is_active=True)
        .exclude(email="")
        .order_by("pk")
    )


def email_send(*, subject: str, body: str, recipients: list[str]) -> int:
    """Queue one plain-text email to each recipient (each sees only their own address) in the outbox, in
    the caller's transaction: the worker sends them once it commits. Returns how many were queued."""
    for recipient in recipients:
        email_queue(to=recipient, subject=subject, body_text=body)
    return len(recipients)


def _unpublished_email(page, council, note, by):
    edit_url = settings.WAGTAILADMIN_BASE_URL.rstrip("/") + reverse("wagtailadmin_pages:edit", args=[page.pk])
    context = {
        "page": page,
        "council": council,
        "note": note,
        "by": by,
        "edit_url": edit_url,
        "site_name": settings.WAGTAIL_SITE_NAME,
    }
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string("moderation/email/unpublished_subject.txt", context).strip()
        body = render_to_string("moderation/email/unpublished.txt", context).strip()
    return subject, body


def page_unpublish_with_note(*, page, by, note) -> int:
    """The city takes a page offline with a note: unpublished, recorded in its history with the note,
    the council's editors emailed the note, and the open reports on the page marked as acted on.

    Returns how many open reports were closed.
    """
    note = (note or "").strip()
    page = page.specific
    council = council_of(page)
    with transaction.atomic():
        if page.live:
            # The city may act on a page an editor locked: its own right to moderate is checked by the
            # caller (`can_moderate`), not Wagtail's edit lock.
            UnpublishPageAction(page, user=by, log_action=False).execute(skip_permission_checks=True)
        log(instance=page, action=LOG_UNPUBLISH, user=by, data={"note": note})
        closed = ContentReport.objects.filter(page=page, status=ReportStatus.OPEN).update(
            status=ReportStatus.ACTIONED, handled_by=by, handled_at=timezone.now(), note=note
        )
        recipients = list(council_editors(council).values_list("email", flat=True)) if council else []
        if recipients:
            subject, body = _unpublished_email(page, council, note, by)
            email_send(subject=subject, body=body, recipients=recipients)
    return closed


# -- Review by the city, per council -------------------------------------------------------------------


def review_workflow() -> Workflow:
    """The workflow "Relecture par la ville": one approval step by the communications team."""
    workflow = Workflow.objects.filter(name=REVIEW_WORKFLOW_NAME).first()
    if workflow is None:
        workflow = Workflow.objects.create(name=REVIEW_WORKFLOW_NAME, active=True)
    elif not workflow.active:
        workflow.active = True
        workflow.save(update_fields=["active"])
    if not workflow.workflow_tasks.exists():
        group_approval = ContentType.objects.get_for_model(GroupApprovalTask)
        approval = GroupApprovalTask.objects.create(
            name=REVIEW_TASK_NAME, content_type=group_approval, active=True
        )
        approval.groups.set([communications_team_group()])
        WorkflowTask.objects.create(workflow=workflow, task=approval, sort_order=0)
    return workflow


@transaction.atomic
def council_review_sync(*, council: CouncilPage) -> None:
    """Apply the council's `review_required` setting.

    On: the review workflow is attached to the council page (so to its whole subtree) and its editors no
    longer hold `publish_page` there: Wagtail offers them "Soumettre à Relecture par la ville" instead of
    "Publier", and the communications team, notified by email, approves or rejects with a comment.
    Off: the workflow is detached and the editors may publish again.
    """
    if council.review_required:
        WorkflowPage.objects.update_or_create(page_id=council.pk, defaults={"workflow": review_workflow()})
    else:
        WorkflowPage.objects.filter(page_id=council.pk, workflow__name=REVIEW_WORKFLOW_NAME).delete()
    # Who may publish follows from the setting: provisioning's policy (councils.services).
    council_editor_rights_sync(council=council)


def council_review_in_step(council: CouncilPage) -> bool:
    """Whether the council's workflow link already matches its setting (one query)."""
    linked = WorkflowPage.objects.filter(page_id=council.pk, workflow__name=REVIEW_WORKFLOW_NAME).exists()
    return linked == council.review_required


def moderation_roles_provision() -> None:
    """After migrate: every council's review setting is applied again."""
    for council in CouncilPage.objects.filter(review_required=True):
        council_review_sync(council=council)
