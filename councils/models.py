from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import OuterRef, Subquery
from django.http import Http404
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from wagtail.admin.panels import FieldPanel, MultiFieldPanel, ObjectList, TabbedInterface
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from blog.models import BlogIndexPage, latest_posts
from core.blocks import BodyBlock
from core.http_cache import add_tags
from core.models import BasePage
from core.visibility import VisiblePageManager, VisiblePageQuerySet
from meetings.models import MeetingPage

from .membership import College, Membership, MembershipRole, Position  # noqa: F401 - models of this app
from .permissions import CouncilPagePermissionTester, ProvisionedPrivacyPermissionTester


class CouncilKind(models.TextChoices):
    NEIGHBOURHOOD = "neighbourhood", _("Neighbourhood council")
    ASSEMBLY = "assembly", _("Citizen assembly")
    COLLECTIVE = "collective", _("Residents' collective")


class CouncilIndexPage(BasePage):
    """Every council of the city, with its next meeting: the way in for a resident."""

    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["home.HomePage"]
    subpage_types = ["councils.CouncilPage"]
    max_count = 1

    class Meta:
        verbose_name = _("council index")
        verbose_name_plural = _("council indexes")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        councils = list(
            CouncilPage.objects.child_of(self)
            .listed()
            .select_related("cover_image")
            .prefetch_related("cover_image__renditions")
            .order_by("title")
        )
        next_meetings = CouncilPage.objects.next_meetings([c.path for c in councils])
        for council in councils:
            council.next_meeting = next_meetings.get(council.path)
        context["councils_by_kind"] = [
            (label, [c for c in councils if c.kind == value])
            for value, label in CouncilKind.choices
            if any(c.kind == value for c in councils)
        ]
        context["councils"] = councils
        return context


class CouncilPageQuerySet(VisiblePageQuerySet):
    """Councils, with the shared visibility rules (`listed()` never holds the sandbox)."""

    def next_meetings(self, council_paths, now=None):
        """{council path: its next listed meeting}, in two queries whatever the number of councils."""
        if not council_paths:
            return {}
        next_ids = (
            self.filter(path__in=council_paths)
            .annotate(
                next_meeting_id=Subquery(
                    MeetingPage.objects.listed()
                    .upcoming(now)
                    .filter(path__startswith=OuterRef("path"))
                    .values("pk")[:1]
                )
            )
            .values_list("path", "next_meeting_id")
        )
        meetings = MeetingPage.objects.in_bulk([pk for _path, pk in next_ids if pk])
        # The meetings are read in a subquery, never run as a listing: tag each council's meetings listing
        # (core.http_cache), so that a meeting published or moved there purges the response.
        add_tags(f"l{path}:meetingpage" for path in council_paths)
        return {path: meetings[pk] for path, pk in next_ids if pk}


class CouncilPageManager(VisiblePageManager.from_queryset(CouncilPageQuerySet)):
    pass


