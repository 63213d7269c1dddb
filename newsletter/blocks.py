"""Blocks of a newsletter issue. Each renders for email (inline styles, absolute links)
with its own template under templates/newsletter/blocks/; the plain-text part has its own template
(templates/newsletter/email/issue.txt)."""

from django.utils.translation import gettext_lazy as _

from wagtail import blocks

from core.blocks import CaptionedImageBlock, DocumentLinkBlock, HeadingBlock


class IssueHeadingBlock(HeadingBlock):
    class Meta:
        icon = "title"
        label = _("Heading")
        template = "newsletter/blocks/heading.html"


class IssueImageBlock(CaptionedImageBlock):
    class Meta:
        icon = "image"
        label = _("Image")
        template = "newsletter/blocks/image.html"


class IssueDocumentBlock(DocumentLinkBlock):
    class Meta:
        icon = "doc-full"
        label = _("Document")
        template = "newsletter/blocks/document.html"


class FeaturedPageBlock(blocks.StructBlock):
    """A page of the site put forward: its title, an optional text, a link."""

    page = blocks.PageChooserBlock(label=_("Page"))
    text = blocks.TextBlock(label=_("Text"), required=False, max_length=600)

    class Meta:
        icon = "doc-empty"
        label = _("Featured page")
        template = "newsletter/blocks/featured_page.html"


class ButtonBlock(blocks.StructBlock):
    label = blocks.CharBlock(label=_("Button text"), max_length=80)
    url = blocks.URLBlock(label=_("Address"))

    class Meta:
        icon = "link"
        label = _("Button")
        template = "newsletter/blocks/button.html"


class IssueBodyBlock(blocks.StreamBlock):
    heading = IssueHeadingBlock()
    paragraph = blocks.RichTextBlock(
        label=_("Paragraph"),
        features=["bold", "italic", "link", "ol", "ul", "document-link"],
        template="newsletter/blocks/paragraph.html",
    )
    image = IssueImageBlock()
    document = IssueDocumentBlock()
    page = FeaturedPageBlock()
    button = ButtonBlock()

    class Meta:
        label = _("Content")
