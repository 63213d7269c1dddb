"""Admin entry points to proposals: the screen of a proposals page, a button on it in the explorer, the
history's wording, and the guard of the `proposal_id` URL parameter."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.widgets import Button
from wagtail.log_actions import LogFormatter

from core.admin_guards import guard_row_parameter

from . import admin_views, services
from .models import ProposalIndexPage

# A proposal is visible in the admin when its council is: the admin guard refuses any other id.
guard_row_parameter("proposal_id", "participation.Proposal", "council")

admin_urlpatterns = [
    path("<int:page_id>/", admin_views.ProposalListView.as_view(), name="index"),
    path("<int:page_id>/resolution/", admin_views.ResolutionCreateView.as_view(), name="resolution"),
    path("<int:page_id>/<int:proposal_id>/masquer/", admin_views.ProposalHideView.as_view(), name="hide"),
    path(
        "<int:page_id>/<int:proposal_id>/afficher/", admin_views.ProposalUnhideView.as_view(), name="unhide"
    ),
    path("<int:page_id>/<int:proposal_id>/vote/", admin_views.ProposalWindowView.as_view(), name="window"),
]


@hooks.register("register_admin_urls")
def register_participation_urls():
    return [
        path(
            "propositions/",
            include((admin_urlpatterns, "participation_admin"), namespace="participation_admin"),
        )
    ]


def _proposals_button(page, user, priority):
    if not issubclass(page.specific_class or type(page), ProposalIndexPage):
        return []
    # index_scope only reads the parent: the generic page of an explorer listing will do.
    if not services.can_manage(council=services.index_scope(index=page).council, user=user):
        return []
    return [
        Button(
            _("Proposals and votes"),
            reverse("participation_admin:index", args=[page.pk]),
            icon_name="list-ul",
            priority=priority,
        )
    ]


@hooks.register("register_page_header_buttons")
def proposals_page_header_buttons(page, user, view_name=None, next_url=None):
    yield from _proposals_button(page, user, priority=66)


@hooks.register("register_page_listing_more_buttons")
def proposals_page_listing_more_buttons(page, user, next_url=None):
    yield from _proposals_button(page, user, priority=55)


class ProposalLogFormatter(LogFormatter):
    template = ""

    def format_message(self, log_entry):
        data = log_entry.data or {}
        return self.template % {
            "title": data.get("title", ""),
            "reason": data.get("reason", ""),
            "opens": data.get("opens_at") or "—",
            "closes": data.get("closes_at") or "—",
        }


@hooks.register("register_log_actions")
def register_proposal_log_actions(actions):
    @actions.register_action(services.ACTION_HIDE)
    class HideFormatter(ProposalLogFormatter):
        label = _("Proposal hidden")
        template = _("Hid the proposal “%(title)s”: %(reason)s")

    @actions.register_action(services.ACTION_UNHIDE)
    class UnhideFormatter(ProposalLogFormatter):
        label = _("Proposal shown again")
        template = _("Showed the proposal “%(title)s” again")

    @actions.register_action(services.ACTION_WINDOW)
    class WindowFormatter(ProposalLogFormatter):
        label = _("Voting window")
        template = _("Set the voting window of “%(title)s”: %(opens)s → %(closes)s")

    @actions.register_action(services.ACTION_RESOLUTION)
    class ResolutionFormatter(ProposalLogFormatter):
        label = _("Plenary resolution")
        template = _("Recorded the plenary resolution “%(title)s”")
