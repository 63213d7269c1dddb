"""The web version of a sent issue, /lettre/archives/<newsletter_issue_id>/: what the email held, in the site's
layout, without any personal link. Public and the same for everyone (cacheable); anything but an issue
being sent or sent is a 404.

It is composed again from the issue's period as it was when sending started, with today's visibility
rules: a page made private since then, or a block pointing to one, no longer shows (the frozen email
cannot be taken back, the web page can)."""

from django.http import Http404
from django.shortcuts import render
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from . import composing
from .models import IssueStatus, NewsletterIssue


@require_safe
@cache_control(public=True, max_age=600)
def issue_archive(request, newsletter_issue_id):
    """`newsletter_issue_id` names the model, so the privacy sweep's route filler finds issues to try."""
    issue = (
        NewsletterIssue.objects.filter(
            pk=newsletter_issue_id, status__in=[IssueStatus.SENDING, IssueStatus.SENT]
        )
        .only(
            "subject",
            "intro",
            "body",
            "include_latest",
            "period_start",
            "status",
            "send_requested_at",
            "sent_at",
        )
        .first()
    )
    if issue is None:
        raise Http404
    context = composing.issue_context(issue=issue, now=issue.send_requested_at or issue.sent_at)
    context["email"] = False
    return render(request, "newsletter/archive.html", context)
