"""Fixtures of the engine's tests: one user per role around Xã Tân Hồng."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest
import time_machine
from django.utils import timezone as django_timezone

from tests.factories import Users, engine_users_make


@pytest.fixture
def fast_passwords(settings) -> None:
    # Nine users per test: the production hasher would spend seconds on them.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def eng(db, fast_passwords) -> Users:
    return engine_users_make()




class Clock:
    """The wall clock of a test, set by assigning `moment`: the engine's
    services that take no `at` argument (accept, request a supplement,
    supplement, complete) then act at that fixed, known moment. The clock
    stands still (time-machine, tick=False) until the next assignment."""

    def __init__(self) -> None:
        self._travel: time_machine.travel | None = None

    @property
    def moment(self) -> datetime:
        return django_timezone.now()

    @moment.setter
    def moment(self, value: datetime) -> None:
        self.stop()
        self._travel = time_machine.travel(value, tick=False)
        self._travel.start()

    def stop(self) -> None:
        if self._travel is not None:
            self._travel.stop()
            self._travel = None


@pytest.fixture
def clock() -> Iterator[Clock]:
    fixed = Clock()
    yield fixed
    fixed.stop()
