"""Admin views: a council's editors and members, inviting people, removing a role.

Who may open them: the communications team for every council, a council's editors for their own council's
members. Anyone else gets a 403, whether the council exists or not, so nothing is learnt from the id.
"""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.defaults import permission_denied
from django.views.generic import FormView, TemplateView, View

from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from councils.models import College, CouncilPage, Membership

from . import services
from .forms import CollegeForm, InvitationForm, MandateEndForm, MembershipForm
from .models import Invitation, Role


def forbidden(request):
    # A plain 403 rather than Wagtail's redirect to the dashboard: these links are never shown to this user.
    return permission_denied(request, PermissionDenied())


class CouncilRolesMixin(WagtailAdminTemplateMixin):
    header_icon = "group"

    def dispatch(self, request, *args, **kwargs):
        managed = services.councils_managed_by(request.user)
        # Check the right before the existence: an id outside the user's reach is refused the same way.
        if not managed.filter(pk=kwargs["council_id"]).exists():
            if request.user.has_perm("members.manage_roles"):
                get_object_or_404(CouncilPage, pk=kwargs["council_id"])
            return forbidden(request)
        self.council = CouncilPage.objects.get(pk=kwargs["council_id"])
        self.roles = services.roles_manageable_by(user=request.user, council=self.council)
        try:
            return super().dispatch(request, *args, **kwargs)
        except PermissionDenied:
            return forbidden(request)

    def get_page_subtitle(self):
        return self.council.title

    def members_url(self):
        return reverse("members_admin:council", args=[self.council.pk])

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("members_admin:index"), "label": _("Members")},
            {"url": self.members_url(), "label": self.council.title},
        ]


class CouncilIndexView(WagtailAdminTemplateMixin, TemplateView):
    """The councils whose people the user manages; straight to the council when there is one."""

    template_name = "members/admin/index.html"
    page_title = gettext_lazy("Members")
    header_icon = "group"

    def dispatch(self, request, *args, **kwargs):
        self.councils = list(services.councils_managed_by(request.user))
        if not self.councils:
            return forbidden(request)
        if len(self.councils) == 1 and not request.user.has_perm("members.manage_roles"):
            return redirect("members_admin:council", self.councils[0].pk)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["councils"] = self.councils
        return context


class CouncilMembersView(CouncilRolesMixin, FormView):
    """The council's mandates by college, ended mandates, pending invitations, and the invitation form."""

    form_class = InvitationForm
    template_name = "members/admin/council.html"
    page_title = gettext_lazy("Members")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "roles": self.roles, "council": self.council}

    def _row(self, membership):
        manageable = membership.role in self.roles
        return {
            "membership": membership,
            "user": membership.user,
            "role_label": Role(membership.role).label,
            "edit_url": manageable
            and reverse("members_admin:mandate", args=[self.council.pk, membership.pk]),
            "end_url": manageable
            and reverse("members_admin:mandate_end", args=[self.council.pk, membership.pk]),
        }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        by_college, current, ended = services.council_mandates(council=self.council)
        without_mandate = services.council_people_without_mandate(council=self.council, mandates=current)
        context.update(
            council=self.council,
            colleges=[
                {"college": college, "rows": [self._row(m) for m in mandates]}
                for college, mandates in by_college
            ],
            has_colleges=any(college is not None for college, _mandates in by_college),
            current_count=len(current),
            ended=[self._row(m) for m in ended],
            without_mandate=[
                {
                    "user": user,
                    "role": role,
                    "role_label": Role(role).label,
                    "remove_url": role in self.roles
                    and reverse("members_admin:role_remove", args=[self.council.pk, user.pk, role]),
                }
                for user, role in without_mandate
            ],
            pending=Invitation.objects.pending()
            .filter(council=self.council, role__in=self.roles)
            .select_related("invited_by", "college"),
            can_invite_editors=Role.EDITOR in self.roles,
            colleges_url=reverse("members_admin:colleges", args=[self.council.pk]),
            history_url=reverse("wagtailadmin_pages:history", args=[self.council.pk]),
            action_url=self.request.path,
        )
        return context

    def form_valid(self, form):
        email, role = form.cleaned_data["email"], form.cleaned_data["role"]
        try:
            invitation = services.invitation_create(
                council=self.council,
                email=email,
                role=role,
                invited_by=self.request.user,
                college=form.cleaned_data.get("college"),
                position=form.cleaned_data.get("position") or "",
                request=self.request,
            )
        except ValidationError as error:
            form.add_error("email", error)
            return self.form_invalid(form)
        if invitation.accepted_at is not None:
            message = _("%(email)s already had an account: they are now %(role)s of this council.")
        else:
            message = _("An invitation was sent to %(email)s (%(role)s).")
        messages.success(
            self.request, message % {"email": invitation.email, "role": Role(role).label.lower()}
        )
        return redirect(self.members_url())


