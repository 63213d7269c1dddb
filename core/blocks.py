"""Shared StreamField blocks, used by every body field on the site."""

from django.utils.translation import gettext_lazy as _

from wagtail import blocks
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images.blocks import ImageBlock

from core.visibility import collection_is_private


class HeadingBlock(blocks.StructBlock):
    text = blocks.CharBlock(label=_("Text"), max_length=200)
    level = blocks.ChoiceBlock(
        label=_("Level"),
        choices=[("h2", _("Level 2")), ("h3", _("Level 3")), ("h4", _("Level 4"))],
        default="h2",
    )

    class Meta:
        icon = "title"
        label = _("Heading")
        template = "blocks/heading_block.html"


class QuoteBlock(blocks.StructBlock):
    text = blocks.TextBlock(label=_("Quote"))
    attribution = blocks.CharBlock(label=_("Attribution"), required=False, max_length=200)

    class Meta:
        icon = "openquote"
        label = _("Quote")
        template = "blocks/quote_block.html"


class DocumentLinkBlock(blocks.StructBlock):
    document = DocumentChooserBlock(label=_("Document"))
    label = blocks.CharBlock(label=_("Link text"), required=False, max_length=200)

    class Meta:
        icon = "doc-full"
        label = _("Document")
        template = "blocks/document_link_block.html"

    def get_searchable_content(self, value):
        """The link text is indexed only for a public document: a private one is not shown on a public
        page, so its label must not be found (nor quoted in an extract) by searching that page."""
        document = value.get("document") if value else None
        if document is None or collection_is_private(document.collection_id):
            return []
        return super().get_searchable_content(value)


class CaptionedImageBlock(ImageBlock):
    """An image with its alt text (required unless marked decorative) and an optional caption."""

    class Meta:
        icon = "image"
        label = _("Image")
        template = "blocks/image_block.html"

    def get_searchable_content(self, value):
        """The alt text is indexed only for a public image (see `DocumentLinkBlock`)."""
        if not value or collection_is_private(value.collection_id):
            return []
        return super().get_searchable_content(value)


class VideoBlock(blocks.StructBlock):
    video = EmbedBlock(label=_("Video URL"))
    title = blocks.CharBlock(label=_("Title"), max_length=200)

    class Meta:
        icon = "media"
        label = _("Video")
        template = "blocks/video_block.html"


class BodyBlock(blocks.StreamBlock):
    heading = HeadingBlock()
    paragraph = blocks.RichTextBlock(
        label=_("Paragraph"),
        features=["bold", "italic", "link", "ol", "ul", "document-link", "h3", "h4"],
        template="blocks/paragraph_block.html",
    )
    image = CaptionedImageBlock()
    quote = QuoteBlock()
    document = DocumentLinkBlock()
    video = VideoBlock()

    class Meta:
        label = _("Body")
