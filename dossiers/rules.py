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

from dossiers.models import Rule

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
    if service == "funeral_allowance":
        base = value("amount.base_salary", date_of_death)
        factor = value("amount.funeral_allowance.multiplier", date_of_death)
    elif service == "funeral_support":
        base = value("amount.social_assistance_standard", date_of_death)
        factor = value("amount.funeral_support.multiplier", date_of_death)
    else:
        raise ValueError(f"no funeral amount for {service!r}")
    return int(base) * int(factor)


def cutoff_time(on: date | datetime) -> time:
    """The daily cut-off (15:00) as a `datetime.time`."""
    hours, minutes = str(value("cutoff_time", on)).split(":")
    return time(int(hours), int(minutes))


# Officer's reject form: the legal grounds per service. Labels name the rule
# they apply; "other" always comes last so an officer is never stuck.
def _common() -> list[tuple[str, str]]:
    return [
        ("incomplete", _("Hồ sơ không đầy đủ, không hợp lệ và không được bổ sung trong thời hạn "
                         "(Nghị định 63/2024/NĐ-CP, Điều 8)")),
    ]


def _reasons(on: date) -> dict[str, list[tuple[str, str]]]:
    return {
        "birth_registration": [
            ("wrong_commune", _("Không thuộc thẩm quyền: khai sinh tại UBND xã nơi cư trú của cha hoặc mẹ "
                                "(Luật Hộ tịch, Điều 13)")),
            ("special_case", _("Trường hợp khai sinh đặc biệt (trẻ bị bỏ rơi, chưa xác định cha/mẹ, sinh "
                               "bằng mang thai hộ) phải làm thủ tục thông thường (Nghị định 123/2015/NĐ-CP, "
                               "Điều 14, 15, 16)")),
        ],
        "residence_registration": [
            ("collective_household", _("Cha, mẹ cư trú theo diện nhân khẩu tập thể: không thực hiện đăng ký "
                                       "thường trú liên thông (Kế hoạch 74/KH-UBND, mục II.1)")),
        ],
        "health_insurance_card": [
            ("not_first_card", _("Trẻ đã được cấp thẻ BHYT; thủ tục liên thông chỉ cấp thẻ lần đầu "
                                 "(Kế hoạch 74/KH-UBND, mục II.1)")),
            ("over_age", _("Trẻ đã đủ %(months)s tháng tuổi (Nghị định 146/2018/NĐ-CP, Điều 13)")
             % {"months": value("health_insurance_card.max_age_months", on)}),
        ],
        "death_registration": [
            ("wrong_commune", _("Không thuộc thẩm quyền: khai tử tại UBND xã nơi cư trú cuối cùng của "
                                "người chết (Luật Hộ tịch, Điều 32)")),
        ],
        "residence_removal": [
            ("no_permanent_residence", _("Người chết không có nơi thường trú (Kế hoạch 74/KH-UBND, mục II.2.b)")),
            ("household_head", _("Người chết là chủ hộ: cần điều chỉnh chủ hộ trước (Kế hoạch 74/KH-UBND, "
                                 "mục II.2.b)")),
        ],
        "funeral_allowance": [
            ("not_eligible", _("Người chết không thuộc đối tượng hưởng trợ cấp mai táng (Kế hoạch 74/KH-UBND, "
                               "mục II.2.c; Luật Bảo hiểm xã hội 2024)")),
            ("insufficient_contributions", _("Không đủ thời gian đóng bảo hiểm xã hội (Kế hoạch 74/KH-UBND, "
                                             "mục II.2.c)")),
        ],
        "funeral_support": [
            ("not_eligible", _("Người chết không thuộc đối tượng hỗ trợ chi phí mai táng (Nghị định "
                               "20/2021/NĐ-CP, Điều 11)")),
        ],
    }


def rejection_reasons(service: str, on: date | None = None) -> list[tuple[str, str]]:
    """(code, Vietnamese label citing the rule) for the officer's reject form;
    always ends with ("other", "Lý do khác")."""
    from django.utils import timezone

    reasons = _common() + _reasons(on or timezone.localdate()).get(service, [])
    return [*reasons, ("other", _("Lý do khác"))]
