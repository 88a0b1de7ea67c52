"""The demo dossiers `seed_demo` builds: every state, both bundles, idempotent."""
from __future__ import annotations

import pytest
from django.utils import timezone

from agencies.services import user_create_or_update
from dossiers.demo import RECIPES, demo_dossiers_ensure, history_recipes
from dossiers.management.commands.seed_demo import DEMO_USERS
from dossiers.models import Dossier, DossierStatus, Leg, LegStatus, Notification

pytestmark = pytest.mark.django_db


def test_demo_dossiers_cover_every_state_and_are_built_once(fast_passwords, django_capture_on_commit_callbacks):
    for username, role, unit, agency, full_name in DEMO_USERS:
        user_create_or_update(username=username, password="x", role=role, unit_code=unit, agency=agency,
                              full_name=full_name, password_rules=False)
    with django_capture_on_commit_callbacks(execute=False):
        count = demo_dossiers_ensure()
    history = history_recipes()
    assert len(RECIPES) >= 24 and len(history) >= 20
    assert count == len(RECIPES) + len(history)
    # Weeks of past work, not everything at the moment of seeding.
    assert (timezone.now() - Dossier.objects.order_by("submitted_at").first().submitted_at).days >= 30
    assert set(Dossier.objects.values_list("status", flat=True)) == set(DossierStatus.values)
    assert set(Leg.objects.values_list("status", flat=True)) == set(LegStatus.values)
    assert set(Dossier.objects.values_list("bundle", flat=True)) == {"birth", "death"}
    assert set(Dossier.objects.values_list("scope_unit__code", flat=True)) == {"29926"}
    assert Leg.objects.filter(overdue=True).exists()
    assert Dossier.objects.filter(submitted_by__username="congdan").exists()
    assert Dossier.objects.filter(submitted_by__username="motcua.tanhong", channel="one_stop").exists()
    assert not Notification.objects.exists()
    with django_capture_on_commit_callbacks(execute=False):
        assert demo_dossiers_ensure() == count
    assert Dossier.objects.count() == count
