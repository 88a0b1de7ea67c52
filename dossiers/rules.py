"""Effective-dated legal parameters (docs/domain.md §3, §4), read from the `Rule` table.

Every deadline, amount and limit the law sets is a row with a `valid_from`
date and a citation, seeded from `fixtures/rules.json` by `manage.py load_rules`.
Changing a deadline or an amount is a data change: edit or add a row (a new
`valid_from` for a new law), never a constant in code.

The whole table is small (a few dozen rows), so each process reads it once and
keeps it in memory; `clear_cache()` forgets it (tests, the admin after an edit).
A short time-to-live lets long-running workers see an admin's change without a
restart.
"""
from __future__ import annotations

import threading
from bisect import bisect_right
from datetime import date, datetime, time
from time import monotonic
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from dossiers.models import Rule
from dossiers.vocabulary import Service

# Workers live for days; an admin's edit should reach them within minutes.
CACHE_SECONDS = 300


class RuleMissing(LookupError):
    """No row of this key is in force at that date (e.g. before the linked
    service existed, or the table was never loaded)."""


_lock = threading.Lock()
_table: dict[str, tuple[list[date], list[Rule]]] | None = None
_loaded_at = 0.0


def clear_cache() -> None:
    global _table
    with _lock:
        _table = None


def _load() -> dict[str, tuple[list[date], list[Rule]]]:
    global _table, _loaded_at
    with _lock:
        if _table is None or monotonic() - _loaded_at > CACHE_SECONDS:
            grouped: dict[str, list[Rule]] = {}
            for row in Rule.objects.order_by("key", "valid_from"):
                grouped.setdefault(row.key, []).append(row)
            _table = {key: ([r.valid_from for r in rows], rows) for key, rows in grouped.items()}
            _loaded_at = monotonic()
        return _table


def _as_date(on: date | datetime) -> date:
    if isinstance(on, datetime):
        from agencies.calendar import local

        return local(on).date()
    return on


def rule(key: str, on: date | datetime) -> Rule:
    """The row of `key` in force on `on` (greatest valid_from <= on)."""
    day = _as_date(on)
    for attempt in range(2):
        table = _load()
        entry = table.get(key)
        if entry is not None:
            dates, rows = entry
            i = bisect_right(dates, day)
            if i:
                return rows[i - 1]
        if attempt == 0 and entry is None:
            # A cache filled before `load_rules` ran would hide every key:
            # read the table again once before giving up.
            clear_cache()
            continue
        break
    raise RuleMissing(f"{key} @ {day.isoformat()}")


def value(key: str, on: date | datetime) -> Any:
    """The value (JSON) of `key` in force on `on`; raises RuleMissing."""
    return rule(key, on).value


def funeral_amount(service: str, date_of_death: date) -> int:
    """The funeral benefit in VND for a death on that date (docs/domain.md §3.2, §3.3):
    `funeral_allowance` = multiplier × base salary of the month of death,
    `funeral_support` = multiplier × social-assistance standard (the minimum)."""
    if service == Service.FUNERAL_ALLOWANCE:
        base = value("amount.base_salary", date_of_death)
        factor = value("amount.funeral_allowance.multiplier", date_of_death)
    elif service == Service.FUNERAL_SUPPORT:
        base = value("amount.social_assistance_standard", date_of_death)
        factor = value("amount.funeral_support.multiplier", date_of_death)
    else:
        raise ValueError(f"no funeral amount for {service!r}")
    return int(base) * int(factor)


def _clock(key: str, on: date | datetime) -> time:
    raw = value(key, on)
    if isinstance(raw, time):
        return raw
    hours, _sep, minutes = str(raw).partition(":")
    return time(int(hours), int(minutes or 0))


def cutoff_time(on: date | datetime) -> time:
    """The daily cut-off in force on `on`: a dossier received from then on
    counts from the next working day."""
    return _clock("cutoff_time", on)


