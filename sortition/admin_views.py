"""Admin views: a council's draws, a new draw, a draw's page (status, inputs, panel, quotas), checking it
again, inviting the panel, the example and kept files.

Who may open them: the council's editors and the communications team (those who may invite the council's
members). Anyone else gets a 403, whether the council or the draw exists or not. The candidate file holds
personal data: it is shown only here.
"""

import io

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.defaults import permission_denied
from django.views.generic import FormView, TemplateView, View

from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from core.spreadsheets import BOM, csv_cell, excel_writer
from councils.models import CouncilPage

from . import samples, services
from .forms import ALGORITHM_LABELS, DrawForm
from .models import DrawStatus, SortitionDraw


def forbidden(request):
    return permission_denied(request, PermissionDenied())


def _csv_response(text, filename):
    response = HttpResponse(text.encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


class SortitionMixin(WagtailAdminTemplateMixin):
    header_icon = "crosshairs"

    def index_url(self):
        return reverse("sortition_admin:council", args=[self.council.pk])

    def get_page_subtitle(self):
        return self.council.title

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("sortition_admin:index"), "label": _("Sortition")},
            {"url": self.index_url(), "label": self.council.title},
        ]


class CouncilMixin(SortitionMixin):
    def dispatch(self, request, *args, **kwargs):
        managed = services.councils_drawing_by(request.user)
        if not managed.filter(pk=kwargs["council_id"]).exists():
            if request.user.has_perm("members.manage_roles"):
                get_object_or_404(CouncilPage, pk=kwargs["council_id"])
            return forbidden(request)
        self.council = CouncilPage.objects.get(pk=kwargs["council_id"])
        try:
            return super().dispatch(request, *args, **kwargs)
        except PermissionDenied:
            return forbidden(request)


class DrawMixin(SortitionMixin):
    def dispatch(self, request, *args, **kwargs):
        draw = (
            SortitionDraw.objects.select_related("council", "created_by").filter(pk=kwargs["draw_id"]).first()
        )
        if draw is None or not services.draws_manageable_by(user=request.user, council=draw.council):
            if draw is None and request.user.has_perm("members.manage_roles"):
                raise Http404
            return forbidden(request)
        self.draw, self.council = draw, draw.council
        try:
            return super().dispatch(request, *args, **kwargs)
        except PermissionDenied:
            return forbidden(request)

    def draw_url(self):
        return reverse("sortition_admin:draw", args=[self.draw.pk])

    def get_breadcrumbs_items(self):
        return [*super().get_breadcrumbs_items(), {"url": self.draw_url(), "label": self.draw.title}]


class IndexView(WagtailAdminTemplateMixin, TemplateView):
    """The councils the user may draw for; straight to the council when there is one."""

    template_name = "sortition/admin/index.html"
    page_title = gettext_lazy("Sortition")
    header_icon = "crosshairs"

    def dispatch(self, request, *args, **kwargs):
        self.councils = list(services.councils_drawing_by(request.user))
        if not self.councils:
            return forbidden(request)
        if len(self.councils) == 1 and not request.user.has_perm("members.manage_roles"):
            return redirect("sortition_admin:council", self.councils[0].pk)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "councils": self.councils}


