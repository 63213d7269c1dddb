"""Admin screens: a session's attendance sheet (and its printable version), its check-in code, random
groups; a council's attendance overview, allowance report and CSV.

Who may open them: the council's editors and the communications team. Anyone else gets a 403, whether the
session or council exists or not (the admin guard middleware refuses first when the page is out of reach).
"""

import io

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import formats
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.defaults import permission_denied
from django.views.generic import FormView, TemplateView, View

from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from core.spreadsheets import BOM, csv_cell, excel_writer
from councils.models import CouncilPage
from meetings.models import MeetingPage

from . import services
from .chart import chart_summary
from .forms import GroupsForm, PeriodForm
from .models import AttendanceStatus, CheckInCode, GroupDraw


def forbidden(request):
    return permission_denied(request, PermissionDenied())


def _private(response):
    response["Cache-Control"] = "private, no-store"
    return response


class CouncilMixin(WagtailAdminTemplateMixin):
    """A council's attendance screens: its editors and the communications team only."""

    header_icon = "clipboard-list"

    def dispatch(self, request, *args, **kwargs):
        council = CouncilPage.objects.filter(pk=kwargs["council_id"]).first()
        if council is None or not services.attendance_manageable_by(user=request.user, council=council):
            if council is None and request.user.has_perm(services.MODERATE_PERMISSION):
                raise Http404
            return forbidden(request)
        self.council = council
        return _private(super().dispatch(request, *args, **kwargs))

    def get_page_subtitle(self):
        return self.council.title

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("attendance_admin:index"), "label": _("Attendance")},
            {"url": reverse("attendance_admin:council", args=[self.council.pk]), "label": self.council.title},
        ]


class MeetingMixin(WagtailAdminTemplateMixin):
    """A session's screens: its council's editors and the communications team only."""

    header_icon = "clipboard-list"

    def dispatch(self, request, *args, **kwargs):
        meeting = MeetingPage.objects.filter(pk=kwargs["meeting_id"]).first()
        council = services.meeting_council(meeting=meeting) if meeting else None
        if council is None or not services.attendance_manageable_by(user=request.user, council=council):
            if meeting is None and request.user.has_perm(services.MODERATE_PERMISSION):
                raise Http404
            return forbidden(request)
        self.meeting, self.council = meeting, council
        return _private(super().dispatch(request, *args, **kwargs))

    def get_page_subtitle(self):
        return self.meeting.title

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("attendance_admin:index"), "label": _("Attendance")},
            {"url": reverse("attendance_admin:council", args=[self.council.pk]), "label": self.council.title},
            {"url": reverse("attendance_admin:sheet", args=[self.meeting.pk]), "label": self.meeting.title},
        ]

    def meeting_links(self):
        pk = self.meeting.pk
        return [
            (reverse("attendance_admin:sheet", args=[pk]), _("Attendance sheet")),
            (reverse("attendance_admin:code", args=[pk]), _("Check-in code")),
            (reverse("attendance_admin:groups", args=[pk]), _("Random groups")),
            (reverse("attendance_admin:print_sheet", args=[pk]), _("Printable sheet")),
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(meeting=self.meeting, council=self.council, meeting_links=self.meeting_links())
        return context


class IndexView(WagtailAdminTemplateMixin, TemplateView):
    """The councils whose attendance the user keeps; straight to the council when there is one."""

    template_name = "attendance/admin/index.html"
    page_title = gettext_lazy("Attendance")
    header_icon = "clipboard-list"

    def dispatch(self, request, *args, **kwargs):
        self.councils = list(services.councils_attendance_managed_by(request.user))
        if not self.councils:
            return forbidden(request)
        if len(self.councils) == 1:
            return redirect("attendance_admin:council", self.councils[0].pk)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "councils": self.councils}


class CouncilView(CouncilMixin, TemplateView):
    """The council's sessions with their counts, the chart and the way to the allowance report."""

    template_name = "attendance/admin/council.html"
    page_title = gettext_lazy("Attendance")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        sessions = list(services.council_sessions(council=self.council).only("pk", "title", "start", "end"))
        counts = services.sessions_counts(meetings=sessions)
        data = services.attendance_chart_data(council=self.council)
        context.update(
            council=self.council,
            sessions=[(m, counts.get(m.pk, {})) for m in sessions],
            chart=services.attendance_chart_svg(council=self.council, data=data),
            chart_data=data,
            chart_summary=chart_summary(data),
        )
        return context


class SheetView(MeetingMixin, TemplateView):
    """Everyone expected, by college, with a present / excused / absent choice each; saved in one go."""

    template_name = "attendance/admin/sheet.html"
    page_title = gettext_lazy("Attendance sheet")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        sheet = services.attendance_sheet(meeting=self.meeting, council=self.council)
        context.update(
            sheet=sheet,
            totals=services.sheet_totals(sheet),
            statuses=AttendanceStatus.choices,
            action_url=self.request.path,
        )
        return context

    def post(self, request, *args, **kwargs):
        statuses = {}
        for key, value in request.POST.items():
            if key.startswith("status-") and value:
                try:
                    statuses[int(key.removeprefix("status-"))] = value
                except ValueError:
                    continue
        count = services.attendance_record(
            meeting=self.meeting, statuses=statuses, by=request.user, council=self.council
        )
        messages.success(request, _("Attendance saved (%(count)d members).") % {"count": count})
        return redirect("attendance_admin:sheet", self.meeting.pk)


class PrintSheetView(MeetingMixin, TemplateView):
    """The sheet to print and sign: by college, name, a signature column; the session's title, date and
    place on top. A page of its own (no admin chrome), with print styles."""

    template_name = "attendance/admin/sheet_print.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            sheet=services.attendance_sheet(meeting=self.meeting, council=self.council),
            back_url=reverse("attendance_admin:sheet", args=[self.meeting.pk]),
        )
        return context


