"""Factories of the newsletter, shared by the tests and the demo."""

from django.utils import timezone

import factory

from .models import ConsentText, NewsletterIssue, NewsletterList, Subscriber, SubscriberStatus, Subscription


def city_list() -> NewsletterList:
    return NewsletterList.objects.get_or_create(council=None)[0]


def council_list(council) -> NewsletterList:
    return NewsletterList.objects.get_or_create(council=council)[0]


def current_consent() -> ConsentText:
    return ConsentText.objects.order_by("-version").first() or ConsentText.objects.create(
        version=1, text="v1"
    )


class SubscriberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Subscriber
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"lecteur{n}@example.org")
    status = SubscriberStatus.CONFIRMED
    consent_text = factory.LazyFunction(current_consent)
    consent_source = "/"
    confirmed_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def lists(self, create, extracted, **kwargs):
        """`SubscriberFactory(lists=[a, b])`; by default the city list."""
        if not create:
            return
        for newsletter_list in extracted if extracted is not None else [city_list()]:
            Subscription.objects.get_or_create(subscriber=self, newsletter_list=newsletter_list)


class NewsletterIssueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NewsletterIssue
        skip_postgeneration_save = True

    subject = factory.Sequence(lambda n: f"Lettre n° {n}")
    intro = "<p>Les nouvelles du mois.</p>"

    @factory.post_generation
    def lists(self, create, extracted, **kwargs):
        if not create:
            return
        self.lists.set(extracted if extracted is not None else [city_list()])
