"""Deadlines (docs/domain.md §4): working days, holidays, the 15:00 cut-off, the
supplement pause and the rules in force at the submission date.

Every moment is fixed and every expected deadline is a literal, counted by
hand on the Vietnamese calendar from the limits of fixtures/rules.json:
Tết Bính Ngọ 2026 closes offices Monday 16/2 to Friday 20/2; Tết Giáp Thìn
2024 Thursday 8/2 to Wednesday 14/2; in 2026 Giỗ Tổ is observed on Monday
27/4, and 30/4 and 1/5 are holidays. A deadline is 17:00 of its last day."""
from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from agencies import calendar
from dossiers import deadlines, services
from tests.dossiers.payloads import imported
from tests.factories import leg_of

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
END_OF_DAY = time(17, 0)  # the rule table's end of office hours


@pytest.fixture(autouse=True)
def _fresh_calendar():
    calendar.clear_cache()
    yield
    calendar.clear_cache()


def at(y, m, d, h=10, mi=0) -> datetime:
    return datetime(y, m, d, h, mi, tzinfo=TZ)


def test_bundle_deadline_skips_the_hung_kings_and_may_day_holidays(eng):
    # Friday 24/4/2026: Monday 27/4 (Giỗ Tổ, observed), 30/4 and 1/5 are holidays.
    dossier = imported(eng, at(2026, 4, 24))
    assert leg_of(dossier, "birth_registration").due_at == at(2026, 4, 24, 17)
    # 3 working days: 28/4, 29/4, then (30/4, 1/5 off; weekend) 4/5.
    assert dossier.due_at == at(2026, 5, 4, 17)


@pytest.mark.parametrize(("hour", "minute", "due"), [
    (14, 59, at(2026, 11, 20, 17)),  # before the cut-off: the same Friday
    (15, 0, at(2026, 11, 23, 17)),   # from 15:00 on: the next working day, over the weekend
    (15, 1, at(2026, 11, 23, 17)),
])
def test_cut_off_at_15_00_moves_the_clock_to_the_next_working_day(eng, hour, minute, due):
    dossier = imported(eng, at(2026, 11, 20, hour, minute))  # a Friday
    assert leg_of(dossier, "birth_registration").due_at == due


@pytest.mark.parametrize(("finished", "due"), [
    # Friday 13/2/2026 before 15:00 is day 0; Tết closes 16–20/2; 23/2 is day 1, 24/2 day 2.
    (at(2026, 2, 13, 14, 30), at(2026, 2, 24, 17)),
    # After 15:00 the clock starts on Monday 23/2 (day 0): day 2 is 25/2.
    (at(2026, 2, 13, 15, 30), at(2026, 2, 25, 17)),
])
def test_dependant_clock_starts_when_the_prerequisite_completes(eng, clock, finished, due):
    dossier = imported(eng, at(2026, 2, 13, 9))
    birth = leg_of(dossier, "birth_registration")
    clock.moment = at(2026, 2, 13, 9, 30)
    services.leg_accept(leg_id=birth.pk, user=eng.justice)
    clock.moment = finished
    services.leg_complete(leg_id=birth.pk, user=eng.justice)
    clock.moment = finished + timedelta(minutes=3)  # the worker runs a little later
    services.leg_fan_out(leg_id=birth.pk)
    for service in ("residence_registration", "health_insurance_card"):
        leg = leg_of(dossier, service)
        assert (leg.status, leg.deadline_days, leg.started_at, leg.due_at) == ("pending", 2, finished, due)


def test_verification_gives_the_residence_leg_and_the_bundle_five_days(eng):
    dossier = imported(eng, at(2026, 11, 16), needs_verification=True)  # Monday
    assert leg_of(dossier, "residence_registration").deadline_days == 5
    assert dossier.due_at == at(2026, 11, 23, 17)


def test_birth_and_card_only_has_its_own_bundle_limit(eng):
    dossier = imported(eng, at(2026, 11, 16), services=["birth_registration", "health_insurance_card"])
    assert dossier.due_at == at(2026, 11, 19, 17)  # 3 working days since 1/7/2024


