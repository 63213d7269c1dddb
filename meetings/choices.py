from django.db import models
from django.utils.translation import gettext_lazy as _

from core.dated import ItemFormat, ItemStatus

# A meeting's format and status are those of every dated page (core.dated): the names stay for readability.
MeetingFormat = ItemFormat
MeetingStatus = ItemStatus


class MinutesStatus(models.TextChoices):
    NONE = "none", _("No minutes yet")
    DRAFT = "draft", _("Draft, to be approved")
    APPROVED = "approved", _("Approved")
