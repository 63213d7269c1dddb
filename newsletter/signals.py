"""Feedback from the mail provider (bounces, complaints) through django-anymail's tracking webhooks."""
