from django.utils.translation import gettext_lazy as _

from wagtail.documents.forms import BaseDocumentForm

from .models import DocumentKind


class CouncilDocumentForm(BaseDocumentForm):
    """Wagtail's document form, with the kind optional ("other" when left empty).

    A required kind would stop every bulk upload at Wagtail's "pending upload" step; an editor who
    uploads ten PDFs at once sorts them afterwards.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "kind" in self.fields:
            self.fields["kind"].required = False
            self.fields["kind"].help_text = _("Agenda, minutes, report… Left empty, it is filed as “Other”.")

    def clean_kind(self):
        return self.cleaned_data.get("kind") or DocumentKind.OTHER
