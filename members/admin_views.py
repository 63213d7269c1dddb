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
from django.views.generic import FormView, TemplateView

from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from councils.models import CouncilPage

from . import services
from .forms import InvitationForm
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
    """The council's editors and members, pending invitations, and the invitation form."""

    form_class = InvitationForm
    template_name = "members/admin/council.html"
    page_title = gettext_lazy("Members")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "roles": self.roles}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        people = services.council_people(council=self.council)
        context.update(
            council=self.council,
            people=[
                {"user": user, "role": role, "role_label": Role(role).label, "removable": role in self.roles}
                for user, role in people
            ],
            pending=Invitation.objects.pending()
            .filter(council=self.council, role__in=self.roles)
            .select_related("invited_by"),
            can_invite_editors=Role.EDITOR in self.roles,
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