class MandateMixin(CouncilRolesMixin):
    """A mandate of this council that the user may manage (its role is one they may give); ended mandates
    are history and cannot be changed."""

    def setup_mandate(self):
        self.membership = get_object_or_404(
            Membership.objects.select_related("user", "college", "council"),
            pk=self.kwargs["membership_id"],
            council=self.council,
            ended_on__isnull=True,
        )
        if not services.membership_manageable(membership=self.membership, by=self.request.user):
            raise PermissionDenied

    def get(self, request, *args, **kwargs):
        self.setup_mandate()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.setup_mandate()
        return super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            council=self.council,
            membership=self.membership,
            person=self.membership.user,
            role_label=Role(self.membership.role).label,
            cancel_url=self.members_url(),
            action_url=self.request.path,
        )
        return context


class MandateEditView(MandateMixin, FormView):
    """Move a mandate to another college, change its position."""

    form_class = MembershipForm
    template_name = "members/admin/mandate.html"
    page_title = gettext_lazy("Mandate")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "council": self.council}

    def get_initial(self):
        return {"college": self.membership.college_id, "position": self.membership.position}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["end_url"] = reverse("members_admin:mandate_end", args=[self.council.pk, self.membership.pk])
        return context

    def form_valid(self, form):
        services.membership_update(
            membership=self.membership,
            by=self.request.user,
            college=form.cleaned_data["college"],
            position=form.cleaned_data["position"],
        )
        messages.success(
            self.request,
            _("The mandate of %(name)s was updated.") % {"name": services.person_name(self.membership.user)},
        )
        return redirect(self.members_url())


class MandateEndView(MandateMixin, FormView):
    """Confirm, with the date, then end a mandate (POST only changes anything)."""

    form_class = MandateEndForm
    template_name = "members/admin/mandate_end.html"
    page_title = gettext_lazy("End a mandate")

    def form_valid(self, form):
        try:
            services.membership_end(
                membership=self.membership, by=self.request.user, ended_on=form.cleaned_data["ended_on"]
            )
        except ValidationError as error:
            form.add_error("ended_on", error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _(
                "The mandate of %(name)s has ended: they no longer have access to the council’s private spaces."
            )
            % {"name": services.person_name(self.membership.user)},
        )
        return redirect(self.members_url())


# -- Colleges ------------------------------------------------------------------------------------------------


class CollegesMixin(CouncilRolesMixin):
    def colleges_url(self):
        return reverse("members_admin:colleges", args=[self.council.pk])

    def get_breadcrumbs_items(self):
        return [*super().get_breadcrumbs_items(), {"url": self.colleges_url(), "label": _("Colleges")}]

    def setup_college(self):
        self.college = get_object_or_404(College, pk=self.kwargs["college_id"], council=self.council)


