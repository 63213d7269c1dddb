"""The base every Parvis page type is built on."""

from wagtail.models import Page

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
