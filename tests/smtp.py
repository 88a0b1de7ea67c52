"""A real SMTP server on 127.0.0.1 for the tests (aiosmtpd in a thread of the
test process): Django's SMTP backend, in the test process or in a worker
subprocess, talks to it over TCP.

It can be down (nothing listens on its port until `start()`), refuse the
next messages with a temporary error (`refuse(n)`), and keeps what it
accepted in `messages`.
"""
from __future__ import annotations

import email
import email.policy
import socket
import threading
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SmtpServer:
    def __init__(self) -> None:
        self.port = _free_port()
        self.messages: list[EmailMessage] = []
        self.attempts = 0  # DATA commands received, refused or accepted
        self.reply = "451 4.3.0 Busy, try again later"  # SMTP replies are ASCII
        self._refuse = 0
        self._lock = threading.Lock()
        self._controller: Controller | None = None

    # aiosmtpd handler hook
    async def handle_DATA(self, server, session, envelope) -> str:
        with self._lock:
            self.attempts += 1
            if self._refuse:
                self._refuse -= 1
                return self.reply
            self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 2.0.0 OK"

    def refuse(self, count: int, reply: str | None = None) -> None:
        """Answer the next `count` messages with a temporary error."""
        with self._lock:
            self._refuse = count
            if reply:
                self.reply = reply

    def start(self) -> None:
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def env(self) -> dict[str, str]:
        """Settings of a subprocess (a worker) that sends through this server."""
        return {"EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend", "EMAIL_HOST": "127.0.0.1",
                "EMAIL_PORT": str(self.port), "EMAIL_TIMEOUT": "10"}


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server, down until the test starts it; this process's
    Django sends through it."""
    server = SmtpServer()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", server.port, 10
    yield server
    server.stop()
