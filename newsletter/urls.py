from django.urls import path

from . import views, views_archive

app_name = "newsletter"

urlpatterns = [
    path("", views.newsletter_page, name="page"),
    path("inscription/", views.subscribe, name="subscribe"),
    path("inscription/envoyee/", views.subscribe_done, name="subscribe_done"),
    path("confirmer/<str:token>/", views.confirm, name="confirm"),
    path("preferences/<str:token>/", views.preferences, name="preferences"),
    path("preferences/", views.preferences_request, name="preferences_request"),
    path("desinscription/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("archives/<int:newsletter_issue_id>/", views_archive.issue_archive, name="issue"),
]
