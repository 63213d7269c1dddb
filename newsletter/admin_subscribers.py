"""Admin screens of the newsletter (see wagtail_hooks)."""
