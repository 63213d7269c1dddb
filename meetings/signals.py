"""Signal receivers: thin, they only call services."""

from django.dispatch import receiver

from wagtail.signals import page_published

from . import services
from .models import MeetingPage


@receiver(page_published, sender=MeetingPage)
def meeting_published(sender, instance, **kwargs):
    services.meeting_bump_sequence(meeting=instance)
