"""Fixtures of the engine's tests: one user per role around Xã Tân Hồng."""
from __future__ import annotations

import pytest

from tests.dossiers.factories_engine import Users, engine_users_make


@pytest.fixture
def eng(db) -> Users:
    return engine_users_make()
