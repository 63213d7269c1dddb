"""Public routes of accounts: sign-in, sign-out, password reset by email, "Mon espace"."""

from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("connexion/", views.SignInView.as_view(), name="sign_in"),
    path("deconnexion/", views.sign_out, name="sign_out"),
    path("mot-de-passe/", views.PasswordResetRequestView.as_view(), name="password_reset"),
    path("mot-de-passe/envoye/", views.PasswordResetSentView.as_view(), name="password_reset_done"),
    path(
        "mot-de-passe/reinitialiser/<uidb64>/<token>/",
        views.PasswordResetSetView.as_view(),
        name="password_reset_confirm",
    ),
    path("mot-de-passe/modifie/", views.PasswordResetFinishedView.as_view(), name="password_reset_complete"),
    path("mon-espace/", views.member_space, name="member_space"),
]
