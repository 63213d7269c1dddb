"""Organisers' admin screens: the events one organises, an event's registrations (filter, CSV export) and
attendance at the door (a phone-first screen with one large button per person).

Who may open them: whoever may edit the event page (`organisers.can_organise`). Anyone else gets a plain
403, whether the page exists or not, so nothing is learnt from the id. `page_id` in the URL also goes
through `core.admin_guards.AdminObjectGuardMiddleware` like every admin URL naming a page.
"""

import io

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, F, Q, Window
from django.db.models.functions import RowNumber
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.http import urlencode
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.defaults import permission_denied
from django.views.generic import TemplateView, View

from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from core.spreadsheets import BOM, csv_cell, excel_writer

from .models import EventPage, Registration, RegistrationStatus
from .organisers import can_organise, events_organised_by, registration_attendance_set


def forbidden(request):
    # A plain 403 rather than Wagtail's redirect to the dashboard: these links are never shown to this user.
    return permission_denied(request, PermissionDenied())


def _private(response):
    """Personal data: never stored by a cache, never sent on in a Referer."""
    response["Cache-Control"] = "private, no-store"
    # Not "no-referrer": with it, browsers send `Origin: null` with the page's POST forms, which
    # Django's CSRF check rightly refuses. "same-origin" still keeps the address (and its token) from
    # any other site.
    response["Referrer-Policy"] = "same-origin"
    return response


class EventsIndexView(WagtailAdminTemplateMixin, TemplateView):
    """The events taking registrations that the user organises, with their counts."""

    template_name = "events/admin/index.html"
    page_title = gettext_lazy("Registrations")
    header_icon = "form"

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": _("Registrations")}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        events = list(events_organised_by(self.request.user).select_related("seats"))
        now = timezone.now()
        context["upcoming"] = [event for event in events if event.end >= now][::-1]
        context["past"] = [event for event in events if event.end < now]
        return context

    def render_to_response(self, context, **kwargs):
        return _private(super().render_to_response(context, **kwargs))


class EventRegistrationsMixin(WagtailAdminTemplateMixin):
    header_icon = "form"

    def dispatch(self, request, *args, **kwargs):
        event = EventPage.objects.filter(pk=kwargs["page_id"]).first()
        # The right before the existence: an id outside the user's reach is refused the same way.
        if event is None or not can_organise(request.user, event):
            return forbidden(request)
        self.event = event
        return _private(super().dispatch(request, *args, **kwargs))

    def get_page_subtitle(self):
        return self.event.title

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("events_admin:index"), "label": _("Registrations")},
            {"url": reverse("events_admin:registrations", args=[self.event.pk]), "label": self.event.title},
        ]

    def status_filter(self):
        status = self.request.GET.get("status", "")
        return status if status in RegistrationStatus.values else ""

    def search(self):
        return (self.request.GET.get("q") or "").strip()[:100]

    def registrations(self):
        """The event's registrations, filtered, with each one's rank on the waiting list."""
        queryset = Registration.objects.filter(event_id=self.event.pk).annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("status")],
                order_by=[F("waiting_since").asc(nulls_last=True), F("pk").asc()],
            )
        )
        status = self.status_filter()
        search = self.search()
        rows = list(queryset.order_by("created_at", "pk"))
        # Filtered after the window, so that the rank stays the rank on the whole list.
        if status:
            rows = [row for row in rows if row.status == status]
        if search:
            needle = search.casefold()
            rows = [
                row
                for row in rows
                if needle in row.name.casefold()
                or needle in row.email.casefold()
                or needle in row.organisation.casefold()
            ]
        for row in rows:
            row.waiting_rank = row.rank if row.status == RegistrationStatus.WAITING else None
        return rows


