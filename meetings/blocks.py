from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from wagtail import blocks


class AgendaSubItemBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Title"), max_length=255)
    description = blocks.TextBlock(label=_("Description"), required=False)

    class Meta:
        icon = "list-ul"
        label = _("Sub-item")
        template = "blocks/agenda_sub_item_block.html"


class AgendaItemBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Title"), max_length=255)
    description = blocks.TextBlock(label=_("Description"), required=False)
    duration = blocks.IntegerBlock(label=_("Duration (minutes)"), min_value=1, max_value=24 * 60)
    presenter = blocks.CharBlock(label=_("Presenter"), required=False, max_length=255)
    sub_items = blocks.ListBlock(AgendaSubItemBlock(), label=_("Sub-items"), required=False, default=[])

    class Meta:
        icon = "list-ol"
        label = _("Agenda item")
        template = "blocks/agenda_item_block.html"


class AgendaBlock(blocks.StreamBlock):
    item = AgendaItemBlock()

    class Meta:
        label = pgettext_lazy("order of business", "Agenda")


class DecisionItemBlock(blocks.StructBlock):
    text = blocks.TextBlock(label=_("Decision"))
    votes = blocks.CharBlock(
        label=_("Vote"),
        required=False,
        max_length=255,
        help_text=_("e.g. adopted unanimously, 12 for, 2 against"),
    )

    class Meta:
        icon = "tick"
        label = _("Decision")
        template = "blocks/decision_block.html"


class DecisionBlock(blocks.StreamBlock):
    decision = DecisionItemBlock()

    class Meta:
        label = _("Decisions")


def agenda_item(title, duration=30, presenter="", description="", sub_items=()):
    """One agenda item as StreamField raw data, for `MeetingPage(agenda=[...])` (factories, demo content)."""
    return {
        "type": "item",
        "value": {
            "title": title,
            "description": description,
            "duration": duration,
            "presenter": presenter,
            "sub_items": [{"title": s, "description": ""} for s in sub_items],
        },
    }
