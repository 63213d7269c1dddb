"""The public side of an invitation: choose a password, then land where the new role is used."""

from django.contrib.auth.forms import SetPasswordForm
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

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