class RegistrationsView(EventRegistrationsMixin, TemplateView):
    """An event's registrations: who, their needs, status, rank, when, attendance; filters and export."""

    template_name = "events/admin/registrations.html"
    page_title = gettext_lazy("Registrations")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        counts = {value: 0 for value in RegistrationStatus.values}
        for status in Registration.objects.filter(event_id=self.event.pk).values_list("status", flat=True):
            counts[status] += 1
        query = {
            key: value for key, value in (("status", self.status_filter()), ("q", self.search())) if value
        }
        context.update(
            event=self.event,
            registrations=self.registrations(),
            statuses=[(value, label, counts[value]) for value, label in RegistrationStatus.choices],
            status=self.status_filter(),
            search=self.search(),
            total=sum(counts.values()),
            export_url=reverse("events_admin:export", args=[self.event.pk])
            + (f"?{urlencode(query)}" if query else ""),
            attendance_url=reverse("events_admin:attendance", args=[self.event.pk]),
            edit_url=reverse("wagtailadmin_pages:edit", args=[self.event.pk]),
        )
        return context


def _when(value):
    return formats.date_format(timezone.localtime(value), "d/m/Y H:i") if value else ""


class RegistrationsExportView(EventRegistrationsMixin, View):
    """The registrations (with the listing's filters) as CSV for French Excel: UTF-8 with a BOM, `;`."""

    def get(self, request, *args, **kwargs):
        buffer = io.StringIO()
        buffer.write(BOM)
        writer = excel_writer(buffer)
        writer.writerow(
            [
                _("Name"),
                _("Email"),
                _("Organisation"),
                _("Accessibility needs"),
                _("Status"),
                _("Rank on the waiting list"),
                _("Registered at"),
                _("Attended"),
            ]
        )
        for row in self.registrations():
            writer.writerow(
                [
                    csv_cell(value)
                    for value in (
                        row.name,
                        row.email if not row.erased_at else "",
                        row.organisation,
                        row.accessibility_needs,
                        row.get_status_display(),
                        row.waiting_rank or "",
                        _when(row.created_at),
                        _when(row.attended_at),
                    )
                ]
            )
        response = HttpResponse(buffer.getvalue().encode("utf-8"), content_type="text/csv; charset=utf-8")
        filename = f"inscriptions-{slugify(self.event.slug) or self.event.pk}.csv"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


class AttendanceView(EventRegistrationsMixin, TemplateView):
    """At the door, on a phone: the confirmed people, a search by name, one large button each (POST, works
    without JavaScript), and the count of people present."""

    template_name = "events/admin/attendance.html"
    page_title = gettext_lazy("Attendance")

    def get_breadcrumbs_items(self):
        return [*super().get_breadcrumbs_items(), {"url": "", "label": _("Attendance")}]

    def people(self):
        confirmed = Registration.objects.filter(
            event_id=self.event.pk, status=RegistrationStatus.CONFIRMED, erased_at__isnull=True
        )
        counts = confirmed.aggregate(
            total=Count("pk"), present=Count("pk", filter=Q(attended_at__isnull=False))
        )
        search = self.search()
        if search:
            confirmed = confirmed.filter(Q(name__icontains=search) | Q(organisation__icontains=search))
        return list(confirmed.order_by("name", "pk")), counts

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        people, counts = self.people()
        context.update(
            event=self.event,
            people=people,
            search=self.search(),
            present=counts["present"],
            total=counts["total"],
            registrations_url=reverse("events_admin:registrations", args=[self.event.pk]),
        )
        return context

    def post(self, request, *args, **kwargs):
        registration = Registration.objects.filter(
            event_id=self.event.pk,
            status=RegistrationStatus.CONFIRMED,
            erased_at__isnull=True,
            pk=request.POST.get("registration")
            if (request.POST.get("registration") or "").isdigit()
            else None,
        ).first()
        url = reverse("events_admin:attendance", args=[self.event.pk])
        search = (request.POST.get("q") or "").strip()[:100]
        if search:
            url += f"?{urlencode({'q': search})}"
        if registration is None:
            messages.error(request, _("This person is not on the list of confirmed registrations."))
            return redirect(url)
        present = request.POST.get("present") == "1"
        registration_attendance_set(registration=registration, present=present)
        if present:
            messages.success(request, _("%(name)s is marked present.") % {"name": registration.name})
        else:
            messages.success(
                request, _("%(name)s is no longer marked present.") % {"name": registration.name}
            )
        return redirect(f"{url}#r-{registration.pk}")