class CollegesView(CollegesMixin, FormView):
    """The council's colleges in order, with how many mandates each holds, and a form to add one."""

    form_class = CollegeForm
    template_name = "members/admin/colleges.html"
    page_title = gettext_lazy("Colleges")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        colleges = services.council_colleges(council=self.council)
        context.update(
            council=self.council,
            colleges=colleges,
            members_url=self.members_url(),
            history_url=reverse("wagtailadmin_pages:history", args=[self.council.pk]),
            action_url=self.request.path,
        )
        return context

    def form_valid(self, form):
        try:
            college = services.college_create(council=self.council, by=self.request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error("name", error)
            return self.form_invalid(form)
        messages.success(self.request, _("The college “%(name)s” was added.") % {"name": college.name})
        return redirect(self.colleges_url())


class CollegeEditView(CollegesMixin, FormView):
    form_class = CollegeForm
    template_name = "members/admin/college_edit.html"
    page_title = gettext_lazy("Edit a college")

    def get(self, request, *args, **kwargs):
        self.setup_college()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.setup_college()
        return super().post(request, *args, **kwargs)

    def get_initial(self):
        college = self.college
        return {
            "name": college.name,
            "description": college.description,
            "drawn_by_lot": college.drawn_by_lot,
        }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            council=self.council,
            college=self.college,
            cancel_url=self.colleges_url(),
            delete_url=reverse("members_admin:college_delete", args=[self.council.pk, self.college.pk]),
            action_url=self.request.path,
        )
        return context

    def form_valid(self, form):
        try:
            college = services.college_update(college=self.college, by=self.request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error("name", error)
            return self.form_invalid(form)
        messages.success(self.request, _("The college “%(name)s” was saved.") % {"name": college.name})
        return redirect(self.colleges_url())


class CollegeDeleteView(CollegesMixin, TemplateView):
    """Confirm, then delete a college nobody's mandate refers to; otherwise say why not."""

    template_name = "members/admin/college_delete.html"
    page_title = gettext_lazy("Delete a college")

    def get(self, request, *args, **kwargs):
        self.setup_college()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.setup_college()
        name = self.college.name
        try:
            services.college_delete(college=self.college, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(self.colleges_url())
        messages.success(request, _("The college “%(name)s” was deleted.") % {"name": name})
        return redirect(self.colleges_url())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        used = self.college.memberships.count()
        context.update(
            council=self.council,
            college=self.college,
            used=used,
            cancel_url=self.colleges_url(),
            action_url=self.request.path,
        )
        return context


class CollegeMoveView(CollegesMixin, View):
    """POST `direction=up|down`: move a college one place in the council's order."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        self.setup_college()
        direction = request.POST.get("direction")
        if direction in ("up", "down"):
            services.college_move(college=self.college, by=request.user, direction=direction)
        return redirect(self.colleges_url())


class RoleRemoveView(CouncilRolesMixin, TemplateView):
    """Confirm, then take a role away (POST only changes anything)."""

    template_name = "members/admin/role_remove.html"
    page_title = gettext_lazy("Remove a role")

    def setup_person(self):
        if self.kwargs["role"] not in self.roles:
            raise PermissionDenied
        self.role = Role(self.kwargs["role"])
        access = self.council.access
        group = access.editors_group if self.role == Role.EDITOR else access.members_group
        # Someone who holds the role, or was invited to it and has not answered yet.
        pending = Invitation.objects.pending().filter(council=self.council, role=self.role)
        holders = get_user_model().objects.filter(Q(groups=group) | Q(pk__in=pending.values("user_id")))
        self.person = get_object_or_404(holders.distinct(), pk=self.kwargs["user_id"])

    def get(self, request, *args, **kwargs):
        self.setup_person()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.setup_person()
        services.council_role_remove(council=self.council, user=self.person, role=self.role, by=request.user)
        messages.success(
            request,
            _("%(name)s is no longer %(role)s of this council.")
            % {"name": self.person.get_full_name() or self.person.email, "role": self.role.label.lower()},
        )
        return redirect(self.members_url())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            council=self.council,
            person=self.person,
            role_label=self.role.label,
            cancel_url=self.members_url(),
            action_url=self.request.path,
        )
        return context