class CodeView(MeetingMixin, TemplateView):
    """The session's check-in code, shown big to be projected; a button makes a new one."""

    template_name = "attendance/admin/code.html"
    page_title = gettext_lazy("Check-in code")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        code = CheckInCode.objects.filter(meeting=self.meeting).first()
        context.update(
            code=code,
            check_in_url=self.request.get_host() + _check_in_path(),
            action_url=self.request.path,
            projection=self.request.GET.get("projection") == "1",
            counts=services.attendance_counts(meeting=self.meeting),
        )
        return context

    def get_template_names(self):
        if self.request.GET.get("projection") == "1":
            return ["attendance/admin/code_projection.html"]
        return [self.template_name]

    def post(self, request, *args, **kwargs):
        try:
            services.check_in_code_create(meeting=self.meeting, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("A new code was made for this session."))
        return redirect("attendance_admin:code", self.meeting.pk)


def _check_in_path():
    try:
        return reverse("attendance:check_in")
    except Exception:  # noqa: BLE001 - the public route may not be wired yet
        return "/emargement/"


class GroupsView(MeetingMixin, FormView):
    """Random groups of the members present: K, an optional seed; the latest draw by group."""

    template_name = "attendance/admin/groups.html"
    page_title = gettext_lazy("Random groups")
    form_class = GroupsForm

    def get_draw(self):
        draw_id = self.kwargs.get("group_draw_id")
        draws = GroupDraw.objects.filter(meeting=self.meeting).select_related("created_by")
        if draw_id is not None:
            return get_object_or_404(draws, pk=draw_id)
        return draws.first()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        draw = self.get_draw()
        context.update(
            draw=draw,
            groups=services.draw_groups(draw=draw) if draw else [],
            draws=list(
                GroupDraw.objects.filter(meeting=self.meeting).only(
                    "pk", "group_count", "seed", "created_at"
                )[:10]
            ),
            present_count=services.attendance_counts(meeting=self.meeting).get(AttendanceStatus.PRESENT, 0),
            action_url=reverse("attendance_admin:groups", args=[self.meeting.pk]),
        )
        return context

    def get_template_names(self):
        if self.kwargs.get("print"):
            return ["attendance/admin/groups_print.html"]
        return [self.template_name]

    def form_valid(self, form):
        try:
            draw = services.groups_draw(
                meeting=self.meeting,
                group_count=form.cleaned_data["group_count"],
                seed=form.cleaned_data["seed"],
                by=self.request.user,
            )
        except ValidationError as error:
            form.add_error("group_count", error)
            return self.form_invalid(form)
        messages.success(self.request, _("Groups drawn (seed %(seed)s).") % {"seed": draw.seed})
        return redirect("attendance_admin:groups_draw", self.meeting.pk, draw.pk)


class AllowanceView(CouncilMixin, TemplateView):
    """Per member: sessions attended and the amount owed, over a period; totals; the CSV."""

    template_name = "attendance/admin/allowance.html"
    page_title = gettext_lazy("Allowance")

    def period(self):
        form = PeriodForm(self.request.GET or None)
        if form.is_bound and form.is_valid():
            return form, form.cleaned_data.get("start"), form.cleaned_data.get("end")
        return form, None, None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form, start, end = self.period()
        report = services.allowance_report(council=self.council, start=start, end=end)
        query = self.request.GET.urlencode() if form.is_bound and form.is_valid() else ""
        csv_url = reverse("attendance_admin:allowance_csv", args=[self.council.pk])
        context.update(
            form=form,
            report=report,
            csv_url=f"{csv_url}?{query}" if query else csv_url,
            settings_url=reverse("wagtailadmin_pages:edit", args=[self.council.pk]) + "#tab-participation",
        )
        return context


def _amount(value):
    return "" if value is None else formats.number_format(value, decimal_pos=2)


class AllowanceCsvView(CouncilMixin, View):
    """The allowance report as CSV for French Excel: UTF-8 with a BOM, `;`, no formula ever run."""

    def get(self, request, *args, **kwargs):
        form = PeriodForm(request.GET or None)
        start = end = None
        if form.is_bound:
            if not form.is_valid():
                # This file drives payments: a period that cannot be read never widens to all history.
                errors = "; ".join(str(e) for field_errors in form.errors.values() for e in field_errors)
                return HttpResponse(
                    _("The period is not valid: %(errors)s") % {"errors": errors},
                    status=400,
                    content_type="text/plain; charset=utf-8",
                )
            start, end = form.cleaned_data.get("start"), form.cleaned_data.get("end")
        report = services.allowance_report(council=self.council, start=start, end=end)
        buffer = io.StringIO()
        buffer.write(BOM)
        writer = excel_writer(buffer)
        writer.writerow(
            [
                _("Last name"),
                _("First name"),
                _("Email"),
                _("College"),
                _("Sessions attended"),
                _("Amount (EUR)"),
            ]
        )
        for row in report.rows:
            writer.writerow(
                [
                    csv_cell(value)
                    for value in (
                        row.member.last_name,
                        row.member.first_name,
                        row.member.email,
                        row.college.name if row.college else "",
                        row.sessions,
                        _amount(row.amount),
                    )
                ]
            )
        writer.writerow([_("Total"), "", "", "", report.total_sessions, _amount(report.total_amount)])
        response = HttpResponse(buffer.getvalue().encode("utf-8"), content_type="text/csv; charset=utf-8")
        filename = f"indemnites-{slugify(self.council.slug) or self.council.pk}.csv"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
