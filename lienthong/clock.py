"""The engine's clock: the instant a service records for what it does.

Normally the wall clock (timezone.now(), which the tests move with
time-machine). `at(moment)` sets it for the block it wraps, in this thread
only (a context variable): the demo province (dossiers/demo.py) replays
weeks of work through the real services, each step at its own past instant,
so that processing times, trends and overdue counts look like a working
province's."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime

from django.utils import timezone

_AT: ContextVar[datetime | None] = ContextVar("lienthong_clock_at", default=None)


def now() -> datetime:
    return _AT.get() or timezone.now()


@contextmanager
def at(moment: datetime) -> Iterator[None]:
    """The clock stands at `moment` while the block runs."""
    if timezone.is_naive(moment):
        raise ValueError("clock.at needs an aware datetime")
    token = _AT.set(moment)
    try:
        yield
    finally:
        _AT.reset(token)
