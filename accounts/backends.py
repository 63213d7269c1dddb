from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from axes.backends import AxesStandaloneBackend


class EmailOrUsernameBackend(ModelBackend):
    """Sign in with either the username or the email address, case-insensitively."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        user_model = get_user_model()
        if username is None:
            username = kwargs.get(user_model.USERNAME_FIELD)
        if not username or password is None:
            return None
        field = "email__iexact" if "@" in username else "username__iexact"
        user = user_model._default_manager.filter(**{field: username}).first()
        if user is None:
            # Run the hasher anyway so that timing does not reveal which accounts exist.
            user_model().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None


class RequestOptionalAxesBackend(AxesStandaloneBackend):
    """Tests only (config/settings/test.py): django-axes refuses `authenticate()` without a request,
    which is what Django's test `Client.login()` calls. Every sign-in over HTTP passes the request and
    goes through the lock-out check as in production."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
