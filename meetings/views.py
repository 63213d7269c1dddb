"""Admin views: planning a series of meetings in one action."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.defaults import permission_denied
from django.views.generic import FormView

from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from . import services
from .forms import MeetingSeriesForm
from .models import MeetingIndexPage


class MeetingSeriesCreateView(WagtailAdminTemplateMixin, FormView):
    """Pick a rule, see the dates, then create the sessions (drafts or published)."""

    form_class = MeetingSeriesForm
    template_name = "meetings/admin/series_create.html"
    page_title = gettext_lazy("Plan a series of meetings")
    header_icon = "date"

    def dispatch(self, request, *args, **kwargs):
        self.index = get_object_or_404(MeetingIndexPage, pk=kwargs["index_id"])
        if not self.index.permissions_for_user(request.user).can_add_subpage():
            # A plain 403 rather than Wagtail's redirect: the link is never shown to this editor.
            return permission_denied(request, PermissionDenied())
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self):
        return self.index.get_parent().title

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("wagtailadmin_explore", args=[self.index.pk]), "label": self.index.title},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_initial(self):
        return {"title": _("Council meeting"), "frequency": services.FREQUENCY_MONTHLY_WEEKDAY}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["index"] = self.index
        context["action_url"] = self.request.path
        return context

    def form_valid(self, form):
        if "create" not in self.request.POST:
            # First step: show the dates; the editor confirms with the "create" button.
            return self.render_to_response(self.get_context_data(form=form, occurrences=form.occurrences))
        data = form.cleaned_data
        series = services.meeting_series_create(
            index=self.index,
            title=data["title"],
            **form.series_arguments(),
            **form.place_arguments(),
            user=self.request.user,
            publish=data["publish"],
        )
        count = series.meetings.count()
        if data["publish"]:
            message = _("%(count)d sessions of “%(title)s” were created and published.")
        else:
            message = _("%(count)d sessions of “%(title)s” were created as drafts.")
        messages.success(self.request, message % {"count": count, "title": series.title})
        return redirect("wagtailadmin_explore", self.index.pk)
