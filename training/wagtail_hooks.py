from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.menu import MenuItem

from .views import EditorsGuideView


@hooks.register("register_admin_urls")
def register_guide_url():
    return [path("guide/", EditorsGuideView.as_view(), name="parvis_editors_guide")]


@hooks.register("construct_help_menu")
def help_menu_in_french_and_on_site(request, menu_items):
    """Wagtail's help menu points to its English guide and release notes online: show ours instead."""
    menu_items[:] = [
        item for item in menu_items if item.name != "editor-guide" and not item.name.startswith("whats-new")
    ]
    menu_items.insert(
        0,
        MenuItem(_("Editors' guide"), reverse("parvis_editors_guide"), icon_name="help", name="parvis-guide"),
    )
