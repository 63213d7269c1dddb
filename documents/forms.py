from django.utils.translation import gettext_lazy as _

from wagtail.documents.forms import BaseDocumentForm

from .models import DocumentKind


class CouncilDocumentForm(BaseDocumentForm):
    """Wagtail's document form, with the kind optional ("other" when left empty).

    A required kind would stop every bulk upload at Wagtail's "pending upload" step; an editor who
    uploads ten PDFs at once sorts them afterwards.

    Wagtail's multiple upload saves each dropped file at once, titled after its file name, through this
    form given only a title and a collection. Such a document is kept out of every public listing
    (`is_ready` false) until someone saves its details — the same form, with the kind — in the upload
    screen's "Update" or the document's edit page. Every other way in (the single upload form, the
    chooser's upload tab, services, the demo) stores a document that is ready at once.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "kind" in self.fields:
            self.fields["kind"].required = False
            self.fields["kind"].help_text = _("Agenda, minutes, report… Left empty, it is filed as “Other”.")
        if self.instance.pk and not self.instance.is_ready and "title" in self.fields:
            self.fields["title"].help_text = _(
                "Not listed on the public site yet: check its title and kind, then save to list it."
            )
            # Wagtail's form already built the title's bound field (which copies the help text).
            self._bound_fields_cache.pop("title", None)

    def clean_kind(self):
        return self.cleaned_data.get("kind") or DocumentKind.OTHER

    @property
    def gives_details(self):
        """True when the editor submitted the document's details (not a bare multiple-upload drop)."""
        return "kind" in self.fields and self.add_prefix("kind") in self.data

    def save(self, commit=True):
        if self.gives_details:
            self.instance.is_ready = True
        elif self.instance._state.adding:
            self.instance.is_ready = False
        return super().save(commit=commit)
