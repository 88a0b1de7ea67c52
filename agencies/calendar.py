"""The working-day calendar (docs/domain.md §4).

A working day is Monday to Friday, minus Vietnam's public holidays (the
`holidays` package knows them, Tết by the lunar calendar included), minus the
extra days off and plus the make-up working days an admin enters as
`CalendarDay` rows. A moment after the daily cut-off counts from the next
working day; a deadline is the end of office hours of its last working day.
Both times are law, read from the rule table by the caller
(`dossiers.deadlines`) and passed in: this base layer knows no rule.
"""
from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
from django.conf import settings
from django.utils import timezone

logger = logging.getLogger(__name__)
TZ = ZoneInfo(settings.TIME_ZONE)


@lru_cache(maxsize=64)
def _public_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("VN", years=year).keys())


def _overrides() -> dict[date, str]:
    """Admin-entered exceptions, cached briefly: they change a few times a
    year. The cache is an optimisation only: with Redis down, deadlines are
    still computed, from the database."""
    from django.core.cache import cache

    from agencies.models import CalendarDay

    try:
        cached = cache.get("calendar-overrides")
    except Exception:  # noqa: BLE001 - any cache failure: read the database
        logger.warning("calendar cache unavailable; reading overrides from the database", exc_info=True)
        cached = None
    if cached is None:
        cached = {row.date: row.kind for row in CalendarDay.objects.all().only("date", "kind")}
        try:
            cache.set("calendar-overrides", cached, 300)
        except Exception:  # noqa: BLE001
            pass
    return cached


def clear_cache() -> None:
    from django.core.cache import cache

    try:
        cache.delete("calendar-overrides")
    except Exception:  # noqa: BLE001 - nothing cached when the cache is down
        logger.warning("calendar cache unavailable; nothing to clear", exc_info=True)


def is_working_day(day: date) -> bool:
    override = _overrides().get(day)
    if override == "working_day":
        return True
    if override == "day_off":
        return False
    return day.weekday() < 5 and day not in _public_holidays(day.year)


def next_working_day(day: date) -> date:
    """The first working day strictly after `day`."""
    day += timedelta(days=1)
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def local(moment: datetime) -> datetime:
    return timezone.localtime(moment, TZ) if timezone.is_aware(moment) else moment.replace(tzinfo=TZ)


def start_day(moment: datetime, cutoff: time) -> date:
    """The working day from which a dossier received at `moment` is counted:
    the same day before the cut-off on a working day, else the next one."""
    moment = local(moment)
    day = moment.date()
    if is_working_day(day) and moment.time() < cutoff:
        return day
    return next_working_day(day)


def add_working_days(moment: datetime, days: int, *, cutoff: time, end_of_day: time) -> datetime:
    """The deadline for something received at `moment` with a limit of
    `days` working days: 0 means the end of the (effective) receiving day."""
    day = start_day(moment, cutoff)
    for _ in range(days):
        day = next_working_day(day)
    return datetime.combine(day, end_of_day, tzinfo=TZ)


def working_days_between(start: datetime, end: datetime) -> int:
    """Whole working days after `start`'s day up to and including `end`'s day
    (0 when both fall on the same day or `end` is earlier)."""
    first, last = local(start).date(), local(end).date()
    count = 0
    day = first
    while day < last:
        day += timedelta(days=1)
        if is_working_day(day):
            count += 1
    return count
