from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from councils.models import CouncilPage

from .models import EditorsGuide


class EditorsGuideView(WagtailAdminTemplateMixin, TemplateView):
    """The editors' guide, in the admin, for everyone who may use the admin."""

    template_name = "training/admin/guide.html"
    page_title = _("Editors' guide")
    header_icon = "help"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["guide"] = EditorsGuide.load(request_or_site=self.request)
        context["sandboxes"] = CouncilPage.objects.filter(is_sandbox=True).order_by("title")
        context["can_edit_guide"] = self.request.user.has_perm("training.change_editorsguide")
        return context
