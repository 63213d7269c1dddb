"""Services of sending: start, claim in batches, deliver, resume, retry (sending helper)."""


def issue_send_run(*, issue_id: int) -> int:
    return 0


def deliveries_resume() -> int:
    return 0
