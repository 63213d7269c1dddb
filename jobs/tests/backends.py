"""Email backends for the tests of background work."""

import os
import smtplib
import threading
import time
from pathlib import Path

from django.core.mail.backends import filebased, locmem


class GatedBackend(locmem.EmailBackend):
    """locmem, but it says when a send begins (`entered`) and takes `delay` seconds: two deliverers overlap."""

    entered = threading.Event()
    delay = 1.0

    def send_messages(self, messages):
        type(self).entered.set()
        time.sleep(type(self).delay)
        return super().send_messages(messages)


class RefusingBackend(locmem.EmailBackend):
    """A mail server that refuses everything."""

    def send_messages(self, messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


class SlowFileBackend(filebased.EmailBackend):
    """For the worker subprocess: writes `sending-<pid>.marker` in EMAIL_FILE_PATH as the send begins,
    sleeps PARVIS_TEST_EMAIL_DELAY seconds (the window where the test kills the worker), then writes the
    email as the file backend does (one .log file per email)."""

    def send_messages(self, messages):
        Path(self.file_path, f"sending-{os.getpid()}.marker").touch()
        time.sleep(float(os.environ.get("PARVIS_TEST_EMAIL_DELAY", "0")))
        return super().send_messages(messages)
