"""Content builders shared by the page tests (home/ and councils/): councils with real content."""

from datetime import timedelta

from django.utils import timezone

from wagtail.images.tests.utils import get_test_image_file

from councils.models import CouncilKind
from home.models import StandardPage
from images.models import CouncilImage
from meetings.factories import MeetingIndexPageFactory, MeetingPageFactory
from meetings.models import MinutesStatus


def image_create(title="Place du marché"):
    return CouncilImage.objects.create(title=title, file=get_test_image_file(colour="blue"))


def publish(page):
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def council_with_content(council_factory, *, title, slug, kind=CouncilKind.NEIGHBOURHOOD, **kwargs):
    """A published council with a cover image, a meetings index holding an upcoming meeting and a past
    one with minutes, and a standard page: what a real council has."""
    council = council_factory(
        title=title,
        slug=slug,
        kind=kind,
        cover_image=image_create(title=f"Couverture {title}"),
        cover_image_alt=f"Les habitants réunis, {title}",
        contact_name="Camille Martin",
        contact_email=f"{slug}@example.org",
        **kwargs,
    )
    index = publish(MeetingIndexPageFactory(parent=council, show_in_menus=True))
    now = timezone.localtime().replace(hour=18, minute=30, second=0, microsecond=0)
    publish(MeetingPageFactory(parent=index, title=f"Séance à venir {title}", start=now + timedelta(days=10)))
    publish(
        MeetingPageFactory(
            parent=index,
            title=f"Séance passée {title}",
            start=now - timedelta(days=20),
            minutes_status=MinutesStatus.DRAFT,
            minutes="<p>Compte rendu.</p>",
        )
    )
    page = StandardPage(
        title=f"Qui sommes-nous ? {title}", slug="qui-sommes-nous", intro="Présentation.", show_in_menus=True
    )
    council.add_child(instance=page)
    publish(page)
    return council


def councils_create(council_factory, count, start=0):
    kinds = list(CouncilKind)
    return [
        council_with_content(
            council_factory,
            title=f"Conseil {n:02d}",
            slug=f"conseil-{n:02d}",
            kind=kinds[n % len(kinds)],
        )
        for n in range(start, start + count)
    ]
