"""Legs carry their dossier's scope (migration 0004): every way a leg comes
into being fills it, the officers' queue reads it, and the migration's
backfill fills rows written before the columns existed."""
from __future__ import annotations

import importlib

import pytest
from django.db import connection

from agencies.models import AdminUnit, Role
from dossiers import selectors, services, tasks
from dossiers.models import Leg
from tests.dossiers.payloads import birth_payload, death_payload
from tests.factories import COMMUNE, PROVINCE, UserFactory, leg_of, unit

pytestmark = pytest.mark.django_db

migration = importlib.import_module("dossiers.migrations.0004_leg_scope")


def _portable_backfill(conn) -> int:
    # The SQLite statement (`make run`), run here on PostgreSQL: plain SQL, same result.
    with conn.cursor() as cursor:
        cursor.execute(migration.BACKFILL_PORTABLE)
        return cursor.rowcount


def _scopes(dossier) -> set[tuple[int | None, int | None]]:
    return set(Leg.objects.filter(dossier=dossier).values_list("scope_unit_id", "scope_province_id"))


@pytest.fixture
def neighbours(eng):
    """Officers of every agency in another commune of the same province, and
    a provincial social-insurance officer of another province."""
    province = unit(PROVINCE)
    other = (AdminUnit.objects.filter(map=AdminUnit.Map.CURRENT, level=AdminUnit.Level.COMMUNE, province=province)
             .exclude(code=COMMUNE).order_by("code").first())
    assert other is not None
    officers = [UserFactory(username=f"nb-{agency}", role=Role.OFFICER, unit=other, agency=agency)
                for agency in ("justice", "police", "social_insurance", "labour", "health")]
    officers.append(UserFactory(username="hn-bhxh", role=Role.OFFICER, unit=unit("01"), agency="social_insurance"))
    return officers


def _nobody_else_sees(neighbours, dossier) -> None:
    for officer in neighbours:
        assert not selectors.leg_queue(user=officer).filter(dossier=dossier).exists(), officer.username
        assert not selectors.leg_queue(user=officer, status="waiting").filter(dossier=dossier).exists()
        assert sum(selectors.leg_counts(user=officer).values()) == 0, officer.username


def test_submitted_legs_carry_the_dossier_scope(eng, neighbours):
    dossier = services.dossier_submit(data=birth_payload(), user=eng.citizen)
    assert dossier.scope_unit == unit(COMMUNE) and dossier.scope_province == unit(PROVINCE)
    assert Leg.objects.filter(dossier=dossier).count() == 3
    assert _scopes(dossier) == {(dossier.scope_unit_id, dossier.scope_province_id)}
    # The commune's justice officer has the open leg; the province's BHXH officer sees the
    # waiting card leg only under its own tab.
    assert [leg.service for leg in selectors.leg_queue(user=eng.justice)] == ["birth_registration"]
    assert [leg.service for leg in selectors.leg_queue(user=eng.bhxh, status="waiting")] == ["health_insurance_card"]
    _nobody_else_sees(neighbours, dossier)


def test_fanned_out_legs_carry_the_scope_into_the_queues(eng, neighbours):
    dossier = services.dossier_submit(data=birth_payload(), user=eng.citizen)
    birth = leg_of(dossier, "birth_registration")
    services.leg_accept(leg_id=birth.pk, user=eng.justice)
    services.leg_complete(leg_id=birth.pk, user=eng.justice)
    opened = tasks.fan_out(birth.pk)  # the Celery task, run in-process
    assert len(opened) == 2
    assert _scopes(dossier) == {(dossier.scope_unit_id, dossier.scope_province_id)}
    assert [leg.service for leg in selectors.leg_queue(user=eng.police)] == ["residence_registration"]
    assert [leg.service for leg in selectors.leg_queue(user=eng.bhxh)] == ["health_insurance_card"]
    assert selectors.leg_counts(user=eng.bhxh)["pending"] == 1
    _nobody_else_sees(neighbours, dossier)


def test_the_automatic_residence_removal_leg_carries_the_scope(eng, neighbours):
    # An old row without its automatic leg: the sweep adds it (docs/domain.md §3.2, Nghị định 58/2026).
    dossier = services.dossier_submit(data=death_payload(), user=eng.citizen)
    Leg.objects.filter(dossier=dossier, service="residence_removal").delete()
    leg = services.dossier_automatic_legs_ensure(dossier_id=dossier.pk)
    assert leg is not None and leg.automatic
    leg.refresh_from_db()
    assert (leg.scope_unit_id, leg.scope_province_id) == (dossier.scope_unit_id, dossier.scope_province_id)
    assert leg in selectors.leg_queue(user=eng.police, status="waiting")
    _nobody_else_sees(neighbours, dossier)


@pytest.mark.parametrize("backfill", [migration.backfill_leg_scope, _portable_backfill], ids=["vendor", "portable"])
def test_backfill_fills_rows_written_before_the_columns(eng, neighbours, backfill):
    birth = services.dossier_submit(data=birth_payload(), user=eng.citizen)
    death = services.dossier_submit(data=death_payload(), user=eng.citizen)
    total = Leg.objects.filter(dossier__in=[birth, death]).count()
    # As the table stood between migrations 0004 and 0005 (the DDL is rolled
    # back with the test's transaction).
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending FK checks in the way of the DDL
        for column in ("scope_unit_id", "scope_province_id"):
            cursor.execute(f"ALTER TABLE dossiers_leg ALTER COLUMN {column} DROP NOT NULL")
    Leg.objects.update(scope_unit=None, scope_province=None)
    assert list(selectors.leg_queue(user=eng.justice)) == []  # nothing read through the dossier any more

    assert backfill(connection) == total
    for dossier in (birth, death):
        assert _scopes(dossier) == {(dossier.scope_unit_id, dossier.scope_province_id)}
    assert {leg.service for leg in selectors.leg_queue(user=eng.justice)} == {"birth_registration",
                                                                              "death_registration"}
    _nobody_else_sees(neighbours, birth)
    _nobody_else_sees(neighbours, death)
    assert backfill(connection) == 0  # filled rows are left alone


def test_a_leg_saved_without_scope_takes_the_dossier_one(eng):
    # Code that builds a Leg by hand (tests, shell) still lands in the right queue.
    dossier = services.dossier_submit(data=birth_payload(services=["birth_registration", "residence_registration"]), user=eng.citizen)
    extra = Leg.objects.create(dossier=dossier, service="health_insurance_card", agency="social_insurance",
                               status="pending")
    assert (extra.scope_unit_id, extra.scope_province_id) == (dossier.scope_unit_id, dossier.scope_province_id)
    assert extra in selectors.leg_queue(user=eng.bhxh)


def test_the_database_refuses_a_leg_without_scope(eng):
    # Migration 0005: a leg written past save() (raw SQL, bulk update or
    # insert) without its scope is refused rather than hidden from every queue.
    from django.db import IntegrityError, transaction

    dossier = services.dossier_submit(data=birth_payload(), user=eng.citizen)
    for column in ("scope_unit", "scope_province"):
        with pytest.raises(IntegrityError, match=f"{column}_id"), transaction.atomic():
            Leg.objects.filter(dossier=dossier).update(**{column: None})
    assert _scopes(dossier) == {(dossier.scope_unit_id, dossier.scope_province_id)}
