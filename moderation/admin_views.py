"""The city's moderation screens in Wagtail's admin: the report queue and "Suivi des conseils".

Only holders of `moderation.moderate_councils` (the communications team; the platform administrator)
may open them; anyone else gets a 403, not Wagtail's usual redirect, so that nothing is rendered.
"""

from django.contrib import messages
from django.db.models import Count, OuterRef, Subquery
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy
from django.views.generic import FormView, TemplateView

from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from core.visibility import attach_councils

from . import services
from .forms import DismissForm, UnpublishForm, describe_fields
from .models import ContentReport, ReportStatus
from .oversight import councils_oversight, oversight_totals

HANDLED_SHOWN = 50


class CityOnlyMixin(WagtailAdminTemplateMixin):
    def dispatch(self, request, *args, **kwargs):
        if not services.can_moderate(request.user):
            return TemplateResponse(
                request,
                "moderation/admin/forbidden.html",
                {"page_title": _("Access denied"), "header_title": _("Access denied")},
                status=403,
            )
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]


def _with_context(reports):
    """Reports with their page's council (one query) and how many open reports the page has."""
    reports = list(reports)
    pages = [report.page for report in reports]
    attach_councils(pages)
    return reports


class ReportsView(CityOnlyMixin, TemplateView):
    template_name = "moderation/admin/reports.html"
    page_title = pgettext_lazy("moderation", "Reports")
    header_icon = "warning"

    def get_context_data(self, **kwargs):
        handled = self.request.GET.get("statut") == "traites"
        open_on_page = Subquery(
            ContentReport.objects.open()
            .filter(page=OuterRef("page"))
            .order_by()
            .values("page")
            .annotate(n=Count("pk"))
            .values("n")[:1]
        )
        if handled:
            reports = (
                ContentReport.objects.exclude(status=ReportStatus.OPEN)
                .select_related("page", "handled_by")
                .order_by("-handled_at")[:HANDLED_SHOWN]
            )
        else:
            reports = ContentReport.objects.open().select_related("page").annotate(open_on_page=open_on_page)
        return {
            **super().get_context_data(**kwargs),
            "reports": _with_context(reports),
            "handled": handled,
            "open_count": ContentReport.objects.open().count(),
        }


class ReportActionView(CityOnlyMixin, FormView):
    header_icon = "warning"

    def dispatch(self, request, *args, **kwargs):
        if services.can_moderate(request.user):
            self.report = get_object_or_404(
                ContentReport.objects.select_related("page"), pk=kwargs["pk"], status=ReportStatus.OPEN
            )
            attach_councils([self.report.page])
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("moderation_reports"), "label": pgettext("moderation", "Reports")},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        describe_fields(context["form"])
        other_open = ContentReport.objects.open().filter(page=self.report.page).exclude(pk=self.report.pk)
        return {**context, "report": self.report, "other_open": other_open}


class ReportUnpublishView(ReportActionView):
    template_name = "moderation/admin/report_unpublish.html"
    form_class = UnpublishForm
    page_title = gettext_lazy("Unpublish with a note")

    def form_valid(self, form):
        page = self.report.page
        services.page_unpublish_with_note(page=page, by=self.request.user, note=form.cleaned_data["note"])
        messages.success(
            self.request,
            _("“%(title)s” is unpublished; the council's editors have been sent your note.")
            % {"title": page.title},
        )
        return redirect("moderation_reports")


class ReportDismissView(ReportActionView):
    template_name = "moderation/admin/report_dismiss.html"
    form_class = DismissForm
    page_title = gettext_lazy("Dismiss the report")

    def form_valid(self, form):
        services.report_dismiss(report=self.report, by=self.request.user, note=form.cleaned_data["note"])
        messages.success(self.request, _("The report is dismissed; the page stays online."))
        return redirect("moderation_reports")


class OversightView(CityOnlyMixin, TemplateView):
    template_name = "moderation/admin/oversight.html"
    page_title = gettext_lazy("Councils' activity")
    header_icon = "list-ul"

    def get_context_data(self, **kwargs):
        rows = councils_oversight()
        return {**super().get_context_data(**kwargs), "rows": rows, "totals": oversight_totals(rows)}
