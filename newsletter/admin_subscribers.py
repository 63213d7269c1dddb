"""Subscribers and consent texts in the admin (menu « Lettre d’information »), for the city team and
superusers only: council editors and members never see a subscriber's address.

- Subscribers: listed, searched by address, filtered by list and status, exported as CSV (French Excel:
  UTF-8 with a BOM, `;`, no cell a spreadsheet would run as a formula); the counts per list and status sit
  above the listing (one query). Nobody adds or changes a subscriber by hand: consent is given by the
  subscriber only. A subscriber's page shows the proof of consent (the text version and its wording, when,
  from which page) and offers "Export data (JSON)" and "Erase" (`newsletter.subscriptions`).
- Consent texts: versions are created (version = highest + 1) and never edited; an unused one may be
  deleted, one that a subscriber accepted may not.

Wagtail's own viewsets, not wagtail-modeladmin: see the README ("Newsletter", the admin).
"""

import json

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, models, transaction
from django.db.models import Count, Max, OuterRef, Prefetch, Q, Subquery
from django.http import HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.functional import cached_property
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from wagtail import hooks
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.views import generic
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.log_actions import log
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

import django_filters

from core.spreadsheets import BOM, csv_cell, excel_writer

from . import subscriptions
from .models import ConsentText, NewsletterList, Subscriber, SubscriberStatus

ACTION_EXPORT = "newsletter.subscriber_export"
ACTION_ERASE = "newsletter.subscriber_erase"


def subscriber_label(subscriber) -> str:
    """How the audit log names a subscriber: by number, never by address (data minimisation: the log
    outlives an erasure, and must not keep what the erasure removed)."""
    return _("Subscriber #%(number)s") % {"number": subscriber.pk}


def lists_in_order():
    return NewsletterList.objects.select_related("council").order_by(
        models.F("council").asc(nulls_first=True), "council__title"
    )


# --- permissions ------------------------------------------------------------------------------------------


class SubscriberPermissionPolicy(ModelPermissionPolicy):
    """`view_subscriber` to list, search, export and inspect; `delete_subscriber` to erase. Nobody adds or
    changes a subscriber here, not even a superuser: only the subscriber gives their consent."""

    ALLOWED = ("view", "delete")

    def user_has_permission(self, user, action):
        return action in self.ALLOWED and super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return super().user_has_any_permission(user, [a for a in actions if a in self.ALLOWED])

    def users_with_any_permission(self, actions):
        return super().users_with_any_permission([a for a in actions if a in self.ALLOWED])


class ConsentTextPermissionPolicy(ModelPermissionPolicy):
    """Versions are added (`add_consenttext`), seen (`view_consenttext`) and, while unused, deleted
    (`delete_consenttext`); never changed: what a subscriber accepted stays as they read it."""

    ALLOWED = ("add", "view", "delete")

    def user_has_permission(self, user, action):
        return action in self.ALLOWED and super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return super().user_has_any_permission(user, [a for a in actions if a in self.ALLOWED])

    def users_with_any_permission(self, actions):
        return super().users_with_any_permission([a for a in actions if a in self.ALLOWED])


register_permission_policy(Subscriber, SubscriberPermissionPolicy(Subscriber))
register_permission_policy(ConsentText, ConsentTextPermissionPolicy(ConsentText))


# --- subscribers: listing ---------------------------------------------------------------------------------


class SubscriberFilterSet(WagtailFilterSet):
    status = django_filters.MultipleChoiceFilter(
        choices=SubscriberStatus.choices,
        label=gettext_lazy("Status"),
        widget=forms.CheckboxSelectMultiple,
    )
    lists = django_filters.ModelMultipleChoiceFilter(
        queryset=lambda request: lists_in_order(),
        label=gettext_lazy("List"),
        widget=forms.CheckboxSelectMultiple,
        distinct=True,
    )

    class Meta:
        model = Subscriber
        fields = []


class ListsColumn(Column):
    """The subscriber's lists, from the prefetched rows (no query per row)."""

    def get_value(self, instance):
        return ", ".join(str(newsletter_list) for newsletter_list in instance.lists.all()) or "—"


class ConsentVersionColumn(Column):
    def get_value(self, instance):
        return _("v%(version)s") % {"version": instance.consent_text.version}


