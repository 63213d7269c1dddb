"""Admin screens of a proposals page: the proposals with status and counts; hide (with a reason) or show
again, set the voting window, add a plenary resolution.

Who may open them: the council's editors and the communications team. Anyone else gets a 403, whether the
page exists or not (the admin guard middleware has already refused pages and proposals outside the user's
reach). A proposal is always looked up within the page of the URL.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.defaults import permission_denied
from django.views.generic import FormView, TemplateView

from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from . import services
from .forms import HideForm, ResolutionForm, WindowForm
from .models import Proposal, ProposalIndexPage


def forbidden(request):
    return permission_denied(request, PermissionDenied())


class ProposalsPageMixin(WagtailAdminTemplateMixin):
    header_icon = "list-ul"

    def dispatch(self, request, *args, **kwargs):
        index = ProposalIndexPage.objects.filter(pk=kwargs["page_id"]).first()
        if index is None:
            return forbidden(request)
        self.index = index
        self.council = services.index_scope(index=index).council
        if not services.can_manage(council=self.council, user=request.user):
            return forbidden(request)
        self.proposal = None
        if "proposal_id" in kwargs:
            self.proposal = get_object_or_404(
                Proposal.objects.select_related("council"), pk=kwargs["proposal_id"], index=index
            )
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self):
        return f"{self.council.title} — {self.index.title}"

    def list_url(self):
        return reverse("participation_admin:index", args=[self.index.pk])

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("wagtailadmin_explore", args=[self.index.pk]), "label": self.index.title},
            {"url": self.list_url(), "label": _("Proposals")},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            index=self.index,
            council=self.council,
            proposal=self.proposal,
            list_url=self.list_url(),
            action_url=self.request.path,
        )
        return context


def _form_errors(form, error):
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


class ProposalListView(ProposalsPageMixin, TemplateView):
    template_name = "participation/admin/index.html"
    page_title = gettext_lazy("Proposals")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            proposals=services.proposals_admin_rows(index=self.index),
            public_url=self.index.get_url(self.request),
            history_url=reverse("wagtailadmin_pages:history", args=[self.council.pk]),
        )
        return context


class ProposalHideView(ProposalsPageMixin, FormView):
    template_name = "participation/admin/hide.html"
    page_title = gettext_lazy("Hide a proposal")
    form_class = HideForm

    def form_valid(self, form):
        try:
            services.proposal_hide(
                proposal=self.proposal, by=self.request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            _form_errors(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request, _("“%(title)s” is hidden from the members.") % {"title": self.proposal.title}
        )
        return redirect(self.list_url())


class ProposalUnhideView(ProposalsPageMixin, TemplateView):
    template_name = "participation/admin/unhide.html"
    page_title = gettext_lazy("Show a proposal again")

    def post(self, request, *args, **kwargs):
        services.proposal_unhide(proposal=self.proposal, by=request.user)
        messages.success(
            request, _("“%(title)s” is shown to the members again.") % {"title": self.proposal.title}
        )
        return redirect(self.list_url())


class ProposalWindowView(ProposalsPageMixin, FormView):
    template_name = "participation/admin/window.html"
    page_title = gettext_lazy("Voting window")
    form_class = WindowForm

    def get_initial(self):
        return {"opens_at": self.proposal.vote_opens_at, "closes_at": self.proposal.vote_closes_at}

    def form_valid(self, form):
        try:
            services.proposal_window_set(
                proposal=self.proposal,
                opens_at=form.cleaned_data["opens_at"],
                closes_at=form.cleaned_data["closes_at"],
                by=self.request.user,
            )
        except ValidationError as error:
            _form_errors(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request, _("The voting window of “%(title)s” is saved.") % {"title": self.proposal.title}
        )
        return redirect(self.list_url())


class ResolutionCreateView(ProposalsPageMixin, FormView):
    template_name = "participation/admin/resolution.html"
    page_title = gettext_lazy("Add a plenary resolution")
    form_class = ResolutionForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "council": self.council}

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            proposal = services.resolution_create(
                index=self.index,
                by=self.request.user,
                title=data["title"],
                body=data["body"],
                meeting=data.get("meeting"),
                opens_at=data.get("opens_at"),
                closes_at=data.get("closes_at"),
            )
        except ValidationError as error:
            _form_errors(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request, _("The resolution “%(title)s” is recorded.") % {"title": proposal.title}
        )
        return redirect(self.list_url())
