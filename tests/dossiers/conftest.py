"""Fixtures of the engine's tests: one user per role around Xã Tân Hồng."""
from __future__ import annotations

import pytest

from tests.factories import Users, engine_users_make


@pytest.fixture
def fast_passwords(settings) -> None:
    # Nine users per test: the production hasher would spend seconds on them.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def eng(db, fast_passwords) -> Users:
    return engine_users_make()


