"""Page permissions of a council: its own editors run it, only the city may delete or move it."""

from wagtail.models import PagePermissionTester


class CouncilPagePermissionTester(PagePermissionTester):
    """A council's editors hold `change` and `publish` on the council page, which in Wagtail would let
    them delete it (and with it the council's groups) or move it. Deleting or moving a council is the
    city's decision: it takes the right to add pages where councils live, as for creating one.
    """

    def _may_manage_councils(self):
        return self.page.get_parent().permissions_for_user(self.user).can_add_subpage()

    def can_delete(self, ignore_bulk=False):
        return super().can_delete(ignore_bulk=ignore_bulk) and self._may_manage_councils()

    def can_move(self):
        return super().can_move() and self._may_manage_councils()


class ProvisionedPrivacyPermissionTester(PagePermissionTester):
    """Pages whose view restriction is kept by provisioning (working groups and their index, proposals
    pages): the admin's privacy dialog is not offered on them — a change there would open private things
    to the public. Their children may still narrow their own privacy."""

    def can_set_view_restrictions(self):
        return False
