from __future__ import annotations

import pytest

from agencies.models import AdminUnit, Role
from tests.factories import UserFactory


@pytest.fixture
def quang_tri():
    """Current Quảng Trị (44): legacy Quảng Trị (45) and Quảng Bình (44)."""
    return AdminUnit.objects.get(map=AdminUnit.Map.CURRENT, level=AdminUnit.Level.PROVINCE, code="44")


@pytest.fixture
def viewer(quang_tri):
    return UserFactory(username="viewer_qt", role=Role.PROVINCIAL_VIEWER, unit=quang_tri)


@pytest.fixture
def other_viewer():
    hanoi = AdminUnit.objects.get(map=AdminUnit.Map.CURRENT, level=AdminUnit.Level.PROVINCE, code="01")
    return UserFactory(username="viewer_hn", role=Role.PROVINCIAL_VIEWER, unit=hanoi)
