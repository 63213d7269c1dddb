from django.urls import path

from . import views

urlpatterns = [
    path("<int:page_id>/", views.report_page, name="moderation_report"),
    path("<int:page_id>/merci/", views.report_done, name="moderation_report_done"),
]
