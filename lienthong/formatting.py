"""How the portal writes dates, times and money for people (Vietnamese
conventions: 15/07/2024, 09:30 15/07/2024, 2.340.000 ₫).

One place for every surface: templates (the `vn` filters), PDFs, report
exports, e-mails and SMS. Moments are shown in the portal's time zone.
`DATE_INPUT_FORMATS` are the ways a person may type a date back.
"""
from __future__ import annotations

from datetime import date, datetime, time

from django.utils import timezone

DATE_FORMAT = "%d/%m/%Y"
TIME_FORMAT = "%H:%M"
DATETIME_FORMAT = f"{TIME_FORMAT} {DATE_FORMAT}"
# ISO first (browsers' date inputs, links), then the Vietnamese ways.
DATE_INPUT_FORMATS = ["%Y-%m-%d", DATE_FORMAT, "%d-%m-%Y", "%d.%m.%Y"]


def _local(moment: datetime) -> datetime:
    return timezone.localtime(moment) if timezone.is_aware(moment) else moment


def parse_day(value: object) -> date | None:
    """A date, a moment (its local date) or an ISO string; None otherwise."""
    if isinstance(value, datetime):
        return _local(value).date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value:
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def day(value: object) -> str:
    """15/07/2024 ("" for nothing; an unreadable string is shown as given)."""
    parsed = parse_day(value)
    if parsed is None:
        return value if isinstance(value, str) else ""
    return parsed.strftime(DATE_FORMAT)


def moment(value: datetime | None) -> str:
    """09:30 15/07/2024, local time."""
    return _local(value).strftime(DATETIME_FORMAT) if isinstance(value, datetime) else ""


def clock(value: datetime | time | None) -> str:
    """09:30, local time."""
    if isinstance(value, datetime):
        value = _local(value).time()
    return value.strftime(TIME_FORMAT) if isinstance(value, time) else ""


def money(amount: int | None) -> str:
    """2340000 → "2.340.000 ₫" (Vietnamese grouping)."""
    if amount is None or amount == "":
        return ""
    return f"{int(amount):,}".replace(",", ".") + " ₫"
