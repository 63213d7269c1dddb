"""The standalone error pages speak French and need nothing but themselves."""

from django.urls import reverse


def test_a_refused_admin_request_gets_the_french_403_page(client, council_a, council_b, editor_a):
    client.force_login(editor_a)
    response = client.get(reverse("wagtailadmin_pages:edit", args=[council_b.pk]))
    assert response.status_code == 403
    body = response.content.decode()
    assert "Accès refusé" in body
    assert "Biollay" not in body
    assert "style-src" in response["Content-Security-Policy"]
