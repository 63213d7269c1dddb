"""Public views: an invitation (choose a password, then land where the new role is used), and a member's
consent to their name in a council's public list of members."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from core.middleware import mark_private
from councils.models import Membership

from . import services
from .models import Role


@never_cache
@sensitive_post_parameters("new_password1", "new_password2")
def invitation(request, token):
    try:
        invitation = services.invitation_get(token=token)
    except services.InvitationInvalid as error:
        return render(
            request, "members/invitation_invalid.html", {"message": error.message}, status=error.status
        )
    form = SetPasswordForm(invitation.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = services.invitation_accept(
                token=token, password=form.cleaned_data["new_password1"], request=request
            )
        except services.InvitationInvalid as error:
            return render(
                request, "members/invitation_invalid.html", {"message": error.message}, status=error.status
            )
        if invitation.role == Role.EDITOR:
            return redirect("wagtailadmin_home")
        return redirect(invitation.council.url or "/")
    return render(
        request,
        "members/invitation.html",
        {"form": form, "invitation": invitation, "is_editor": invitation.role == Role.EDITOR},
    )


@never_cache
@login_required
def consent(request, council_id):
    """`POST /mon-espace/visibilite/<council_id>/` with `listed=1|0`: the signed-in person shows or hides
    their name in that council's public list. Only their own open mandate: anything else is a 404. A GET
    (a link followed, a reload) goes back to "Mon espace", where the switch is."""
    mark_private(request)
    if request.method != "POST":
        return redirect("accounts:member_space")
    listed = request.POST.get("listed") == "1"
    try:
        membership = services.membership_consent_set(user=request.user, council_id=council_id, listed=listed)
    except Membership.DoesNotExist as error:
        raise Http404 from error
    if listed:
        message = _("Your name is now shown in the public list of members of “%(council)s”.")
    else:
        message = _("Your name is no longer shown in the public list of members of “%(council)s”.")
    messages.success(request, message % {"council": membership.council.title})
    return redirect("accounts:member_space")