class CouncilDrawsView(CouncilMixin, FormView):
    """The council's draws, newest first, and the form for a new one."""

    template_name = "sortition/admin/council.html"
    form_class = DrawForm
    page_title = gettext_lazy("Sortition")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            council=self.council,
            draws=list(
                SortitionDraw.objects.filter(council=self.council)
                .select_related("created_by")
                .defer("candidates_csv", "quotas_csv", "report")
            ),
            college=services.drawn_college(council=self.council),
            example_candidates_url=reverse("sortition_admin:example", args=["candidats"]),
            example_quotas_url=reverse("sortition_admin:example", args=["quotas"]),
            algorithms=dict(ALGORITHM_LABELS),
            action_url=self.request.path,
        )
        return context

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            draw = services.draw_create(
                council=self.council,
                title=data["title"],
                panel_size=data["panel_size"],
                candidates_file=data["candidates_file"],
                quotas_file=data["quotas_file"],
                seed=data["seed"],
                algorithm=data["algorithm"],
                by=self.request.user,
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
            return self.form_invalid(form)
        messages.success(self.request, _("The draw has started: this page shows it when it is done."))
        return redirect("sortition_admin:draw", draw.pk)


class ExampleView(View):
    """The example files (fictitious people) for whoever may draw for a council."""

    def get(self, request, kind):
        if not services.councils_drawing_by(request.user).exists():
            return forbidden(request)
        candidates, quotas = samples.example_files()
        if kind == "candidats":
            return _csv_response(BOM + candidates, "exemple-candidats.csv")
        if kind == "quotas":
            return _csv_response(BOM + quotas, "exemple-quotas.csv")
        raise Http404


class DrawView(DrawMixin, TemplateView):
    """A draw: its status (the page follows it while it runs), inputs, seed, algorithm and version, the
    panel with its features, the quotas wanted against those met, and the actions."""

    template_name = "sortition/admin/draw.html"
    page_title = gettext_lazy("Draw")

    def get_page_title(self):
        return self.draw.title

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        draw = services.draw_check_interrupted(draw=self.draw)
        people, quotas, features, inputs = services.draw_panel(draw=draw)
        college = services.drawn_college(council=self.council)
        invite_info = draw.run_info.get("invite") or {}
        context.update(
            draw=draw,
            council=self.council,
            people=people,
            quotas=quotas,
            features=features,
            pool_size=len(inputs.candidates),
            feature_columns=inputs.feature_columns,
            extra_columns=inputs.extra_columns,
            has_email=inputs.has_email,
            with_email=sum(1 for p in people if p["email"]),
            college=college,
            algorithm_label=dict(ALGORITHM_LABELS).get(draw.algorithm, draw.algorithm),
            versions=draw.run_info.get("versions", {}),
            seconds=draw.run_info.get("seconds"),
            invite_info=invite_info,
            status_url=reverse("sortition_admin:status", args=[draw.pk]),
            verify_url=reverse("sortition_admin:verify", args=[draw.pk]),
            invite_url=reverse("sortition_admin:invite", args=[draw.pk]),
            file_urls={
                kind: reverse("sortition_admin:file", args=[draw.pk, kind])
                for kind in ("candidats", "quotas", "panel")
            },
            rerun_command=f"python manage.py sortition_rerun {draw.pk}",
            members_url=reverse("members_admin:council", args=[self.council.pk]),
            colleges_url=reverse("members_admin:colleges", args=[self.council.pk]),
            index_url=self.index_url(),
            is_done=draw.status == DrawStatus.DONE,
            is_failed=draw.status == DrawStatus.FAILED,
        )
        return context


class DrawStatusView(DrawMixin, View):
    """The draw's state as JSON, for the page's script that follows a running draw."""

    def get(self, request, *args, **kwargs):
        draw = services.draw_check_interrupted(draw=self.draw)
        return JsonResponse(
            {
                "status": draw.status,
                "label": str(draw.get_status_display()),
                "verifying": draw.is_verifying,
            },
            headers={"Cache-Control": "private, no-store"},
        )


class DrawVerifyView(DrawMixin, View):
    """POST: run the draw again in the background and compare."""

    def post(self, request, *args, **kwargs):
        try:
            services.draw_verify_request(draw=self.draw, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The draw is being run again from its kept inputs."))
        return redirect(self.draw_url())


class DrawInviteView(DrawMixin, TemplateView):
    """Confirm (GET), then invite the panel as members of the "drawn by lot" college (POST)."""

    template_name = "sortition/admin/invite.html"
    page_title = gettext_lazy("Invite the panel")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        people, _quotas, _features, _inputs = services.draw_panel(draw=self.draw)
        context.update(
            draw=self.draw,
            council=self.council,
            college=services.drawn_college(council=self.council),
            with_email=[p for p in people if p["email"]],
            without_email=[p for p in people if not p["email"]],
            cancel_url=self.draw_url(),
            colleges_url=reverse("members_admin:colleges", args=[self.council.pk]),
            action_url=self.request.path,
        )
        return context

    def post(self, request, *args, **kwargs):
        try:
            outcome = services.draw_invite(draw=self.draw, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(self.draw_url())
        messages.success(
            request,
            _("%(invited)s people were invited into the college “%(college)s”.")
            % {"invited": outcome["invited"], "college": outcome["college"]},
        )
        return redirect(self.draw_url())


class DrawFileView(DrawMixin, View):
    """The kept inputs as uploaded (to run the draw elsewhere), or the panel as CSV for French Excel."""

    def get(self, request, *args, kind, **kwargs):
        draw = self.draw
        if kind == "candidats":
            return _csv_response(draw.candidates_csv, f"tirage-{draw.pk}-candidats.csv")
        if kind == "quotas":
            return _csv_response(draw.quotas_csv, f"tirage-{draw.pk}-quotas.csv")
        if kind != "panel" or draw.status != DrawStatus.DONE:
            raise Http404
        people, _quotas, features, inputs = services.draw_panel(draw=draw)
        buffer = io.StringIO()
        buffer.write(BOM)
        writer = excel_writer(buffer)
        writer.writerow(
            [
                csv_cell(c)
                for c in ("id", "nom", "email", "telephone", *(inputs.feature_columns[f] for f in features))
            ]
        )
        for person in people:
            writer.writerow(
                [
                    csv_cell(v)
                    for v in (
                        person["id"],
                        person["name"],
                        person["email"],
                        person["phone"],
                        *(person["features"][f] for f in features),
                    )
                ]
            )
        return _csv_response(buffer.getvalue(), f"tirage-{draw.pk}-panel.csv")
