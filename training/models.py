from django.db import models
from django.utils.translation import gettext_lazy as _

from wagtail.admin.panels import FieldPanel
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting
from wagtail.fields import StreamField

from core.blocks import BodyBlock
from core.forms import FencedModelForm


@register_setting(icon="help")
class EditorsGuide(BaseGenericSetting):
    """The guide resident editors read in the admin (Help → Editors' guide, and their dashboard).

    The communications team writes it; until they do, a built-in guide is shown.
    """

    intro = models.TextField(_("introduction"), blank=True)
    body = StreamField(BodyBlock(), verbose_name=_("guide"), blank=True)

    base_form_class = FencedModelForm
    panels = [FieldPanel("intro"), FieldPanel("body")]

    class Meta:
        verbose_name = _("editors' guide")
        verbose_name_plural = _("editors' guides")
