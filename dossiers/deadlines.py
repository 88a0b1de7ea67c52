"""Deadlines of legs and dossiers (docs/domain.md §4).

Every limit is read from the rule table at the dossier's submission date and
counted in working days on `agencies.calendar`, from the day the clock starts
(the next working day when it starts after the cut-off). The clock of a leg
pauses while it waits for a supplement; when the supplement arrives its due
time moves by the working days spent waiting.
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from agencies import calendar
from dossiers import rules
from dossiers.models import Bundle, Service


def due(start: datetime, days: int, *, on: date) -> datetime:
    """End of the working day that is `days` working days after `start`'s
    effective receiving day, with the rules of `on`."""
    return calendar.add_working_days(start, days, cutoff=rules.cutoff_time(on), end_of_day=rules.end_of_day_time(on))


def bundle_days(*, bundle: str, services: Sequence[str], needs_verification: bool, on: date) -> int:
    """The limit of the whole dossier: the birth bundle has its own figure for
    birth + card only and for residence with verification."""
    if bundle == Bundle.BIRTH:
        if Service.RESIDENCE_REGISTRATION not in services:
            return int(rules.value("deadline.bundle.birth_card", on))
        if needs_verification:
            return int(rules.value("deadline.bundle.birth.verification", on))
        return int(rules.value("deadline.bundle.birth", on))
    return int(rules.value("deadline.bundle.death", on))


def supplement_due(moment: datetime, *, on: date) -> datetime:
    """When a citizen asked for a supplement at `moment` must have answered."""
    return due(moment, int(rules.value("deadline.supplement_answer", on)), on=on)


def paused_working_days(paused_at: datetime, resumed_at: datetime) -> int:
    """Working days the clock stood still: those after the pause day up to
    and including the resume day (a pause within one day costs nothing)."""
    return calendar.working_days_between(paused_at, resumed_at)


def extend(due_at: datetime, days: int) -> datetime:
    """`due_at` moved by `days` working days, keeping its time of day."""
    if days <= 0:
        return due_at
    moment = calendar.local(due_at)
    day = moment.date()
    for _ in range(days):
        day = calendar.next_working_day(day)
    return moment + timedelta(days=(day - moment.date()).days)
