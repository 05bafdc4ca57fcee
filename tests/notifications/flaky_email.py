"""An email backend that fails a given number of times before it delivers (to the test outbox),
like a mail server that is briefly down."""

from __future__ import annotations

import smtplib
import threading
from collections.abc import Sequence
from typing import Any

from django.core.mail.backends import locmem


class FlakyBackend(locmem.EmailBackend):
    failures_left = 0
    _lock = threading.Lock()

    def send_messages(self, email_messages: Sequence[Any]) -> int:
        with FlakyBackend._lock:
            if FlakyBackend.failures_left > 0:
                FlakyBackend.failures_left -= 1
                raise smtplib.SMTPServerDisconnected("The mail server went away.")
        return super().send_messages(email_messages)
