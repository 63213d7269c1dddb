"""Issues in the admin (menu "Lettre d'information"): list, write, preview (HTML email and plain text), send
a test to oneself, then send — for the communications team and superusers only.

Built on Wagtail's own `SnippetViewSet` (not wagtail-modeladmin, the legacy package Wagtail replaced by
viewsets: it has no preview panel, no StreamField-aware preview and is no longer developed). Who may do
what is Wagtail's permission machinery: `IssuePermissionPolicy` (Django permissions add/change/delete/view
and `send_newsletterissue`, granted to the city team by `councils.services.CITY_MODEL_PERMISSIONS`; an
issue being sent or sent can no longer be changed, deleted or sent again). Council editors and members
hold none: every URL here answers them 403.
"""

from datetime import datetime
from functools import wraps

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import View

from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel, MultiFieldPanel, ObjectList
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.admin.widgets import HeaderButton
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.chooser import SnippetChooserViewSet
from wagtail.snippets.views.snippets import (
    DeleteView,
    EditView,
    IndexView,
    InspectView,
    PreviewOnCreateView,
    PreviewOnEditView,
    SnippetViewSet,
)
from wagtail.utils.decorators import xframe_options_sameorigin_override

from . import composing
from .models import IssueStatus, NewsletterIssue, NewsletterList

PROGRESS_URL_NAME = "newsletter_sending:progress"


def progress_url(issue):
    """The sending helper's progress page of an issue (None until that page exists)."""
    try:
        return reverse(PROGRESS_URL_NAME, args=[issue.pk])
    except NoReverseMatch:
        return None


# -- Permissions ----------------------------------------------------------------------------------------


class IssuePermissionPolicy(ModelPermissionPolicy):
    """Django's model permissions (add, change, delete, view, send), and: an issue that is being sent or
    was sent is read-only — no change, no deletion, no second sending."""

    def user_has_permission_for_instance(self, user, action, instance):
        if action in ("change", "delete", "send") and instance.status != IssueStatus.DRAFT:
            return False
        return super().user_has_permission_for_instance(user, action, instance)


issue_permission_policy = IssuePermissionPolicy(NewsletterIssue)
register_permission_policy(NewsletterIssue, issue_permission_policy)


#: Holding any of these is what lets one into this admin at all.
ISSUE_ACTIONS = ("add", "change", "delete", "view", "send")


def issue_forbidden(request):
    """The 403 of this admin (Wagtail's own answer to a refused permission is a redirect to the
    dashboard, which says nothing to a test nor to a screen reader)."""
    return TemplateResponse(
        request,
        "newsletter/admin/issue_forbidden.html",
        {"page_title": _("Access denied"), "header_title": _("Access denied")},
        status=403,
    )


def city_team_only(view):
    """Every view of this admin: a 403 to whoever holds no right on issues (council editors and members),
    and a 403 instead of Wagtail's redirect for any refusal inside (an issue already sent, say)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not issue_permission_policy.user_has_any_permission(request.user, ISSUE_ACTIONS):
            return issue_forbidden(request)
        try:
            return view(request, *args, **kwargs)
        except PermissionDenied:
            return issue_forbidden(request)

    return wrapped


# -- The form -------------------------------------------------------------------------------------------


class IssueForm(WagtailAdminModelForm):
    """Refuses, on save and on preview, any page, document or image that is not public (French message
    naming the item, on the field holding it): an issue goes to anyone who subscribes."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "lists" in self.fields:
            self.fields["lists"].queryset = NewsletterList.objects.offered().select_related("council")
            self.fields["lists"].widget = forms.CheckboxSelectMultiple()
            self.fields["lists"].widget.choices = self.fields["lists"].choices

    def clean_subject(self):
        subject = self.cleaned_data["subject"]
        if "\n" in subject or "\r" in subject:
            raise forms.ValidationError(_("The subject must fit on one line."))
        return subject.strip()

    def _post_clean(self):
        super()._post_clean()
        for field_name, problems in composing.issue_private_reference_errors(issue=self.instance).items():
            for problem in problems:
                self.add_error(field_name if field_name in self.fields else None, problem)


issue_edit_handler = ObjectList(
    [
        FieldPanel("subject"),
        FieldPanel("lists"),
        FieldPanel("intro"),
        FieldPanel("body"),
        MultiFieldPanel(
            [FieldPanel("include_latest"), FieldPanel("period_start")],
            heading=_("Latest news, events and meetings"),
        ),
    ],
    base_form_class=IssueForm,
)


