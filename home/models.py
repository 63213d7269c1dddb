from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from blog.models import BlogIndexPage, latest_posts
from core.blocks import BodyBlock
from core.models import BasePage
from core.visibility import attach_councils
from councils.models import CouncilPage
from events.models import EventPage
from meetings.models import MeetingPage

hex_colour = RegexValidator(
    r"^#[0-9a-fA-F]{6}$", _("Enter a colour as # followed by six hexadecimal digits, e.g. #1d4e89.")
)


def upcoming_events(count=3, *, councils=True):
    """The next listed events of the whole city (the city's and the councils'), soonest first, each with
    its `.council` (unless `councils` is false: the caller attaches them with other pages, in one query):
    three queries whatever the number of events."""
    events = list(
        EventPage.objects.listed()
        .upcoming()
        .defer("body")
        .select_related("lead_image", "seats")
        .prefetch_related("lead_image__renditions")[:count]
    )
    if councils:
        attach_councils(events)
    return events


def _specific(page, ancestors):
    """The page's specific instance, keeping what the routing found: its parent (`get_parent()` costs no
    query) and its ancestors below the tree's root (the breadcrumbs: `parvis_tags.breadcrumb_ancestors`)."""
    specific = page.specific
    if specific is not page and hasattr(page, "_cached_parent_obj"):
        specific._cached_parent_obj = page._cached_parent_obj
    specific.routed_ancestors = list(ancestors)
    return specific


class HomePage(BasePage):
    """The city's participation portal: next meetings, the councils, and the way in to everything."""

    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    search_fields = [*Page.search_fields, index.SearchField("intro")]

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = [
        "councils.CouncilIndexPage",
        "home.StandardPage",
        "events.EventIndexPage",
        "blog.BlogIndexPage",
    ]
    max_count = 1

    class Meta:
        verbose_name = _("home page")
        verbose_name_plural = _("home pages")

    def route(self, request, path_components):
        """Every page on the way to the address in one query, where Wagtail's own routing takes two per
        level (the child, then its specific instance): 8 queries for a meeting, 2 here (the pages on the
        way, then the page's own specific row). The site's root page routes every request, so this is
        the site's routing.

        Same answers as Wagtail's: a routable page's own sub-routes win over its children, a page that is
        not live is a 404 only when it is the last one, and the page found routes the rest itself."""
        if not path_components:
            return super().route(request, path_components)
        prefixes = [
            f"{self.url_path}{'/'.join(path_components[:n])}/" for n in range(1, len(path_components) + 1)
        ]
        on_the_way = {
            page.url_path: page
            for page in Page.objects.filter(path__startswith=self.path, url_path__in=prefixes)
        }
        page = self
        ancestors = []
        for n, prefix in enumerate(prefixes):
            model = page.specific_class or type(page)
            if n and page.live and issubclass(model, RoutablePageMixin):
                try:
                    model.get_resolver().resolve("/" + "/".join(path_components[n:]) + "/")
                except Http404:
                    pass
                else:
                    return _specific(page, ancestors).route(request, path_components[n:])
            child = on_the_way.get(prefix)
            if child is None or child.depth != page.depth + 1:
                raise Http404
            child._cached_parent_obj = page
            ancestors.append(page)
            page = child
        return _specific(page, ancestors).route(request, [])

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # Renditions prefetched: the cards' images cost one query however many councils there are.
        context["councils"] = (
            CouncilPage.objects.listed()
            .select_related("cover_image")
            .prefetch_related("cover_image__renditions")
            .order_by("title")
        )
        upcoming = list(MeetingPage.objects.listed().upcoming()[:6])
        posts = latest_posts(attach=False)
        events = upcoming_events(councils=False)
        attach_councils([*upcoming, *posts, *events])  # one query for the three lists
        context["upcoming_meetings"] = upcoming
        context["latest_posts"] = posts
        context["upcoming_events"] = events
        context["news_index"] = BlogIndexPage.objects.child_of(self).listed().first()
        return context


class StandardPage(BasePage):
    """A plain page: about, manifesto, legal notice, accessibility statement, or a council's own page."""

    intro = models.TextField(_("introduction"), blank=True)
    body = StreamField(BodyBlock(), verbose_name=_("body"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("body")]
    search_fields = [*Page.search_fields, index.SearchField("intro"), index.SearchField("body")]

    parent_page_types = [
        "home.HomePage",
        "home.StandardPage",
        "councils.CouncilPage",
        "councils.WorkingGroupPage",
    ]
    subpage_types = ["home.StandardPage"]

    class Meta:
        verbose_name = _("standard page")
        verbose_name_plural = _("standard pages")


@register_setting(icon="cog")
class SiteSettings(BaseSiteSetting):
    """Identity and contact details of the city's site, editable by the communications team."""

    site_name = models.CharField(_("site name"), max_length=100, default="Parvis")
    tagline = models.CharField(_("tagline"), max_length=200, blank=True)
    logo = models.ForeignKey(
        settings.WAGTAILIMAGES_IMAGE_MODEL,
        verbose_name=_("logo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    primary_colour = models.CharField(
        _("primary colour"), max_length=7, default="#1d4e89", validators=[hex_colour]
    )
    accent_colour = models.CharField(
        _("accent colour"), max_length=7, default="#b3261e", validators=[hex_colour]
    )
    contact_email = models.EmailField(_("contact email"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    postal_address = models.TextField(_("postal address"), blank=True)
    facebook_url = models.URLField(_("Facebook page"), blank=True)
    instagram_url = models.URLField(_("Instagram account"), blank=True)
    mastodon_url = models.URLField(_("Mastodon account"), blank=True)
    linkedin_url = models.URLField(_("LinkedIn page"), blank=True)
    legal_notice_page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("legal notice page"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    accessibility_page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("accessibility statement page"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    panels = [
        MultiFieldPanel(
            [FieldPanel("site_name"), FieldPanel("tagline"), FieldPanel("logo")], heading=_("Identity")
        ),
        MultiFieldPanel([FieldPanel("primary_colour"), FieldPanel("accent_colour")], heading=_("Colours")),
        MultiFieldPanel(
            [FieldPanel("contact_email"), FieldPanel("contact_phone"), FieldPanel("postal_address")],
            heading=_("Contact"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("facebook_url"),
                FieldPanel("instagram_url"),
                FieldPanel("mastodon_url"),
                FieldPanel("linkedin_url"),
            ],
            heading=_("Social links"),
        ),
        MultiFieldPanel(
            [FieldPanel("legal_notice_page"), FieldPanel("accessibility_page")], heading=_("Legal pages")
        ),
    ]

    class Meta:
        verbose_name = _("site settings")

    @property
    def social_links(self):
        return [
            (label, url)
            for label, url in (
                ("Facebook", self.facebook_url),
                ("Instagram", self.instagram_url),
                ("Mastodon", self.mastodon_url),
                ("LinkedIn", self.linkedin_url),
            )
            if url
        ]