class CouncilPage(RoutablePageMixin, BasePage):
    """One council's own space, run by its resident editors.

    Creating one provisions its editors' and members' groups, its collections and its editors'
    permissions on this subtree only (see `councils.services.council_provision`).
    """

    kind = models.CharField(
        _("kind"), max_length=20, choices=CouncilKind.choices, default=CouncilKind.NEIGHBOURHOOD
    )
    area = models.CharField(
        _("area"), max_length=255, blank=True, help_text=_("Streets or districts the council covers.")
    )
    intro = models.TextField(_("introduction"), blank=True)
    body = StreamField(BodyBlock(), verbose_name=_("body"), blank=True)
    contact_name = models.CharField(_("contact name"), max_length=120, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    cover_image = models.ForeignKey(
        settings.WAGTAILIMAGES_IMAGE_MODEL,
        verbose_name=_("cover image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    cover_image_alt = models.CharField(
        _("cover image alternative text"),
        max_length=255,
        blank=True,
        help_text=_("Describe the image for people who cannot see it. Required with a cover image."),
    )
    is_sandbox = models.BooleanField(
        _("sandbox"),
        default=False,
        help_text=_("A practice space for training editors: never listed, searched or announced."),
    )
    review_required = models.BooleanField(
        _("review by the communications team before publication"),
        default=False,
        help_text=_(
            "Editors submit their changes; the communications team is notified and approves or rejects them."
            " Takes effect once this page is published."
        ),
    )

    # Participation settings (the "Participation" tab; the council's editors choose).
    members_list_public = models.BooleanField(
        _("show the list of members on the public site"),
        default=False,
        help_text=_("By college, with the names of those who agreed to be listed."),
    )
    attendance_chart_public = models.BooleanField(
        _("show the attendance chart on the public page"),
        default=False,
        help_text=_("Numbers per session and college only, never names."),
    )
    allowance_per_session = models.DecimalField(
        _("allowance per attended session (EUR)"),
        max_digits=7,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("Leave empty when members are not paid for attending."),
    )
    vote_results_live = models.BooleanField(
        _("show vote results while voting is open"),
        default=False,
        help_text=_("Otherwise results are shown once the vote closes."),
    )
    vote_quorum_percent = models.PositiveSmallIntegerField(
        _("quorum (% of members)"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(100)],
        help_text=_("Share of the members who must take part for a vote to count; leave empty for none."),
    )

    objects = CouncilPageManager()

    content_panels = [
        *Page.content_panels,
        FieldPanel("kind"),
        FieldPanel("area"),
        FieldPanel("intro"),
        MultiFieldPanel([FieldPanel("cover_image"), FieldPanel("cover_image_alt")], heading=_("Cover")),
        FieldPanel("body"),
        MultiFieldPanel([FieldPanel("contact_name"), FieldPanel("contact_email")], heading=_("Contact")),
    ]
    settings_panels = [
        *Page.settings_panels,
        # City-only: a sandbox opens to every council's editors and closes to the public.
        FieldPanel("is_sandbox", permission="moderation.moderate_councils"),
        # Only the city switches the review on or off (moderation grants this permission to its team).
        FieldPanel("review_required", permission="moderation.moderate_councils"),
    ]
    participation_panels = [
        FieldPanel("members_list_public"),
        FieldPanel("attendance_chart_public"),
        FieldPanel("allowance_per_session"),
        MultiFieldPanel(
            [FieldPanel("vote_results_live"), FieldPanel("vote_quorum_percent")], heading=_("Votes")
        ),
    ]
    edit_handler = TabbedInterface(
        [
            ObjectList(content_panels, heading=_("Content")),
            ObjectList(Page.promote_panels, heading=_("Promote")),
            ObjectList(settings_panels, heading=_("Settings")),
            ObjectList(participation_panels, heading=_("Participation")),
        ]
    )
    search_fields = [
        *Page.search_fields,
        index.SearchField("intro"),
        index.SearchField("area"),
        index.SearchField("body"),
        index.FilterField("is_sandbox"),
    ]

    parent_page_types = ["councils.CouncilIndexPage"]
    subpage_types = [
        "meetings.MeetingIndexPage",
        "documents.DocumentIndexPage",
        "blog.BlogIndexPage",
        "events.EventPage",
        "home.StandardPage",
        "councils.WorkingGroupIndexPage",
        "participation.ProposalIndexPage",
    ]

    class Meta:
        verbose_name = _("council")
        verbose_name_plural = _("councils")

    @classmethod
    def owned_collection_paths(cls):
        """Paths of the collections councils own (core.references: these are not site-wide)."""
        return list(CouncilAccess.objects.values_list("collection__path", flat=True))

    def permissions_for_user(self, user):
        return CouncilPagePermissionTester(user, self)

    def clean(self):
        super().clean()
        if self.cover_image_id and not self.cover_image_alt.strip():
            raise ValidationError(
                {"cover_image_alt": _("Describe the cover image: alternative text is required.")}
            )

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["next_meeting"], context["latest_minutes"] = self.next_meeting_and_latest_minutes()
        # A listing of Parvis's pages (it tags the response for purges), without `specific()`: the menu
        # shows titles and links only (a query per page type less). Outside the sandbox `listed()` is
        # `live().public()` in one query; a sandbox council's editors keep theirs.
        sections = VisiblePageQuerySet(Page).child_of(self).in_menu().order_by("path")  # the tree's order
        context["sections"] = sections.live().public() if self.is_sandbox else sections.listed()
        context["latest_posts"] = latest_posts(parent=self, council=self)
        context["news_index"] = BlogIndexPage.objects.child_of(self).listed().first()
        context["upcoming_events"] = self.upcoming_events()
        return context

    @path("membres/", name="members")
    def members_list(self, request):
        """`membres/`: the council's current members by college, when the council shows them (else 404).

        Everyone is counted; only those who agreed (`listed_publicly`) are named, by first and last name.
        Three queries whatever the number of members (colleges, counts per college, named members)."""
        if not self.members_list_public:
            raise Http404
        current = Membership.objects.active().filter(council=self)
        add_tags(["m:councils.membership"])  # counted with values(): no instance tags the response
        counts = dict(current.order_by().values_list("college_id").annotate(models.Count("pk")))
        named = [
            membership
            for membership in current.filter(listed_publicly=True)
            .select_related("user")
            .only("college_id", "position", "user__first_name", "user__last_name")
            .order_by("user__last_name", "user__first_name", "pk")
            if membership.user.first_name.strip() or membership.user.last_name.strip()
        ]
        groups = [
            {"college": college, "count": counts.get(college.pk if college else None, 0)}
            for college in [*College.objects.filter(council=self).order_by("sort_order", "name"), None]
            if college is not None or counts.get(None)
        ]
        for group in groups:
            college_id = group["college"].pk if group["college"] else None
            group["named"] = [m for m in named if m.college_id == college_id]
        context = {"page": self, "self": self, "request": request, "colleges": groups}
        context.update(total=sum(counts.values()), named_total=len(named))
        return TemplateResponse(request, "councils/council_members.html", context)

    def next_meeting_and_latest_minutes(self):
        """(The next listed meeting, the latest listed one with minutes), either None, in one query: the
        two one-row listings as a UNION ALL (each keeps its own order and limit; the listing's scope, this
        council, tags the response)."""
        meetings = MeetingPage.objects.listed().descendant_of(self)
        upcoming = meetings.upcoming().annotate(slot=models.Value(0))[:1]
        minutes = meetings.with_minutes().order_by("-start").annotate(slot=models.Value(1))[:1]
        found = {meeting.slot: meeting for meeting in upcoming.union(minutes, all=True)}
        return found.get(0), found.get(1)

    def upcoming_events(self, count=3):
        """The council's next listed events, soonest first (two queries: the events, their images'
        renditions). Events depend on councils, not the other way round: the model is looked up by name."""
        event_model = apps.get_model("events", "EventPage")
        events = list(
            event_model.objects.listed()
            .descendant_of(self)
            .upcoming()
            .defer("body")
            .select_related("lead_image", "seats")
            .prefetch_related("lead_image__renditions")[:count]
        )
        for event in events:
            event.council = self
        return events


class CouncilAccess(models.Model):
    """What a council owns outside the page tree: its groups and collections.

    Kept in step with the council by `councils.services.council_provision`; nobody edits it by hand.
    """

    council = models.OneToOneField(
        CouncilPage, on_delete=models.CASCADE, related_name="access", verbose_name=_("council")
    )
    editors_group = models.OneToOneField(
        "auth.Group", on_delete=models.PROTECT, related_name="+", verbose_name=_("editors' group")
    )
    members_group = models.OneToOneField(
        "auth.Group", on_delete=models.PROTECT, related_name="+", verbose_name=_("members' group")
    )
    collection = models.OneToOneField(
        "wagtailcore.Collection", on_delete=models.PROTECT, related_name="+", verbose_name=_("collection")
    )
    private_collection = models.OneToOneField(
        "wagtailcore.Collection",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("private collection"),
    )

    class Meta:
        verbose_name = _("council access")
        verbose_name_plural = _("council accesses")

    def __str__(self):
        return str(self.council)


class WorkingGroupIndexPage(BasePage):
    """A council's working groups (`…/groupes/`): its members see the groups they may open."""

    intro = models.TextField(_("introduction"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["councils.CouncilPage"]
    subpage_types = ["councils.WorkingGroupPage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("working groups index")
        verbose_name_plural = _("working groups indexes")

    def permissions_for_user(self, user):
        return ProvisionedPrivacyPermissionTester(user, self)


class WorkingGroupPage(BasePage):
    """A private sub-space of a council: its own members (chosen among the council's by its editors),
    pages, meetings and documents in a private collection. Only the group's members, the council's editors
    and the communications team open it (a view restriction kept by `councils.services`)."""

    intro = models.TextField(_("purpose"), blank=True)
    body = StreamField(BodyBlock(), verbose_name=_("body"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("body")]
    parent_page_types = ["councils.WorkingGroupIndexPage"]
    subpage_types = [
        "meetings.MeetingIndexPage",
        "documents.DocumentIndexPage",
        "home.StandardPage",
        "participation.ProposalIndexPage",
    ]

    class Meta:
        verbose_name = _("working group")
        verbose_name_plural = _("working groups")

    def permissions_for_user(self, user):
        return ProvisionedPrivacyPermissionTester(user, self)


class WorkingGroupAccess(models.Model):
    """What a working group owns outside the page tree: its group and private collection (a child of its
    council's private collection). Kept in step by `councils.working_groups.working_group_provision`."""

    working_group = models.OneToOneField(
        WorkingGroupPage, on_delete=models.CASCADE, related_name="access", verbose_name=_("working group")
    )
    council = models.ForeignKey(
        CouncilPage, on_delete=models.CASCADE, related_name="working_groups", verbose_name=_("council")
    )
    group = models.OneToOneField(
        "auth.Group", on_delete=models.PROTECT, related_name="+", verbose_name=_("members' group")
    )
    collection = models.OneToOneField(
        "wagtailcore.Collection", on_delete=models.PROTECT, related_name="+", verbose_name=_("collection")
    )

    class Meta:
        verbose_name = _("working group access")
        verbose_name_plural = _("working group accesses")

    def __str__(self):
        return str(self.working_group)