def subscriber_counts():
    """Per list, the number of subscribers in each status: one query (lists with none included)."""
    annotations = {
        status: Count("subscriptions", filter=Q(subscriptions__subscriber__status=status))
        for status in SubscriberStatus.values
    }
    rows = lists_in_order().annotate(**annotations)
    return [
        {"list": row, "counts": [getattr(row, status) for status in SubscriberStatus.values]} for row in rows
    ]


class SubscriberIndexView(generic.IndexView):
    """The listing; its CSV is written for French Excel and never carries a formula."""

    FORMATS = (generic.IndexView.FORMAT_CSV,)
    export_columns = [
        ("email", gettext_lazy("Email")),
        ("status", gettext_lazy("Status")),
        ("lists", gettext_lazy("Lists")),
        ("created_at", gettext_lazy("Signed up at")),
        ("confirmed_at", gettext_lazy("Confirmed at")),
        ("consent_version", gettext_lazy("Consent text version")),
        ("consent_at", gettext_lazy("Consent given at")),
        ("consent_source", gettext_lazy("Signed up from")),
    ]

    def get_base_queryset(self):
        return (
            super()
            .get_base_queryset()
            .select_related("consent_text")
            .prefetch_related(Prefetch("lists", queryset=lists_in_order()))
        )

    @cached_property
    def header_more_buttons(self):
        return [button for button in super().header_more_buttons if "export=xlsx" not in (button.url or "")]

    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        erase_url = self.get_delete_url(instance)
        for button in buttons:
            if erase_url and button.url == erase_url:
                button.label = _("Erase")  # not a bare deletion: subscriptions.subscriber_erase
        return buttons

    def get_context_data(self, *args, **kwargs):
        context = super().get_context_data(*args, **kwargs)
        if not self.results_only and not self.is_export:
            context["statuses"] = [label for _value, label in SubscriberStatus.choices]
            context["subscriber_counts"] = subscriber_counts()
        return context

    def export_row(self, subscriber):
        def when(value):
            return formats.date_format(timezone.localtime(value), "d/m/Y H:i") if value else ""

        return [
            subscriber.email,
            subscriber.get_status_display(),
            ", ".join(str(newsletter_list) for newsletter_list in subscriber.lists.all()),
            when(subscriber.created_at),
            when(subscriber.confirmed_at),
            subscriber.consent_text.version,
            when(subscriber.consent_at),
            subscriber.consent_source,
        ]

    def stream_csv(self, queryset):
        class Line:
            def write(self, value):
                return value

        writer = excel_writer(Line())
        yield (BOM + writer.writerow([str(label) for _key, label in self.export_columns])).encode()
        # In chunks: the prefetch of lists runs once per 500 subscribers, memory stays flat.
        for subscriber in queryset.iterator(chunk_size=500):
            yield writer.writerow([csv_cell(value) for value in self.export_row(subscriber)]).encode()

    def write_csv_response(self, queryset):
        response = StreamingHttpResponse(self.stream_csv(queryset), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="abonnes-lettre.csv"'
        response["Cache-Control"] = "no-store"
        return response

    def as_spreadsheet(self, queryset, spreadsheet_format):
        if spreadsheet_format != self.FORMAT_CSV:
            raise PermissionDenied
        return self.write_csv_response(queryset)


# --- subscribers: one subscriber, export, erase -----------------------------------------------------------


class SubscriberInspectView(generic.InspectView):
    """The proof of consent, the dates, the lists and the deliveries; export and erase."""

    def get_object(self, queryset=None):
        return get_object_or_404(
            Subscriber.objects.select_related("consent_text").annotate(delivery_count=Count("deliveries")),
            pk=self.pk,
        )

    @cached_property
    def header_more_buttons(self):
        return []

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        subscriber = self.object
        source = subscriber.consent_source
        context.update(
            subscriber=subscriber,
            # A link only to a local path (the sign-up form keeps nothing else; this page trusts no row).
            source_url=source if source.startswith("/") and not source.startswith("//") else None,
            subscriber_lists=list(lists_in_order().filter(subscriptions__subscriber=subscriber)),
            export_url=reverse(subscriber_viewset.get_url_name("export"), args=[subscriber.pk]),
            erase_url=(
                reverse(subscriber_viewset.get_url_name("delete"), args=[subscriber.pk])
                if self.user_has_permission("delete")
                else None
            ),
        )
        return context


class SubscriberExportView(PermissionCheckedMixin, View):
    """The subscriber's data as a JSON download (`subscriptions.subscriber_export`), logged by number."""

    model = Subscriber
    permission_required = "view"

    def get(self, request, pk):
        subscriber = get_object_or_404(Subscriber, pk=pk)
        data = subscriptions.subscriber_export(subscriber=subscriber)
        log(instance=subscriber, action=ACTION_EXPORT, user=request.user, title=subscriber_label(subscriber))
        body = (
            data
            if isinstance(data, str | bytes)
            else json.dumps(data, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False)
        )
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="abonne-{subscriber.pk}.json"'
        response["Cache-Control"] = "no-store"
        return response


class SubscriberEraseView(generic.DeleteView):
    """Confirm, then erase through `subscriptions.subscriber_erase` (never a bare delete), logged by number."""

    page_title = gettext_lazy("Erase the data")
    success_message = None

    def get_page_subtitle(self):
        return ""  # the address is in the page itself, where a long one wraps

    def get_usage_url(self):
        return None

    def get_success_message(self):
        return _("The subscriber’s data has been erased.")

    def delete_action(self):
        subscriber = self.object
        with transaction.atomic():
            # Logged first: an erasure that deletes the row leaves no pk to log against.
            log(
                instance=subscriber,
                action=ACTION_ERASE,
                user=self.request.user,
                title=subscriber_label(subscriber),
            )
            subscriptions.subscriber_erase(subscriber=subscriber)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["subscriber"] = self.object
        context["inspect_url"] = reverse(subscriber_viewset.get_url_name("inspect"), args=[self.object.pk])
        return context


class SubscriberViewSet(ModelViewSet):
    model = Subscriber
    menu_label = gettext_lazy("Subscribers")
    icon = "user"
    add_to_admin_menu = False
    add_to_reference_index = False
    copy_view_enabled = False
    inspect_view_enabled = True
    index_view_class = SubscriberIndexView
    inspect_view_class = SubscriberInspectView
    delete_view_class = SubscriberEraseView
    index_template_name = "newsletter/admin/subscriber_index.html"
    index_results_template_name = "newsletter/admin/subscriber_index_results.html"
    inspect_template_name = "newsletter/admin/subscriber_inspect.html"
    delete_template_name = "newsletter/admin/subscriber_erase.html"
    filterset_class = SubscriberFilterSet
    search_fields = ["email"]
    search_backend_name = None  # the database's icontains on the address: no search index of emails
    list_display = [
        "email",
        "status",
        ListsColumn("lists", label=gettext_lazy("Lists")),
        DateColumn("created_at", label=gettext_lazy("Signed up at"), sort_key="created_at"),
        DateColumn("confirmed_at", label=gettext_lazy("Confirmed at"), sort_key="confirmed_at"),
        ConsentVersionColumn("consent_text", label=gettext_lazy("Consent text")),
    ]
    list_export = ["email"]  # shows the export button; the columns are SubscriberIndexView.export_columns
    ordering = ["-created_at"]
    list_per_page = 50
    form_fields = []  # never used: no one adds or changes a subscriber

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("export/<int:pk>/", SubscriberExportView.as_view(), name="export"),
        ]