@pytest.mark.parametrize(("submitted", "due"), [
    # Friday 1/3/2024: 20 working days, no holiday in March: 4–8, 11–15, 18–22, 25–29/3.
    (at(2024, 3, 1), at(2024, 3, 29, 17)),
    # Monday 5/2/2024, Tết 8–14/2 closed: 6, 7, 15, 16/2 (4), 19–23 (9), 26/2–1/3 (14), 4–8/3 (19), 11/3 (20).
    (at(2024, 2, 5), at(2024, 3, 11, 17)),
])
def test_the_2023_regime_gave_the_whole_birth_bundle_20_working_days(eng, submitted, due):
    # Filed under Công văn 2084/VPCP-KSTT, before 1/7/2024 (legacy map: Thị trấn Sa Rài).
    dossier = imported(eng, submitted)
    assert dossier.unit.map == "legacy" and dossier.scope_unit.code == "29926"
    assert dossier.due_at == due


@pytest.mark.parametrize(("answered", "birth_due", "bundle_due"), [
    # Asked Friday 13/2/2026, answered during Tết (Friday 20/2): no working day waited.
    (at(2026, 2, 20, 9), at(2026, 2, 13, 17), at(2026, 2, 25, 17)),
    # Answered Tuesday 24/2: 23/2 and 24/2 were waited; 13/2 → 24/2, 25/2 → 27/2.
    (at(2026, 2, 24, 9), at(2026, 2, 24, 17), at(2026, 2, 27, 17)),
])
def test_supplement_pause_extends_the_due_time_by_the_working_days_waited(eng, clock, answered, birth_due,
                                                                          bundle_due):
    dossier = imported(eng, at(2026, 2, 13, 9))
    # Before the pause: birth the same day, the bundle 3 working days after Tết (23, 24, 25/2).
    assert dossier.due_at == at(2026, 2, 25, 17)
    birth = leg_of(dossier, "birth_registration")
    assert birth.due_at == at(2026, 2, 13, 17)
    clock.moment = at(2026, 2, 13, 10)
    services.leg_accept(leg_id=birth.pk, user=eng.justice)
    services.leg_request_supplement(leg_id=birth.pk, user=eng.justice, reason="Thiếu giấy chứng sinh")
    clock.moment = answered
    services.dossier_supplement(code=dossier.code, user=eng.clerk, note="Đã bổ sung")
    birth = leg_of(dossier, "birth_registration")
    assert (birth.status, birth.due_at, birth.paused_at, birth.supplement_due_at) == (
        "in_progress", birth_due, None, None)
    dossier.refresh_from_db()
    assert dossier.due_at == bundle_due


def test_paused_working_days_and_extend_across_holidays():
    # Paused Friday 24/4/2026, answered Tuesday 5/5: 28/4, 29/4, 4/5, 5/5 count.
    assert deadlines.paused_working_days(at(2026, 4, 24), at(2026, 5, 5, 9)) == 4
    assert deadlines.extend(at(2026, 4, 28, 17), 4) == at(2026, 5, 6, 17)
    assert deadlines.paused_working_days(at(2026, 5, 5, 8), at(2026, 5, 5, 16)) == 0
    # Across Tết 2026: Friday 13/2 to Monday 23/2 is one working day.
    assert deadlines.paused_working_days(at(2026, 2, 13), at(2026, 2, 23, 9)) == 1
    assert deadlines.extend(at(2026, 2, 13, 17), 1) == at(2026, 2, 23, 17)


def test_supplement_answer_limit_is_seven_working_days(eng, clock):
    dossier = imported(eng, at(2026, 2, 13, 9))
    birth = leg_of(dossier, "birth_registration")
    clock.moment = at(2026, 2, 13, 10)
    services.leg_accept(leg_id=birth.pk, user=eng.justice)
    leg = services.leg_request_supplement(leg_id=birth.pk, user=eng.justice, reason="Thiếu giấy")
    # After Tết: 23, 24, 25, 26, 27/2, 2/3, 3/3.
    assert (leg.paused_at, leg.supplement_due_at) == (at(2026, 2, 13, 10), at(2026, 3, 3, 17))
    assert deadlines.supplement_due(at(2026, 4, 24), on=at(2026, 4, 24).date()) == at(2026, 5, 8, 17)  # 28, 29/4, 4–8/5
