"""The public report form: `/signaler/<page id>/`, a page of its own so that cached pages carry no form."""

from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from wagtail.models import Page

from core.visibility import VisiblePageQuerySet

from . import services
from .forms import ReportForm, describe_fields


def reportable_page(request, page_id):
    """A page this request may open (live, outside the sandbox, every restriction accepted), else 404:
    a private page's title is never shown to someone who may not see it."""
    page = VisiblePageQuerySet(Page).visible_to(request).filter(pk=page_id, depth__gt=1).first()
    if page is None:
        raise Http404
    return page.specific


@never_cache
def report_page(request, page_id):
    page = reportable_page(request, page_id)
    context = {"reported_page": page}
    status = 200
    if request.method == "POST":
        if not services.report_throttle(request=request):
            context["throttled"] = True
            return render(request, "moderation/report_form.html", context, status=429)
        form = ReportForm(request.POST)
        if form.is_robot():
            # Answer as if it worked; keep nothing.
            return redirect(reverse("moderation_report_done", args=[page.pk]))
        if form.is_valid():
            services.report_create(
                page=page,
                reason=form.cleaned_data["reason"],
                message=form.cleaned_data["message"],
                request=request,
            )
            return redirect(reverse("moderation_report_done", args=[page.pk]))
        status = 400
    else:
        form = ReportForm()
    describe_fields(form, ["message"])
    context.update(form=form, error_title=_("The report could not be sent"))
    return render(request, "moderation/report_form.html", context, status=status)


@never_cache
def report_done(request, page_id):
    page = reportable_page(request, page_id)
    return render(request, "moderation/report_done.html", {"reported_page": page})