# -- Preview --------------------------------------------------------------------------------------------

PREVIEW_TEXT_MODE = "text"


def _issue_preview(request, issue, lists, mode):
    """The issue as a test recipient reads it: the HTML email, or its plain-text part."""
    issue._preview_lists = list(lists)
    rendered = composing.issue_render(issue=issue)
    _subject, text, markup = composing.issue_personalise(rendered, subscriber=None)
    if mode == PREVIEW_TEXT_MODE:
        return TemplateResponse(
            request, "newsletter/admin/issue_preview_text.html", {"text": text, "subject": issue.subject}
        )
    return HttpResponse(markup)


class IssuePreviewMixin:
    @method_decorator(xframe_options_sameorigin_override)
    def get(self, request, *args, **kwargs):
        form = self.get_form(self._get_form_data(self._get_form_state()))
        if not self.validate_form(form):
            return self.error_response()
        issue = form.save(commit=False)
        lists = form.cleaned_data.get("lists") or []
        return _issue_preview(request, issue, lists, request.GET.get("mode", ""))


class IssuePreviewOnEditView(IssuePreviewMixin, PreviewOnEditView):
    pass


class IssuePreviewOnCreateView(IssuePreviewMixin, PreviewOnCreateView):
    pass


# -- Listing, edit, inspect -----------------------------------------------------------------------------


class ListsColumn(Column):
    def get_value(self, instance):
        return ", ".join(str(newsletter_list) for newsletter_list in instance.lists.all())


class ProgressColumn(Column):
    cell_template_name = "newsletter/admin/issue_progress_cell.html"

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        context["progress_url"] = progress_url(instance) if instance.status != IssueStatus.DRAFT else None
        context["send_url"] = (
            reverse(issue_viewset.get_url_name("send"), args=[instance.pk])
            if instance.status == IssueStatus.DRAFT
            else None
        )
        return context


