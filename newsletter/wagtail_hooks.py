"""The newsletter in the admin: issues (composing helper), sending progress (sending helper), subscribers
(subscribers helper). Each module registers its own hooks; this file imports them."""

from . import admin_issues, admin_sending, admin_subscribers  # noqa: F401