def end_of_day_time(on: date | datetime) -> time:
    """The end of office hours in force on `on`: a deadline is this time of
    its last working day."""
    return _clock("end_of_day_time", on)


def citation(key: str, on: date | datetime) -> str:
    """The legal citation of rule `key` in force on `on`. A citation only
    names the law shown beside a message, so a date before the first row
    gets the earliest one rather than an error."""
    try:
        return rule(key, on).citation
    except RuleMissing:
        entry = _load().get(key)
        if entry is None:
            raise
        return entry[1][0].citation


# Officer's reject form: the legal grounds per service, in plain words; the
# label adds the citation of the rule (its key here) in force on the day.
# "other" always comes last so an officer is never stuck.
_COMMON = [("incomplete", gettext_noop("Hồ sơ không đầy đủ, không hợp lệ và không được bổ sung trong thời hạn"),
            "deadline.supplement_answer")]
_REASONS: dict[str, list[tuple[str, str, str]]] = {
    Service.BIRTH_REGISTRATION: [
        ("wrong_commune", gettext_noop("Không thuộc thẩm quyền: khai sinh tại UBND xã nơi cư trú của cha hoặc mẹ"),
         "citation.birth_registration.place"),
        ("special_case", gettext_noop("Trường hợp khai sinh đặc biệt (trẻ bị bỏ rơi, chưa xác định cha/mẹ, sinh bằng mang "
                               "thai hộ) phải làm thủ tục thông thường"), "citation.special_case"),
    ],
    Service.RESIDENCE_REGISTRATION: [
        ("collective_household", gettext_noop("Cha, mẹ cư trú theo diện nhân khẩu tập thể: không thực hiện đăng ký thường "
                                       "trú liên thông"), "citation.linked.birth"),
    ],
    Service.HEALTH_INSURANCE_CARD: [
        ("not_first_card", gettext_noop("Trẻ đã được cấp thẻ BHYT; thủ tục liên thông chỉ cấp thẻ lần đầu"),
         "citation.linked.birth"),
        ("over_age", gettext_noop("Trẻ đã đủ %(months)s tháng tuổi"), "health_insurance_card.max_age_months"),
    ],
    Service.DEATH_REGISTRATION: [
        ("wrong_commune", gettext_noop("Không thuộc thẩm quyền: khai tử tại UBND xã nơi cư trú cuối cùng của người chết"),
         "citation.death_registration.place"),
    ],
    Service.RESIDENCE_REMOVAL: [
        ("no_permanent_residence", gettext_noop("Người chết không có nơi thường trú"), "citation.linked.residence_removal"),
        ("household_head", gettext_noop("Người chết là chủ hộ: cần điều chỉnh chủ hộ trước"),
         "citation.linked.residence_removal"),
    ],
    Service.FUNERAL_ALLOWANCE: [
        ("not_eligible", gettext_noop("Người chết không thuộc đối tượng hưởng trợ cấp mai táng"),
         "funeral_allowance.min_compulsory_months"),
        ("insufficient_contributions", gettext_noop("Không đủ thời gian đóng bảo hiểm xã hội"),
         "funeral_allowance.min_compulsory_months"),
    ],
    Service.FUNERAL_SUPPORT: [
        ("not_eligible", gettext_noop("Người chết không thuộc đối tượng hỗ trợ chi phí mai táng"), "funeral_support.min_age"),
    ],
}


def rejection_reasons(service: str, on: date | None = None) -> list[tuple[str, str]]:
    """(code, Vietnamese label and its citation) for the officer's reject
    form; always ends with ("other", "Lý do khác")."""
    from django.utils import timezone

    day = on or timezone.localdate()
    months = value("health_insurance_card.max_age_months", day)
    reasons = [
        (code, _("%(reason)s (%(cite)s)") % {"reason": _(text) % {"months": months} if "%(" in text else _(text),
                                           "cite": citation(key, day)})
        for code, text, key in _COMMON + _REASONS.get(service, [])
    ]
    return [*reasons, ("other", _("Lý do khác"))]
