"""The newsletter in the admin: one « Lettre d’information » submenu whose items each screen registers with
the `register_newsletter_menu_item` hook — issues (admin_issues), sending progress (admin_sending),
subscribers and consent texts (admin_subscribers). The submenu hides itself when none of its items is
shown: council editors and members never see it."""

from django.utils.translation import gettext_lazy

from wagtail import hooks
from wagtail.admin.menu import Menu, SubmenuMenuItem

from . import admin_issues, admin_sending, admin_subscribers  # noqa: F401  (their hooks)

newsletter_menu = Menu(
    register_hook_name="register_newsletter_menu_item", construct_hook_name="construct_newsletter_menu"
)


@hooks.register("register_admin_menu_item")
def register_newsletter_submenu():
    return SubmenuMenuItem(
        gettext_lazy("Newsletter"), newsletter_menu, name="newsletter", icon_name="mail", order=350
    )