subscriber_viewset = SubscriberViewSet("newsletter_subscribers", url_prefix="lettre/abonnes")


# --- consent texts ----------------------------------------------------------------------------------------


def consent_text_create(*, text: str, user=None) -> ConsentText:
    """A new version of the consent text: the highest version + 1 (a concurrent creation that took the
    number makes us take the next one)."""
    for _attempt in range(5):
        try:
            with transaction.atomic():
                version = (ConsentText.objects.aggregate(top=Max("version"))["top"] or 0) + 1
                consent_text = ConsentText.objects.create(version=version, text=text)
                log(instance=consent_text, action="wagtail.create", user=user)
                return consent_text
        except IntegrityError:
            continue
    raise IntegrityError("consent text version taken five times in a row")


def consent_text_in_use(consent_text) -> bool:
    return Subscriber.objects.filter(consent_text=consent_text).exists()


class ConsentTextForm(forms.ModelForm):
    class Meta:
        model = ConsentText
        fields = ["text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 8})}
        help_texts = {
            "text": gettext_lazy(
                "Shown beside the sign-up form from now on, as the next version. The versions already "
                "accepted stay as they are: they prove what each subscriber agreed to."
            )
        }


class ConsentTextIndexView(generic.IndexView):
    add_item_label = gettext_lazy("New version")

    def get_delete_url(self, instance):
        """No deletion offered for a version someone accepted (the delete view refuses it too)."""
        return None if instance.subscriber_count else super().get_delete_url(instance)

    def get_base_queryset(self):
        accepted = (
            Subscriber.objects.filter(consent_text=OuterRef("pk"))
            .order_by()
            .values("consent_text")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return super().get_base_queryset().annotate(subscriber_count=Subquery(accepted))


class ConsentTextCreateView(generic.CreateView):
    def save_instance(self):
        return consent_text_create(text=self.form.cleaned_data["text"], user=self.request.user)

    def get_success_url(self):
        return reverse(consent_text_viewset.get_url_name("index"))

    def get_success_message(self, instance):
        return _("Consent text v%(version)s created: new subscribers accept it from now on.") % {
            "version": instance.version
        }


class ConsentTextDeleteView(generic.DeleteView):
    """Only a version nobody accepted: the others are the proof of someone's consent."""

    template_name = "newsletter/admin/consent_delete.html"

    def get_usage_url(self):
        return None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["in_use"] = consent_text_in_use(self.object)
        return context

    def form_valid(self, form):
        if consent_text_in_use(self.object):
            messages.error(
                self.request,
                _("Version %(version)s was accepted by subscribers: it is their proof of consent and stays.")
                % {"version": self.object.version},
            )
            return HttpResponseRedirect(reverse(consent_text_viewset.get_url_name("index")))
        return super().form_valid(form)

    def get_success_message(self):
        return _("Consent text v%(version)s deleted.") % {"version": self.object.version}


class ExcerptColumn(Column):
    def get_value(self, instance):
        return Truncator(instance.text).words(16)


class SubscriberCountColumn(Column):
    def get_value(self, instance):
        return instance.subscriber_count or 0


class ConsentTextViewSet(ModelViewSet):
    model = ConsentText
    menu_label = gettext_lazy("Consent texts")
    icon = "doc-full"
    add_to_admin_menu = False
    add_to_reference_index = False
    copy_view_enabled = False
    inspect_view_enabled = True
    index_view_class = ConsentTextIndexView
    add_view_class = ConsentTextCreateView
    delete_view_class = ConsentTextDeleteView
    inspect_view_fields = ["version", "created_at", "text"]
    list_display = [
        "__str__",
        ExcerptColumn("text", label=gettext_lazy("Text")),
        DateColumn("created_at", label=gettext_lazy("Created at")),
        SubscriberCountColumn("subscriber_count", label=gettext_lazy("Accepted by (subscribers)")),
    ]
    ordering = ["-version"]
    form_class = ConsentTextForm

    def get_form_class(self, for_update=False):
        return ConsentTextForm


consent_text_viewset = ConsentTextViewSet("newsletter_consent_texts", url_prefix="lettre/consentement")


# --- hooks: viewsets, the « Lettre d’information » menu, audit log actions ---------------------------------


@hooks.register("register_admin_viewset")
def register_subscriber_viewset():
    return subscriber_viewset


@hooks.register("register_admin_viewset")
def register_consent_text_viewset():
    return consent_text_viewset


class PolicyMenuItem(MenuItem):
    """Shown to whoever the model's policy lets see the listing (the permission checks are cached)."""

    def __init__(self, *args, policy, actions, **kwargs):
        super().__init__(*args, **kwargs)
        self.policy, self.actions = policy, actions

    def is_shown(self, request):
        return self.policy.user_has_any_permission(request.user, self.actions)


@hooks.register("register_newsletter_menu_item")
def register_subscribers_menu_item():
    return PolicyMenuItem(
        subscriber_viewset.menu_label,
        reverse(subscriber_viewset.get_url_name("index")),
        name="newsletter-subscribers",
        icon_name="user",
        order=200,
        policy=SubscriberPermissionPolicy(Subscriber),
        actions=["view", "delete"],
    )


@hooks.register("register_newsletter_menu_item")
def register_consent_texts_menu_item():
    return PolicyMenuItem(
        consent_text_viewset.menu_label,
        reverse(consent_text_viewset.get_url_name("index")),
        name="newsletter-consent-texts",
        icon_name="doc-full",
        order=300,
        policy=ConsentTextPermissionPolicy(ConsentText),
        actions=["add", "view", "delete"],
    )


@hooks.register("register_log_actions")
def register_subscriber_log_actions(actions):
    actions.register_action(
        ACTION_EXPORT, gettext_lazy("Export subscriber data"), gettext_lazy("Subscriber data exported")
    )
    actions.register_action(
        ACTION_ERASE, gettext_lazy("Erase subscriber data"), gettext_lazy("Subscriber data erased")
    )
