"""Messages to applicants: email through Django's email backend, SMS through
a pluggable backend (settings.SMS_BACKEND; the default writes to the log)."""
from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.utils.module_loading import import_string

logger = logging.getLogger("lienthong.sms")


class LogSmsBackend:
    """Development and test backend: the message goes to the log."""

    def send(self, to: str, body: str) -> None:
        logger.info("SMS to %s: %s", to, body)


def send_sms(to: str, body: str) -> None:
    import_string(settings.SMS_BACKEND)().send(to, body)


def send_email(to: str, subject: str, body: str) -> None:
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [to], fail_silently=False)
