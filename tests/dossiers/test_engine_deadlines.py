"""Deadlines (docs/domain.md §4): working days, holidays, the 15:00 cut-off, the
supplement pause and the rules in force at the submission date."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from agencies import calendar
from dossiers import deadlines, services
from dossiers.models import Leg
from tests.dossiers.payloads import birth_payload
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


def imported(eng, when: datetime, **overrides):
    """A dossier an admin files with a past `submitted_at`."""
    payload = birth_payload(submitted_at=when.isoformat(),
                            subject__date_of_birth=(when.date() - timedelta(days=4)).isoformat(), **overrides)
    return services.dossier_submit(data=payload, user=eng.admin)


def test_bundle_deadline_skips_the_hung_kings_and_may_day_holidays(eng):
    # Friday 24/4/2026: Monday 27/4 (Giỗ Tổ, observed), 30/4 and 1/5 are holidays.
    dossier = imported(eng, at(2026, 4, 24))
    assert leg_of(dossier, "birth_registration").due_at == at(2026, 4, 24, 17)
    # 3 working days: 28/4, 29/4, then (30/4, 1/5 off; weekend) 4/5.
    assert dossier.due_at == at(2026, 5, 4, 17)


@pytest.mark.parametrize(("minute", "due_day"), [(59, date(2026, 11, 20)), (1, date(2026, 11, 23))])
def test_cut_off_at_15_00_moves_the_clock_to_the_next_working_day(eng, minute, due_day):
    hour = 14 if minute == 59 else 15
    dossier = imported(eng, at(2026, 11, 20, hour, minute))  # a Friday
    birth = leg_of(dossier, "birth_registration")
    assert birth.due_at == datetime.combine(due_day, END_OF_DAY, tzinfo=TZ)


def test_dependant_clock_starts_when_the_prerequisite_completes(eng):
    dossier = services.dossier_submit(data=birth_payload(), user=eng.citizen)
    birth = leg_of(dossier, "birth_registration")
    services.leg_accept(leg_id=birth.pk, user=eng.justice)
    birth = services.leg_complete(leg_id=birth.pk, user=eng.justice)
    services.leg_fan_out(leg_id=birth.pk)
    residence = leg_of(dossier, "residence_registration")
    assert residence.started_at == birth.finished_at
    assert residence.due_at == deadlines.due(birth.finished_at, 2, on=timezone.localdate())
    assert residence.deadline_days == 2


def test_verification_gives_the_residence_leg_and_the_bundle_five_days(eng):
    dossier = imported(eng, at(2026, 11, 16), needs_verification=True)  # Monday
    assert leg_of(dossier, "residence_registration").deadline_days == 5
    assert dossier.due_at == at(2026, 11, 23, 17)


def test_birth_and_card_only_has_its_own_bundle_limit(eng):
    dossier = imported(eng, at(2026, 11, 16), services=["birth_registration", "health_insurance_card"])
    assert dossier.due_at == at(2026, 11, 19, 17)  # 3 working days since 1/7/2024


def test_the_2023_regime_gave_the_whole_birth_bundle_20_working_days(eng):
    # Filed under Công văn 2084/VPCP-KSTT, before 1/7/2024 (legacy map: Thị trấn Sa Rài).
    dossier = imported(eng, at(2024, 3, 1))
    assert dossier.unit.map == "legacy" and dossier.scope_unit.code == "29926"
    day, count = date(2024, 3, 1), 0
    while count < 20:
        day += timedelta(days=1)
        count += calendar.is_working_day(day)
    assert dossier.due_at == datetime.combine(day, END_OF_DAY, tzinfo=TZ)


def test_supplement_pause_extends_the_due_time_by_the_working_days_waited(eng):
    dossier = services.dossier_submit(data=birth_payload(), user=eng.citizen)
    birth = leg_of(dossier, "birth_registration")
    services.leg_accept(leg_id=birth.pk, user=eng.justice)
    services.leg_request_supplement(leg_id=birth.pk, user=eng.justice, reason="Thiếu giấy chứng sinh")
    # The request went out a week ago.
    week_ago = timezone.now() - timedelta(days=7)
    Leg.objects.filter(pk=birth.pk).update(paused_at=week_ago)
    before = leg_of(dossier, "birth_registration").due_at
    services.dossier_supplement(code=dossier.code, user=eng.citizen, note="Đã bổ sung")
    after = leg_of(dossier, "birth_registration").due_at
    waited = deadlines.paused_working_days(week_ago, timezone.now())
    assert waited >= 4
    assert after == deadlines.extend(before, waited) and after > before
    bundle_due = dossier.due_at
    dossier.refresh_from_db()
    assert dossier.due_at == deadlines.extend(bundle_due, waited)


def test_paused_working_days_and_extend_across_holidays():
    # Paused Friday 24/4/2026, answered Tuesday 5/5: 28/4, 29/4, 4/5, 5/5 count.
    assert deadlines.paused_working_days(at(2026, 4, 24), at(2026, 5, 5, 9)) == 4
    assert deadlines.extend(at(2026, 4, 28, 17), 4) == at(2026, 5, 6, 17)
    assert deadlines.paused_working_days(at(2026, 5, 5, 8), at(2026, 5, 5, 16)) == 0


def test_supplement_answer_limit_is_seven_working_days(eng):
    dossier = services.dossier_submit(data=birth_payload(), user=eng.citizen)
    birth = leg_of(dossier, "birth_registration")
    services.leg_accept(leg_id=birth.pk, user=eng.justice)
    leg = services.leg_request_supplement(leg_id=birth.pk, user=eng.justice, reason="Thiếu giấy")
    assert leg.supplement_due_at == deadlines.due(leg.paused_at, 7, on=timezone.localdate())
    assert deadlines.supplement_due(at(2026, 4, 24), on=date(2026, 4, 24)) == at(2026, 5, 8, 17)  # 28, 29/4, 4–8/5
