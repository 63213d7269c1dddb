"""Services of subscription: sign up, confirm, change lists, leave, purge, export, erase (subscription helper)."""


def subscribers_purge_unconfirmed() -> int:
    return 0
