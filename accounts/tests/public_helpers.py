"""Building blocks of the public sign-in and "Mon espace" tests."""

from wagtail.models import PageViewRestriction

from home.models import StandardPage

PASSWORD = "Un-long-mot-de-passe-42"


def standard_page(parent, title, slug):
    page = StandardPage(title=title, slug=slug, intro="Texte de la page.")
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


def members_page(council, title, slug):
    """A page of the council restricted to its members and editors, as the demo and editors make them."""
    page = standard_page(council, title, slug)
    restriction = PageViewRestriction.objects.create(page=page, restriction_type=PageViewRestriction.GROUPS)
    restriction.groups.add(council.access.members_group, council.access.editors_group)
    return page


def signed_in(client):
    return "_auth_user_id" in client.session


def is_private(response):
    return "private" in response.get("Cache-Control", "")
