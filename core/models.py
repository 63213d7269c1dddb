"""The base every Parvis page type is built on."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.models import Page, PageViewRestriction

from .forms import FencedPageForm
from .visibility import VisiblePageManager


class BasePage(Page):
    """A Wagtail page with Parvis's shared rules built in:

    - its admin form keeps references inside the editor's fence (core.references);
    - its manager carries the visibility rules (`listed()`, `visible_to(request)`, core.visibility).

    Every page type of Parvis extends it (a test checks that none is missed).
    """

    objects = VisiblePageManager()
    base_form_class = FencedPageForm

    class Meta:
        abstract = True

    def get_view_restrictions(self):
        """The view restrictions on this page and its ancestors, in one query: Wagtail's reads the ancestors
        first (to resolve aliases), a query more on every page served. Same result: a page on the way that is
        an alias counts by the restrictions of the page it copies."""
        steplen = self.steplen
        on_the_way = Page.objects.filter(
            path__in=[self.path[:n] for n in range(steplen, len(self.path) + 1, steplen)]
        )
        return PageViewRestriction.objects.filter(
            Q(page__in=on_the_way.filter(alias_of__isnull=True))
            | Q(page__in=on_the_way.filter(alias_of__isnull=False).values("alias_of"))
        )


class LeadImageMixin(models.Model):
    """A page's lead image (lists, shares, Open Graph) and its required alternative text: news posts and
    events share it."""

    lead_image = models.ForeignKey(
        settings.WAGTAILIMAGES_IMAGE_MODEL,
        verbose_name=_("lead image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    lead_image_alt = models.CharField(
        _("lead image alternative text"),
        max_length=255,
        blank=True,
        help_text=_("Describe the image for people who cannot see it. Required with a lead image."),
    )

    class Meta:
        abstract = True

    @staticmethod
    def lead_image_panel():
        return MultiFieldPanel(
            [FieldPanel("lead_image"), FieldPanel("lead_image_alt")], heading=_("Lead image")
        )

    def lead_image_errors(self):
        if self.lead_image_id and not self.lead_image_alt.strip():
            return {"lead_image_alt": _("Describe the lead image: alternative text is required.")}
        return {}

    def clean(self):
        super().clean()
        errors = self.lead_image_errors()
        if errors:
            raise ValidationError(errors)
