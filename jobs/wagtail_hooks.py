from django.urls import reverse

from wagtail import hooks
from wagtail.admin.menu import MenuItem

from .viewsets import outbox_readers, outbox_viewset


@hooks.register("register_admin_viewset")
def register_outbox_viewset():
    return outbox_viewset


class OutboxMenuItem(MenuItem):
    def is_shown(self, request):
        return outbox_readers(request.user)


@hooks.register("register_settings_menu_item")
def register_outbox_menu_item():
    return OutboxMenuItem(
        outbox_viewset.menu_label,
        reverse(outbox_viewset.get_url_name("index")),
        name="outbox",
        icon_name="mail",
        order=660,
    )
