"""Proposals and votes: members propose from the public site and vote for, against or abstain.

A council (or a working group) holds one `ProposalIndexPage` (`…/propositions/`), restricted to its
members, editors and the communications team like any private part (a view restriction kept by
`participation.services`). Proposals are rows, not pages: members write them on the public site, editors
hide one with a reason, open and close the voting window, and record plenary resolutions the same way.
One vote per member and proposal is enforced by the database; a member may change their vote until the
window closes. Ballots are secret: only the voter sees their own choice; everyone with access sees the
totals (after the close, or live if the council chooses), the quorum and the split by college.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from wagtail.admin.panels import FieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.models import Page

from core.models import BasePage
from councils.permissions import ProvisionedPrivacyPermissionTester


class ProposalIndexPage(RoutablePageMixin, BasePage):
    """A council's or working group's proposals (members only): the list, the form, each proposal."""

    intro = models.TextField(_("introduction"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["councils.CouncilPage", "councils.WorkingGroupPage"]
    subpage_types = []
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("proposals index")
        verbose_name_plural = _("proposals indexes")

    def permissions_for_user(self, user):
        # Members only, by provisioning: the privacy dialog could open proposals and authors to the public.
        return ProvisionedPrivacyPermissionTester(user, self)

    # The routes run after Wagtail's view restriction check: only the council's (or working group's)
    # members, its editors and the communications team reach them. The views live in `views.py`, imported
    # when called (they use the services, which use these models).

    @path("", name="index")
    def proposal_list(self, request):
        from .views import proposal_list

        return proposal_list(request, self)

    @path("nouvelle/", name="new")
    def proposal_new(self, request):
        from .views import proposal_new

        return proposal_new(request, self)

    @path("<int:proposal_id>/", name="detail")
    def proposal_detail(self, request, proposal_id):
        from .views import proposal_detail

        return proposal_detail(request, self, proposal_id)

    @path("<int:proposal_id>/vote/", name="vote")
    def proposal_vote(self, request, proposal_id):
        from .views import proposal_vote

        return proposal_vote(request, self, proposal_id)


class ProposalKind(models.TextChoices):
    PROPOSAL = "proposal", _("Proposal")
    RESOLUTION = "resolution", _("Plenary resolution")


class ProposalQuerySet(models.QuerySet):
    def shown(self):
        return self.filter(hidden_at__isnull=True)

    def voting_open(self, now=None):
        now = now or timezone.now()
        return self.shown().filter(vote_opens_at__lte=now, vote_closes_at__gt=now)

    def voting_closed(self, now=None):
        return self.filter(vote_closes_at__lte=now or timezone.now())


class Proposal(models.Model):
    """One proposal (or plenary resolution) put to the members of a council or working group."""

    shared_cache_moments = ("vote_opens_at", "vote_closes_at")

    index = models.ForeignKey(
        ProposalIndexPage,
        verbose_name=_("proposals page"),
        on_delete=models.CASCADE,
        related_name="proposals",
    )
    council = models.ForeignKey(
        "councils.CouncilPage", verbose_name=_("council"), on_delete=models.CASCADE, related_name="proposals"
    )
    working_group = models.ForeignKey(
        "councils.WorkingGroupPage",
        verbose_name=_("working group"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="proposals",
        help_text=_("Set when the proposals page belongs to a working group: only its members vote."),
    )
    kind = models.CharField(
        _("kind"), max_length=12, choices=ProposalKind.choices, default=ProposalKind.PROPOSAL
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), max_length=10000)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="proposals",
    )
    meeting = models.ForeignKey(
        "meetings.MeetingPage",
        verbose_name=_("session"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="proposals",
        help_text=_("The plenary session where it is put to the vote, if any."),
    )
    created_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    vote_opens_at = models.DateTimeField(_("voting opens"), null=True, blank=True)
    vote_closes_at = models.DateTimeField(_("voting closes"), null=True, blank=True)
    hidden_at = models.DateTimeField(_("hidden at"), null=True, blank=True)
    hidden_reason = models.CharField(_("reason for hiding"), max_length=500, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("hidden by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = ProposalQuerySet.as_manager()

    class Meta:
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(vote_opens_at__isnull=True)
                | Q(vote_closes_at__isnull=True)
                | Q(vote_closes_at__gt=F("vote_opens_at")),
                name="proposal_window_closes_after_opening",
            ),
            models.CheckConstraint(
                condition=Q(vote_opens_at__isnull=True, vote_closes_at__isnull=True)
                | Q(vote_opens_at__isnull=False, vote_closes_at__isnull=False),
                name="proposal_window_both_or_neither",
            ),
            models.CheckConstraint(
                condition=Q(hidden_at__isnull=True) | ~Q(hidden_reason=""),
                name="proposal_hidden_with_a_reason",
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def is_hidden(self):
        return self.hidden_at is not None


class VoteChoice(models.TextChoices):
    FOR = "for", pgettext_lazy("vote", "For")
    AGAINST = "against", pgettext_lazy("vote", "Against")
    ABSTAIN = "abstain", pgettext_lazy("vote", "Abstain")


class Vote(models.Model):
    """One member's ballot on one proposal (secret: shown to the voter only)."""

    proposal = models.ForeignKey(
        Proposal, verbose_name=_("proposal"), on_delete=models.CASCADE, related_name="votes"
    )
    voter = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("voter"), on_delete=models.CASCADE, related_name="votes"
    )
    choice = models.CharField(_("choice"), max_length=10, choices=VoteChoice.choices)
    college = models.ForeignKey(
        "councils.College",
        verbose_name=_("college"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The voter's college when they voted."),
    )
    cast_at = models.DateTimeField(_("cast at"), default=timezone.now)
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now)

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        constraints = [models.UniqueConstraint(fields=["proposal", "voter"], name="vote_one_per_member")]

    def __str__(self):
        return f"{self.proposal_id}/{self.voter_id}"
