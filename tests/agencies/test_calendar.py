from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agencies import calendar
from agencies.models import CalendarDay

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
# The rule table's office hours (the calendar takes them from its caller).
HOURS = {"cutoff": time(15, 0), "end_of_day": time(17, 0)}


def at(y, m, d, h=9, mi=0) -> datetime:
    return datetime(y, m, d, h, mi, tzinfo=TZ)


@pytest.fixture(autouse=True)
def _fresh_calendar_cache():
    calendar.clear_cache()
    yield
    calendar.clear_cache()


def test_tet_2026_is_not_working():
    # Tết Bính Ngọ: 17/2/2026 is the first day of the lunar year.
    assert not calendar.is_working_day(date(2026, 2, 17))
    assert not calendar.is_working_day(date(2026, 2, 18))
    assert calendar.is_working_day(date(2026, 2, 11))


def test_two_working_days_across_tet_2026_skip_the_holiday():
    holidays_2026 = [d for d in (date(2026, 2, 14 + i) for i in range(12)) if not calendar.is_working_day(d)]
    first_back = calendar.next_working_day(max(holidays_2026))
    due = calendar.add_working_days(at(2026, 2, 13, 9), 2, **HOURS)
    # Friday 13/2 before 15:00 is day 0; the next two working days are after Tết.
    assert due.date() == calendar.next_working_day(first_back)
    assert due.date() > date(2026, 2, 20)


def test_make_up_working_saturday_counts():
    saturday = date(2026, 5, 9)
    assert not calendar.is_working_day(saturday)
    CalendarDay.objects.create(date=saturday, kind=CalendarDay.Kind.WORKING_DAY, name="Làm bù")
    calendar.clear_cache()
    assert calendar.is_working_day(saturday)
    # Friday 8/5 + 1 working day is now the Saturday.
    assert calendar.add_working_days(at(2026, 5, 8), 1, **HOURS).date() == saturday


def test_extra_day_off_is_skipped():
    friday = date(2026, 5, 8)
    CalendarDay.objects.create(date=friday, kind=CalendarDay.Kind.DAY_OFF, name="Nghỉ bù")
    calendar.clear_cache()
    assert calendar.add_working_days(at(2026, 5, 7), 1, **HOURS).date() == date(2026, 5, 11)


def test_received_before_1500_counts_from_the_same_day():
    assert calendar.add_working_days(at(2026, 11, 23, 14, 59), 0, **HOURS) == at(2026, 11, 23, 17)


def test_received_after_1500_counts_from_the_next_working_day():
    assert calendar.add_working_days(at(2026, 11, 23, 15, 0), 0, **HOURS) == at(2026, 11, 24, 17)
    # Friday afternoon → Monday.
    assert calendar.add_working_days(at(2026, 11, 27, 16), 0, **HOURS) == at(2026, 11, 30, 17)
    assert calendar.add_working_days(at(2026, 11, 27, 16), 2, **HOURS) == at(2026, 12, 2, 17)


def test_received_on_a_weekend_counts_from_monday():
    assert calendar.add_working_days(at(2026, 11, 28, 10), 0, **HOURS) == at(2026, 11, 30, 17)


def test_working_days_between_skips_weekend_and_holidays():
    assert calendar.working_days_between(at(2026, 11, 20), at(2026, 11, 23)) == 1  # Fri → Mon
    assert calendar.working_days_between(at(2026, 11, 23), at(2026, 11, 23, 16)) == 0
    assert calendar.working_days_between(at(2026, 4, 29), at(2026, 5, 4)) == 1  # 30/4 and 1/5 are holidays


@settings(max_examples=60, deadline=None)
@given(st.dates(min_value=date(2024, 1, 1), max_value=date(2027, 12, 31)), st.integers(0, 15),
       st.integers(0, 23))
def test_deadline_is_a_working_day_and_counts_exactly_n_days(day, n, hour):
    calendar.clear_cache()
    start = datetime(day.year, day.month, day.day, hour, tzinfo=TZ)
    due = calendar.add_working_days(start, n, **HOURS)
    assert calendar.is_working_day(due.date())
    first = calendar.start_day(start, HOURS["cutoff"])
    assert calendar.working_days_between(datetime.combine(first, datetime.min.time(), TZ), due) == n
