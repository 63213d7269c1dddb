"""Signal receivers: thin, they only call services."""

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from wagtail.models import PageViewRestriction
from wagtail.signals import post_page_move

from . import services
from .models import ProposalIndexPage


def provision_proposal_indexes(sender, using="default", **kwargs):
    """After `migrate` (and after a test flush): every proposals page holds the restriction the policy
    gives it."""
    services.proposal_indexes_provision()


@receiver(post_save, sender=ProposalIndexPage)
def proposal_index_saved(sender, instance, created, raw=False, update_fields=None, **kwargs):
    if raw:
        return
    if created:
        services.proposal_index_provision(index=instance)


@receiver(post_page_move)
def proposal_indexes_moved(sender, instance, **kwargs):
    # A page move saves the generic Page: every proposals page in the moved subtree follows its new place
    # (restriction, council and working group of its proposals).
    for index in ProposalIndexPage.objects.descendant_of(instance, inclusive=True):
        services.proposal_index_relocate(index=index)


def _restore_later(page_id):
    """A restriction changed on a proposals page (by any way round the admin): put the policy's back once
    the change is committed."""

    def restore():
        index = ProposalIndexPage.objects.filter(pk=page_id).first()
        if index is not None:
            services.proposal_index_provision(index=index)

    transaction.on_commit(restore)


@receiver(post_delete, sender=PageViewRestriction)
@receiver(post_save, sender=PageViewRestriction)
def proposals_restriction_changed(sender, instance, raw=False, **kwargs):
    if not raw and ProposalIndexPage.objects.filter(pk=instance.page_id).exists():
        _restore_later(instance.page_id)


@receiver(m2m_changed, sender=PageViewRestriction.groups.through)
def proposals_restriction_groups_changed(sender, instance, action, **kwargs):
    if action.startswith("post_") and isinstance(instance, PageViewRestriction):
        if ProposalIndexPage.objects.filter(pk=instance.page_id).exists():
            _restore_later(instance.page_id)
