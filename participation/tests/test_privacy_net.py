"""A proposals page cannot be opened to the public through the admin's privacy dialog (or any way round)."""

from django.urls import reverse

from wagtail.models import PageViewRestriction

import pytest

from councils.services import communications_team_group

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_privacy_dialog_refuses_and_a_removed_restriction_comes_back(client, index, people, council_a):
    client.force_login(people["editor"])
    response = client.post(
        reverse("wagtailadmin_pages:set_privacy", args=[index.pk]), {"restriction_type": "none"}
    )
    assert response.status_code in (302, 403)
    restriction = PageViewRestriction.objects.get(page=index)
    # Any way round the dialog (shell, a future admin screen): the policy's restriction is put back.
    restriction.delete()
    restriction = PageViewRestriction.objects.get(page=index)
    expected = {
        council_a.access.members_group_id,
        council_a.access.editors_group_id,
        communications_team_group().pk,
    }
    assert set(restriction.groups.values_list("pk", flat=True)) == expected
    client.logout()
    assert client.get(index.url).status_code == 302  # anonymous: sent to sign in
