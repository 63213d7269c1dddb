import re

import pytest

from members import services

LINK = re.compile(r"http://testserver(/invitation/[^/\s]+/)")


@pytest.fixture
def invite(django_capture_on_commit_callbacks):
    """Invite someone as the service does it, with the email sent (it leaves once the transaction commits)."""

    def make(*, council, email, role, invited_by):
        with django_capture_on_commit_callbacks(execute=True):
            return services.invitation_create(council=council, email=email, role=role, invited_by=invited_by)

    return make


def link_in(message):
    """The path of the invitation link in an email."""
    match = LINK.search(message.body)
    assert match, message.body
    return match.group(1)
