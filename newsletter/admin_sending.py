"""Admin screens of sending: an issue's progress (sent, failed, waiting, with a progress bar that follows
the send), its failed deliveries with the mail server's reason, and sending them again — one or all.

Who may open them: whoever may send an issue (`newsletter.send_newsletterissue`: the city's communications
team). Anyone else gets a 403, whether the issue or the delivery exists or not. The failures list shows
subscribers' addresses: it is shown here only.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import redirect
from django.urls import NoReverseMatch, include, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.defaults import permission_denied
from django.views.generic import TemplateView, View

from wagtail import hooks
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from . import sending
from .models import Delivery, DeliveryStatus, IssueStatus, NewsletterIssue, SubscriberStatus

FAILURES_PER_PAGE = 50


def forbidden(request):
    return permission_denied(request, PermissionDenied())


def _issues_url():
    try:
        return reverse("newsletter_issues:list")
    except NoReverseMatch:
        return reverse("wagtailadmin_home")


def _sent_preview_url(issue):
    try:
        return reverse("newsletter_issues:preview_sent", args=[issue.pk])
    except NoReverseMatch:
        return None


def progress_summary(progress: dict) -> str:
    """ "120 sent, 3 failed, 877 waiting, out of 1,000." — the text beside the progress bar."""
    return _("%(sent)s sent, %(failed)s failed, %(pending)s waiting, out of %(total)s.") % {
        key: progress[key] for key in ("sent", "failed", "pending", "total")
    }


def progress_percent(progress: dict) -> int:
    done = progress["sent"] + progress["failed"]
    return int(100 * done / progress["total"]) if progress["total"] else 100


class SendingMixin(WagtailAdminTemplateMixin):
    """The user may send issues (else 403, before anything is looked up); the issue exists (else 404)."""

    header_icon = "mail"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(sending.SEND_PERMISSION):
            return forbidden(request)
        self.issue = self.get_issue(**kwargs)
        if self.issue is None:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_issue(self, **kwargs):
        return NewsletterIssue.objects.filter(pk=kwargs["issue_id"]).first()

    def progress_url(self):
        return reverse("newsletter_sending:progress", args=[self.issue.pk])

    def get_page_title(self):
        return _("Sending of “%(subject)s”") % {"subject": self.issue.subject}

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": _issues_url(), "label": _("Newsletter")},
            {"url": "", "label": self.get_page_title()},
        ]


class ProgressView(SendingMixin, TemplateView):
    """An issue's send: where it stands, who it failed for and why, and sending again."""

    template_name = "newsletter/admin/sending_progress.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        progress = sending.issue_progress(issue=self.issue)
        failures = (
            Delivery.objects.filter(issue=self.issue, status=DeliveryStatus.FAILED)
            .select_related("subscriber")
            .only("pk", "attempts", "last_error", "subscriber__email", "subscriber__status")
            .order_by("pk")
        )
        page = Paginator(failures, FAILURES_PER_PAGE).get_page(self.request.GET.get("p"))
        rows = [
            {
                "delivery": delivery,
                "email": delivery.subscriber.email,
                "reason": _("Unsubscribed before it was sent")
                if delivery.last_error == sending.UNSUBSCRIBED
                else delivery.last_error or "—",
                "retryable": delivery.last_error != sending.UNSUBSCRIBED
                and delivery.subscriber.status == SubscriberStatus.CONFIRMED,
                "retry_url": reverse("newsletter_sending:retry", args=[delivery.pk]),
            }
            for delivery in page.object_list
        ]
        retryable = progress["failed"] - progress["unsubscribed"]
        context.update(
            issue=self.issue,
            progress=progress,
            percent=progress_percent(progress),
            summary=progress_summary(progress),
            is_sending=self.issue.status == IssueStatus.SENDING,
            is_sent=self.issue.status == IssueStatus.SENT,
            failures=rows,
            failures_page=page,
            retry_all_url=reverse("newsletter_sending:retry_all", args=[self.issue.pk]),
            status_url=reverse("newsletter_sending:status", args=[self.issue.pk]),
            progress_url=self.progress_url(),
            can_retry_all=retryable > 0,
            preview_url=_sent_preview_url(self.issue) if self.issue.frozen else None,
        )
        return context


class ProgressStatusView(SendingMixin, View):
    """The send's state as JSON, for the page's script that follows it."""

    def get(self, request, *args, **kwargs):
        progress = sending.issue_progress(issue=self.issue)
        return JsonResponse(
            {
                "status": self.issue.status,
                **{key: progress[key] for key in ("total", "sent", "failed", "pending")},
                "percent": progress_percent(progress),
                "summary": progress_summary(progress),
            },
            headers={"Cache-Control": "private, no-store"},
        )


class RetryAllView(SendingMixin, View):
    """POST: send every failed delivery of the issue again (not those of people who unsubscribed)."""

    def post(self, request, *args, **kwargs):
        count = sending.issue_failed_retry(issue=self.issue)
        if count:
            messages.success(
                request,
                ngettext("%(count)s email will be sent again.", "%(count)s emails will be sent again.", count)
                % {"count": count},
            )
        else:
            messages.warning(request, _("No failed email can be sent again."))
        return redirect(self.progress_url())


class RetryView(SendingMixin, View):
    """POST: send one failed delivery again."""

    def get_issue(self, **kwargs):
        self.delivery = (
            Delivery.objects.select_related("issue", "subscriber").filter(pk=kwargs["delivery_id"]).first()
        )
        return self.delivery.issue if self.delivery else None

    def post(self, request, *args, **kwargs):
        try:
            sending.delivery_retry(delivery=self.delivery)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("The issue will be sent again to %(email)s.") % {"email": self.delivery.subscriber.email},
            )
        return redirect(self.progress_url())


admin_urlpatterns = [
    path("<int:issue_id>/", ProgressView.as_view(), name="progress"),
    path("<int:issue_id>/etat/", ProgressStatusView.as_view(), name="status"),
    path("<int:issue_id>/renvoyer/", RetryAllView.as_view(), name="retry_all"),
    path("envoi/<int:delivery_id>/renvoyer/", RetryView.as_view(), name="retry"),
]


@hooks.register("register_admin_urls")
def register_sending_urls():
    return [
        path(
            "lettre/envoi/",
            include((admin_urlpatterns, "newsletter_sending"), namespace="newsletter_sending"),
        )
    ]
