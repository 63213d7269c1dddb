from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from wagtail.admin.panels import FieldPanel
from wagtail.documents.models import AbstractDocument, Document
from wagtail.models import Page
from wagtail.search import index

from core.models import BasePage

from .services import documents_visible_to


class DocumentKind(models.TextChoices):
    AGENDA = "agenda", pgettext_lazy("order of business", "Agenda")
    MINUTES = "minutes", _("Minutes")
    REPORT = "report", _("Report")
    OTHER = "other", _("Other")


class CouncilDocument(AbstractDocument):
    """A document with its kind, so that a council's documents page can sort agendas from minutes."""

    kind = models.CharField(
        _("kind"), max_length=20, choices=DocumentKind.choices, default=DocumentKind.OTHER
    )
    description = models.TextField(_("description"), blank=True)
    is_ready = models.BooleanField(
        _("details saved"),
        default=True,
        editable=False,
        help_text=_(
            "A file dropped in the multiple upload is listed publicly only once its details are saved."
        ),
    )

    #: The file's text (PDF, ODT, DOCX), extracted in the background (documents.text_extraction) and
    #: searched with the title. Empty until extracted, or when the file has no text or could not be read.
    extracted_text = models.TextField(_("extracted text"), blank=True, editable=False)
    #: The file the text was extracted from (its name), so a replaced file is extracted again.
    text_extracted_from = models.CharField(max_length=255, blank=True, editable=False)
    #: Why extraction failed or was skipped (too large, encrypted, unreadable); empty otherwise.
    text_extraction_error = models.CharField(max_length=500, blank=True, editable=False)

    admin_form_fields = (*Document.admin_form_fields, "kind", "description")
    search_fields = [
        *AbstractDocument.search_fields,
        index.SearchField("description"),
        index.SearchField("extracted_text"),
        index.FilterField("is_ready"),
    ]

    class Meta(AbstractDocument.Meta):
        verbose_name = _("document")
        verbose_name_plural = _("documents")

    @property
    def format_label(self):
        return (self.file_extension or "").upper()


class DocumentIndexPage(BasePage):
    """A council's documents, grouped by kind, with format and size. Private ones only for members."""

    intro = models.TextField(_("introduction"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["councils.CouncilPage", "councils.WorkingGroupPage"]
    subpage_types = []
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("documents page")
        verbose_name_plural = _("documents pages")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        parent = self.get_parent()
        if (
            parent.specific_class is not None
            and parent.specific_class._meta.label == "councils.WorkingGroupPage"
        ):
            # Under a working group: the group's own private collection, not its council's.
            from councils.working_groups import working_group_documents_visible_to

            documents = working_group_documents_visible_to(request=request, working_group_id=parent.pk)
        else:
            documents = documents_visible_to(request=request, council_id=parent.pk)
        context["documents_by_kind"] = [
            (value, label, [d for d in documents if d.kind == value]) for value, label in DocumentKind.choices
        ]
        context["has_documents"] = bool(documents)
        return context
