"""The demo's newsletter: readers of the city's list and of the councils' lists, one issue sent three weeks
ago (its web version is online) and the next one in draft, for the communications team to preview, test
and send (the worker started by `make demo` prints each email in the terminal).

Built with the newsletter's models and services (runtime dependencies only: no factory-boy); idempotent (subscribers looked up by address, issues
by subject), so a second run adds nothing.
"""

from datetime import timedelta

from django.utils import timezone

from councils.models import CouncilPage
from newsletter.composing import issue_freeze, issue_recipients
from newsletter.models import (
    ConsentText,
    Delivery,
    DeliveryStatus,
    IssueStatus,
    NewsletterIssue,
    NewsletterList,
    Subscriber,
    SubscriberStatus,
    Subscription,
)
from newsletter.subscriptions import consent_current, newsletter_lists_ensure

#: (address, council slugs followed besides the city's list, status)
READERS = [
    ("camille.martin@lecteurs.parvis.localhost", ["centre"], SubscriberStatus.CONFIRMED),
    ("louis.bernard@lecteurs.parvis.localhost", ["centre", "gare"], SubscriberStatus.CONFIRMED),
    ("ines.petit@lecteurs.parvis.localhost", ["charmettes"], SubscriberStatus.CONFIRMED),
    ("hugo.robert@lecteurs.parvis.localhost", [], SubscriberStatus.CONFIRMED),
    ("lea.richard@lecteurs.parvis.localhost", ["rive-du-lac"], SubscriberStatus.CONFIRMED),
    ("nathan.durand@lecteurs.parvis.localhost", ["assemblee"], SubscriberStatus.CONFIRMED),
    ("chloe.dubois@lecteurs.parvis.localhost", ["centre", "assemblee"], SubscriberStatus.CONFIRMED),
    ("jules.moreau@lecteurs.parvis.localhost", [], SubscriberStatus.CONFIRMED),
    ("manon.laurent@lecteurs.parvis.localhost", ["charmettes", "rive-du-lac"], SubscriberStatus.CONFIRMED),
    ("arthur.simon@lecteurs.parvis.localhost", ["gare"], SubscriberStatus.CONFIRMED),
    ("sarah.michel@lecteurs.parvis.localhost", [], SubscriberStatus.CONFIRMED),
    ("adam.lefebvre@lecteurs.parvis.localhost", ["assemblee"], SubscriberStatus.CONFIRMED),
    ("zoe.leroy@lecteurs.parvis.localhost", ["centre"], SubscriberStatus.PENDING),
    ("paul.roux@lecteurs.parvis.localhost", [], SubscriberStatus.UNSUBSCRIBED),
]

CONSENT_V1 = (
    "J’accepte de recevoir par courriel la lettre d’information des listes choisies. Mon adresse sert "
    "uniquement à cet envoi ; elle n’est ni vendue ni communiquée aux conseils. Je peux me désinscrire à "
    "tout moment par le lien présent dans chaque lettre. Une inscription non confirmée est effacée après "
    "7 jours."
)
SENT_SUBJECT = "La lettre des conseils citoyens — octobre"
DRAFT_SUBJECT = "La lettre des conseils citoyens — novembre"


def _issue_create(*, lists, **fields):
    issue = NewsletterIssue.objects.create(**fields)
    issue.lists.set(lists)
    return issue


def newsletter_demo_seed(*, log) -> None:
    newsletter_lists_ensure()
    councils = {c.slug: c for c in CouncilPage.objects.filter(is_sandbox=False)}
    lists_by_council = {nl.council_id: nl for nl in NewsletterList.objects.all()}
    # The text of the data migration newsletter 0002, should the database have been emptied since.
    consent = consent_current() or ConsentText.objects.create(version=1, text=CONSENT_V1)
    now = timezone.now()
    created = 0
    for number, (email, slugs, status) in enumerate(READERS):
        if Subscriber.objects.filter(email__iexact=email).exists():
            continue
        lists = [lists_by_council[None], *(lists_by_council[councils[s].pk] for s in slugs if s in councils)]
        # The pending one signed up two days ago: unconfirmed sign-ups are erased after 7 days.
        signed_up = now - timedelta(days=2 if status == SubscriberStatus.PENDING else 60 - 3 * number)
        subscriber = Subscriber.objects.create(
            email=email,
            status=status,
            consent_text=consent,
            consent_at=signed_up,
            consent_source="/",
            confirmed_at=None if status == SubscriberStatus.PENDING else signed_up + timedelta(minutes=7),
            unsubscribed_at=now - timedelta(days=5) if status == SubscriberStatus.UNSUBSCRIBED else None,
        )
        Subscriber.objects.filter(pk=subscriber.pk).update(created_at=signed_up)
        if status != SubscriberStatus.UNSUBSCRIBED:
            Subscription.objects.bulk_create(
                [Subscription(subscriber=subscriber, newsletter_list=nl) for nl in lists]
            )
        created += 1
    every_list = [lists_by_council[None], *(lists_by_council[c.pk] for c in councils.values())]
    if not NewsletterIssue.objects.filter(subject=SENT_SUBJECT).exists():
        _sent_issue(every_list, sent_at=now - timedelta(days=21))
    if not NewsletterIssue.objects.filter(subject=DRAFT_SUBJECT).exists():
        _issue_create(
            subject=DRAFT_SUBJECT,
            lists=every_list,
            intro=(
                "<p>Bonjour, voici ce que vos conseils ont publié depuis la dernière lettre : comptes rendus, "
                "prochaines séances et rendez-vous ouverts à toutes et à tous.</p>"
            ),
            body=[
                {"type": "heading", "value": {"text": "Le mot de l’équipe", "level": "h2"}},
                {
                    "type": "paragraph",
                    "value": (
                        "<p>Les conseils de quartier recrutent : chaque séance est publique, venez écouter "
                        "et prendre la parole.</p>"
                    ),
                },
            ],
        )
    log(f"Newsletter: {created} readers added, {Subscriber.objects.count()} in all, 1 issue sent, 1 draft")


def _sent_issue(lists, *, sent_at):
    """An issue sent three weeks ago, as the sender leaves it: frozen, one delivery per recipient, sent."""
    issue = _issue_create(
        subject=SENT_SUBJECT,
        lists=lists,
        intro="<p>Les nouvelles de vos conseils citoyens, ce mois-ci.</p>",
        period_start=sent_at - timedelta(days=30),
    )
    issue.frozen = issue_freeze(issue=issue)
    issue.status = IssueStatus.SENT
    issue.send_requested_at = sent_at
    issue.sent_at = sent_at + timedelta(minutes=1)
    issue.save(update_fields=["frozen", "status", "send_requested_at", "sent_at"])
    Delivery.objects.bulk_create(
        [
            Delivery(
                issue=issue, subscriber=subscriber, status=DeliveryStatus.SENT, attempts=1, sent_at=sent_at
            )
            for subscriber in issue_recipients(issue=issue)
        ]
    )
    return issue
