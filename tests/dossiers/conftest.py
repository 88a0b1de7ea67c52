"""Fixtures of the engine's tests: one user per role around Xã Tân Hồng."""
from __future__ import annotations

from datetime import datetime

import pytest
from django.utils import timezone as django_timezone

from tests.dossiers.factories_engine import Users, engine_users_make


@pytest.fixture
def fast_passwords(settings) -> None:
    # Nine users per test: the production hasher would spend seconds on them.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def eng(db, fast_passwords) -> Users:
    return engine_users_make()




class Clock:
    """The clock the engine's services read (`timezone.now()` inside
    `dossiers.services`), set by the test: the services that have no `at`
    argument (accept, request a supplement, supplement, complete) then act at
    a fixed, known moment. Everything else of `django.utils.timezone` is
    Django's own."""

    def __init__(self) -> None:
        self.moment: datetime | None = None

    def now(self) -> datetime:
        if self.moment is None:
            raise AssertionError("set clock.moment before calling a service")
        return self.moment

    def __getattr__(self, name: str):
        return getattr(django_timezone, name)


@pytest.fixture
def clock(monkeypatch) -> Clock:
    from dossiers import services

    fixed = Clock()
    monkeypatch.setattr(services, "timezone", fixed)
    return fixed
