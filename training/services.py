"""The sandbox: a council every resident editor may practise in, that the public never reads.

Who may practise there is provisioning (`councils.services.sandboxes_provision`, kept in step when a
council is created or becomes, or stops being, a sandbox); here is what fills it and empties it.
"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from wagtail.documents import get_document_model
from wagtail.images import get_image_model

from councils.models import CouncilPage
from councils.services import council_sections_ensure
from home.models import StandardPage
from meetings.blocks import agenda_item
from meetings.models import MeetingIndexPage, MeetingPage


@transaction.atomic
def sandbox_reset(*, sandbox: CouncilPage, now=None):
    """Empty a sandbox and put back its practice material: sections, a page, a meeting to edit."""
    for child in sandbox.get_children():
        child.delete()
    sandbox.refresh_from_db()
    access = sandbox.access
    collections = [access.collection_id, access.private_collection_id]
    for model in (get_document_model(), get_image_model()):
        for item in model.objects.filter(collection_id__in=collections):
            item.file.delete(save=False)
            item.delete()
    council_sections_ensure(council=sandbox)
    meetings = MeetingIndexPage.objects.child_of(sandbox).get()
    page = StandardPage(
        title="Page d’exercice",
        slug="page-d-exercice",
        intro="Modifiez cette page, enregistrez un brouillon, prévisualisez, publiez.",
        show_in_menus=True,
    )
    sandbox.add_child(instance=page)
    page.save_revision().publish()
    start = (now or timezone.now()).replace(hour=17, minute=30, second=0, microsecond=0) + timedelta(days=14)
    meeting = MeetingPage(
        title="Réunion d’exercice",
        slug="reunion-d-exercice",
        start=start,
        end=start + timedelta(hours=2),
        place_name="Salle d’exercice",
        agenda=[agenda_item("Accueil", 15), agenda_item("Point à compléter", 60)],
    )
    meetings.add_child(instance=meeting)
    meeting.save_revision().publish()
    return sandbox