class IssueIndexView(IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().prefetch_related("lists__council")

    def get_edit_url(self, instance):
        if self.permission_policy.user_has_permission_for_instance(self.request.user, "change", instance):
            return super().get_edit_url(instance)
        return None

    def get_delete_url(self, instance):
        if self.permission_policy.user_has_permission_for_instance(self.request.user, "delete", instance):
            return super().get_delete_url(instance)
        return None

    def get_copy_url(self, instance):
        return None


class IssueActionsMixin:
    """ "Send me a test" and "Send" in the header of an issue's screens."""

    def issue_header_buttons(self, issue):
        user = self.request.user
        buttons = []
        if issue_permission_policy.user_has_permission(user, "send"):
            buttons.append(
                HeaderButton(
                    _("Send me a test"),
                    url=reverse(issue_viewset.get_url_name("send_test"), args=[issue.pk]),
                    icon_name="mail",
                    priority=10,
                )
            )
        if issue_permission_policy.user_has_permission_for_instance(user, "send", issue):
            buttons.append(
                HeaderButton(
                    _("Send…"),
                    url=reverse(issue_viewset.get_url_name("send"), args=[issue.pk]),
                    icon_name="mail",
                    priority=20,
                )
            )
        elif url := progress_url(issue):
            buttons.append(HeaderButton(_("Sending progress"), url=url, icon_name="time", priority=20))
        return buttons


class InstancePermissionMixin:
    """The policy's word on this very issue (an issue being sent or sent cannot be changed or deleted)."""

    instance_action = "change"

    def get_object(self, queryset=None):
        issue = super().get_object(queryset)
        if not self.permission_policy.user_has_permission_for_instance(
            self.request.user, self.instance_action, issue
        ):
            raise PermissionDenied
        return issue


class IssueDeleteView(InstancePermissionMixin, DeleteView):
    instance_action = "delete"


class IssueEditView(InstancePermissionMixin, IssueActionsMixin, EditView):
    sent_issue = None

    def setup(self, request, *args, **kwargs):
        """The team opening a sent issue's edit address is shown the issue (read-only), not refused."""
        try:
            super().setup(request, *args, **kwargs)
        except PermissionDenied:
            issue = NewsletterIssue.objects.filter(pk=kwargs.get("pk")).only("status").first()
            if (
                issue is None
                or issue.status == IssueStatus.DRAFT
                or not self.permission_policy.user_has_permission(request.user, "view")
            ):
                raise
            self.sent_issue = issue

    def dispatch(self, request, *args, **kwargs):
        if self.sent_issue is not None:
            messages.warning(request, gettext("This issue has been sent: it can no longer be changed."))
            return redirect(self.inspect_url_name, self.sent_issue.pk)
        return super().dispatch(request, *args, **kwargs)

    @property
    def header_buttons(self):
        return [*super().header_buttons, *self.issue_header_buttons(self.object)]


class IssueInspectView(IssueActionsMixin, InspectView):
    template_name = "newsletter/admin/issue_inspect.html"

    @property
    def header_buttons(self):
        return [*super().header_buttons, *self.issue_header_buttons(self.object)]

    def get_edit_url(self):
        if self.permission_policy.user_has_permission_for_instance(self.request.user, "change", self.object):
            return super().get_edit_url()
        return None

    def get_delete_url(self):
        if self.permission_policy.user_has_permission_for_instance(self.request.user, "delete", self.object):
            return super().get_delete_url()
        return None

    def get_field_display_value(self, field_name, field):
        value = getattr(self.object, field_name, None)
        if isinstance(value, bool):
            return gettext("Yes") if value else gettext("No")
        if value is None or value == "":
            return "—"
        if isinstance(value, datetime):  # in Paris time, as everywhere else in the admin
            return date_format(timezone.localtime(value), "DATETIME_FORMAT")
        return super().get_field_display_value(field_name, field)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        issue = self.object
        context["issue_preview_url"] = reverse(issue_viewset.get_url_name("preview_sent"), args=[issue.pk])
        return context


# -- Test send, send --------------------------------------------------------------------------------------


class IssueActionView(PermissionCheckedMixin, WagtailAdminTemplateMixin, View):
    """An action on one issue, for those the permission policy allows (`permission_required`)."""

    permission_policy = issue_permission_policy
    permission_required = "send"
    instance_permission = None
    template_name = None
    _show_breadcrumbs = True

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.issue = get_object_or_404(NewsletterIssue, pk=kwargs["pk"])

    def check_instance(self):
        if self.instance_permission and not self.permission_policy.user_has_permission_for_instance(
            self.request.user, self.instance_permission, self.issue
        ):
            raise PermissionDenied

    def get_breadcrumbs_items(self):
        return [
            {"url": reverse("wagtailadmin_home"), "label": gettext("Dashboard")},
            {"url": reverse(issue_viewset.get_url_name("list")), "label": issue_viewset.menu_label},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_page_subtitle(self):
        return self.issue.subject

    def render(self, **extra):
        context = self.get_context_data(issue=self.issue, **extra)
        return TemplateResponse(self.request, self.template_name, context)

    def edit_url(self):
        if self.permission_policy.user_has_permission_for_instance(self.request.user, "change", self.issue):
            return reverse(issue_viewset.get_url_name("edit"), args=[self.issue.pk])
        return reverse(issue_viewset.get_url_name("inspect"), args=[self.issue.pk])


class IssueSendTestView(IssueActionView):
    """ "Send me a test": the issue as it stands, to the requesting user's own address (GET asks, POST
    sends)."""

    template_name = "newsletter/admin/issue_send_test.html"
    page_title = _("Send me a test")
    header_icon = "mail"

    def get(self, request, *args, **kwargs):
        self.check_instance()
        return self.render(problems=composing.issue_private_references(issue=self.issue))

    def post(self, request, *args, **kwargs):
        self.check_instance()
        problems = composing.issue_private_references(issue=self.issue)
        if not request.user.email:
            messages.error(request, _("Your account has no email address: add one in your account settings."))
            return self.render(problems=problems)
        with transaction.atomic():
            composing.issue_send_test(issue=self.issue, user=request.user)
        messages.success(
            request,
            _("A test of “%(subject)s” was sent to %(email)s.")
            % {"subject": self.issue.subject, "email": request.user.email},
        )
        return redirect(self.edit_url())


class IssueSendView(IssueActionView):
    """Sending: a confirmation page with the number of recipients and any privacy problem (which blocks
    sending); POST starts the send and goes to its progress page."""

    template_name = "newsletter/admin/issue_send.html"
    page_title = _("Send the issue")
    header_icon = "mail"
    instance_permission = "send"

    def context(self):
        return {
            "problems": composing.issue_private_references(issue=self.issue),
            "recipient_count": composing.issue_recipient_count(issue=self.issue),
            "lists": [str(newsletter_list) for newsletter_list in self.issue.lists.select_related("council")],
            "edit_url": self.edit_url(),
        }

    def get(self, request, *args, **kwargs):
        self.check_instance()
        return self.render(**self.context())

    def post(self, request, *args, **kwargs):
        self.check_instance()
        context = self.context()
        if context["problems"]:
            messages.error(request, _("This issue cannot be sent: remove the private items listed below."))
            return self.render(**context)
        if not context["recipient_count"]:
            messages.error(
                request, _("Nobody would receive this issue: its lists have no confirmed subscriber.")
            )
            return self.render(**context)
        from . import sending

        try:
            sending.issue_send_start(issue=self.issue, user=request.user)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            self.issue.refresh_from_db()
            return self.render(**self.context())
        messages.success(
            request, _("Sending of “%(subject)s” has started.") % {"subject": self.issue.subject}
        )
        return redirect(progress_url(self.issue) or reverse(issue_viewset.get_url_name("list")))


class IssueSentPreviewView(IssueActionView):
    """What a sent (or sending) issue looked like: its frozen HTML, with the newsletter's page for the
    personal links."""

    permission_required = "view"

    def get(self, request, *args, **kwargs):
        frozen = self.issue.frozen or composing.issue_render(issue=self.issue)
        _subject, text, markup = composing.issue_personalise(frozen, subscriber=None)
        if request.GET.get("mode") == PREVIEW_TEXT_MODE:
            return HttpResponse(text, content_type="text/plain; charset=utf-8")
        return HttpResponse(markup)


# -- The viewset ----------------------------------------------------------------------------------------


class IssueChooserViewSet(SnippetChooserViewSet):
    """Wagtail's chooser of issues (no block uses it): the city team only, like every URL here."""

    def get_urlpatterns(self):
        patterns = super().get_urlpatterns()
        for pattern in patterns:
            pattern.callback = city_team_only(pattern.callback)
        return patterns


class IssueViewSet(SnippetViewSet):
    model = NewsletterIssue
    icon = "mail"
    menu_label = _("Issues")
    menu_name = "newsletter-issues"
    add_to_admin_menu = False  # in the « Lettre d'information » submenu (wagtail_hooks.newsletter_menu)
    url_prefix = "lettre/numeros"
    admin_url_namespace = "newsletter_issues"
    edit_handler = issue_edit_handler
    chooser_viewset_class = IssueChooserViewSet
    index_view_class = IssueIndexView
    edit_view_class = IssueEditView
    delete_view_class = IssueDeleteView
    inspect_view_class = IssueInspectView
    inspect_view_enabled = True
    inspect_view_fields = [
        "subject",
        "status",
        "include_latest",
        "period_start",
        "send_requested_at",
        "sent_at",
    ]
    preview_on_edit_view_class = IssuePreviewOnEditView
    preview_on_add_view_class = IssuePreviewOnCreateView
    copy_view_enabled = False
    list_display = [
        "subject",
        ListsColumn("lists", label=_("Lists")),
        "status",
        DateColumn("sent_at", label=_("Sent at")),
        ProgressColumn("progress", label=_("Sending")),
    ]
    list_filter = ["status"]
    search_fields = ["subject"]
    ordering = ["-created_at"]
    list_per_page = 30

    def get_urlpatterns(self):
        patterns = [
            *super().get_urlpatterns(),
            path("test/<int:pk>/", IssueSendTestView.as_view(), name="send_test"),
            path("envoyer/<int:pk>/", IssueSendView.as_view(), name="send"),
            path("envoye/<int:pk>/apercu/", IssueSentPreviewView.as_view(), name="preview_sent"),
        ]
        for pattern in patterns:
            pattern.callback = city_team_only(pattern.callback)
        return patterns


issue_viewset = IssueViewSet()
register_snippet(issue_viewset)


class IssuesMenuItem(MenuItem):
    """Shown to whoever may do anything with issues (the permission checks are cached on the user)."""

    def is_shown(self, request):
        return issue_permission_policy.user_has_any_permission(request.user, ISSUE_ACTIONS)


@hooks.register("register_newsletter_menu_item")
def register_issues_menu_item():
    return IssuesMenuItem(
        issue_viewset.menu_label,
        reverse(issue_viewset.get_url_name("list")),
        name="newsletter-issues",
        icon_name="mail",
        order=100,
    )
