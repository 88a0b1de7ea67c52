from __future__ import annotations

from datetime import date, datetime, time, timedelta
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
    # Tết Bính Ngọ: 17/2/2026 is the first day of the lunar year; offices close Monday 16/2 to Friday 20/2.
    for day in range(16, 21):
        assert not calendar.is_working_day(date(2026, 2, day)), day
    assert calendar.is_working_day(date(2026, 2, 13))  # the Friday before
    assert calendar.is_working_day(date(2026, 2, 23))  # the Monday after
    assert calendar.next_working_day(date(2026, 2, 13)) == date(2026, 2, 23)


def test_two_working_days_across_tet_2026_skip_the_holiday():
    # Friday 13/2 before 15:00 is day 0; Tết and the weekend pass; 23/2 is day 1, 24/2 day 2.
    assert calendar.add_working_days(at(2026, 2, 13, 9), 2, **HOURS) == at(2026, 2, 24, 17)
    # After 15:00 on 13/2 the clock starts on 23/2.
    assert calendar.add_working_days(at(2026, 2, 13, 15), 2, **HOURS) == at(2026, 2, 25, 17)
    # Received during Tết: counted from 23/2.
    assert calendar.add_working_days(at(2026, 2, 18, 9), 0, **HOURS) == at(2026, 2, 23, 17)


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


# The days Vietnam's offices close on top of weekends, 2024–2026, written out
# from the Labour Code (Điều 112) and the government's announcements; the extra
# swaps the government decides each year are admin-entered `CalendarDay` rows,
# not part of this base calendar.
HOLIDAYS = {
    date(2024, 1, 1), *(date(2024, 2, d) for d in range(8, 15)), date(2024, 4, 18), date(2024, 4, 29),
    date(2024, 4, 30), date(2024, 5, 1), date(2024, 9, 2), date(2024, 9, 3),
    date(2025, 1, 1), *(date(2025, 1, d) for d in range(27, 32)), date(2025, 4, 7), date(2025, 4, 30),
    date(2025, 5, 1), date(2025, 9, 1), date(2025, 9, 2),
    date(2026, 1, 1), *(date(2026, 2, d) for d in range(16, 21)), date(2026, 4, 27), date(2026, 4, 30),
    date(2026, 5, 1), date(2026, 9, 1), date(2026, 9, 2),
}


def _by_hand(start: datetime, n: int) -> datetime:
    """The rule of DOMAIN.md §4 counted day by day on the table above."""
    def working(day: date) -> bool:
        return day.weekday() < 5 and day not in HOLIDAYS

    day = start.date()
    if not (working(day) and start.hour < 15):
        day += timedelta(days=1)
        while not working(day):
            day += timedelta(days=1)
    for _ in range(n):
        day += timedelta(days=1)
        while not working(day):
            day += timedelta(days=1)
    return datetime(day.year, day.month, day.day, 17, tzinfo=TZ)


@settings(max_examples=60, deadline=None)
@given(st.dates(min_value=date(2024, 1, 1), max_value=date(2026, 11, 30)), st.integers(0, 15),
       st.integers(0, 23))
def test_deadline_counts_exactly_n_working_days_of_the_vietnamese_calendar(day, n, hour):
    calendar.clear_cache()
    start = datetime(day.year, day.month, day.day, hour, tzinfo=TZ)
    assert calendar.add_working_days(start, n, **HOURS) == _by_hand(start, n)
