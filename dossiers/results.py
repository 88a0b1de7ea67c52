"""Results of each service (docs/domain.md §6).

An officer completing a leg may send the result fields their own system
produced; the portal checks them and generates whatever is missing
(registration numbers, the child's personal ID, the health-insurance card,
decision numbers and funeral amounts from the effective-dated rule table).
Numbers come from `NumberSequence` rows, incremented under a row lock, so two
workers never issue the same number.
"""
from __future__ import annotations

import re
from calendar import monthrange
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.models import AgencyKind
from dossiers import rules, validation
from dossiers.models import Leg, NumberSequence, Service
from dossiers.vocabulary import SERVICES
from lienthong.errors import DomainError
from lienthong.text import nfc

CARD_RE = re.compile(r"^TE1\d{12}$")
TEXT_FIELDS = ("registration_number", "book", "extract_number", "confirmation_number", "decision_number",
               "household", "address", "note")
# The fields an agency may send per service (dossiers.vocabulary); anything else is refused.
ALLOWED: dict[str, frozenset[str]] = {service: facts.result_fields for service, facts in SERVICES.items()}


def next_number(key: str) -> int:
    """The next number of the counter `key` (call inside a transaction: the
    row stays locked by the UPDATE until commit)."""
    with transaction.atomic():
        NumberSequence.objects.get_or_create(key=key)
        NumberSequence.objects.filter(key=key).update(last=F("last") + 1)
        return NumberSequence.objects.values_list("last", flat=True).get(key=key)


def add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, monthrange(year, month)[1]))


def _parse_date(value: Any, field: str) -> date:
    try:
        return value if isinstance(value, date) else date.fromisoformat(str(value))
    except ValueError:
        raise DomainError({f"result.{field}": [_("Ngày không hợp lệ (định dạng YYYY-MM-DD).")]}) from None


def _subject_date(leg: Leg, field: str) -> date | None:
    value = (leg.dossier.subject or {}).get(field)
    return date.fromisoformat(value) if value else None


def _province_code(leg: Leg) -> str:
    """The province of the unit as filed (legacy codes for old dossiers);
    current province codes are those of one of the merged legacy provinces."""
    unit = leg.dossier.unit
    return (unit.province.code if unit.province else leg.dossier.scope_province.code).zfill(3)


def _prerequisite_result(leg: Leg) -> dict:
    if leg.depends_on_id is None:
        return {}
    return Leg.objects.values_list("result", flat=True).get(pk=leg.depends_on_id) or {}


def result_build(leg: Leg, given: dict | None) -> dict:
    """The complete, checked result of `leg`; raises DomainError on bad input."""
    from dossiers import identifiers

    if given is not None and not isinstance(given, dict):
        raise DomainError({"result": [_("Kết quả phải là một đối tượng JSON.")]})
    given = dict(given or {})
    unknown = sorted(set(given) - ALLOWED.get(leg.service, set()))
    if unknown:
        raise DomainError({f"result.{key}": [_("Trường này không thuộc kết quả của thủ tục.")] for key in unknown})
    result: dict[str, Any] = {}
    text_errors = validation.FieldErrors()
    for key in TEXT_FIELDS:
        if key in given:
            result[key] = validation.clean_result_text(given[key], f"result.{key}", text_errors)
    if text_errors:
        raise DomainError(text_errors)
    today = timezone.localdate()
    year = today.year
    dossier = leg.dossier
    subject = dossier.subject or {}
    on = timezone.localtime(dossier.submitted_at).date()

    if leg.service == Service.BIRTH_REGISTRATION:
        result.setdefault("book", f"01/{year}")
        result.setdefault("registration_number",
                          f"{next_number(f'birth:{dossier.unit.code}:{year}')}/{year}")
        result["registered_on"] = _parse_date(given.get("registered_on", today), "registered_on").isoformat()
        dob = _subject_date(leg, "date_of_birth")
        sex = subject.get("sex")
        if given.get("personal_id"):
            value = str(given["personal_id"]).strip()
            errors = identifiers.personal_id_errors(value, sex=sex, date_of_birth=dob)
            if errors:
                raise DomainError({"result.personal_id": errors})
            result["personal_id"] = value
        else:
            province = _province_code(leg)
            serial = next_number(f"personal_id:{province}:{sex}:{dob.year if dob else year}")
            result["personal_id"] = identifiers.personal_id_generate(
                province_code=province, sex=sex, date_of_birth=dob or today, serial=serial)

    elif leg.service == Service.RESIDENCE_REGISTRATION:
        residence = subject.get("residence") or {}
        parent = (subject.get("father") or {}).get("full_name") or (subject.get("mother") or {}).get("full_name")
        result.setdefault("confirmation_number", f"CT-{next_number(f'residence:{dossier.unit.code}:{year}')}/{year}")
        result.setdefault("address", nfc(f"{residence.get('address', '')}, {dossier.unit.name}").strip(", "))
        if parent:
            result.setdefault("household", _("Hộ gia đình của %(name)s") % {"name": parent})
        result["registered_on"] = _parse_date(given.get("registered_on", today), "registered_on").isoformat()
        if (pid := _prerequisite_result(leg).get("personal_id")):
            result["personal_id"] = pid

    elif leg.service == Service.HEALTH_INSURANCE_CARD:
        province2 = f"{int(_province_code(leg)) % 100:02d}"
        if given.get("card_number"):
            card = str(given["card_number"]).strip().upper()
            if not CARD_RE.match(card):
                raise DomainError({"result.card_number": [
                    _("Mã thẻ BHYT gồm TE1, 2 chữ số mã tỉnh và 10 chữ số (%(cite)s).")
                    % {"cite": rules.citation("citation.health_insurance_card.number", on)}]})
            result["card_number"] = card
            result["social_insurance_number"] = card[-10:]
        else:
            number = f"{province2}{next_number(f'si_number:{province2}'):08d}"
            result["social_insurance_number"] = number
            result["card_number"] = f"TE1{province2}{number}"
        dob = _subject_date(leg, "date_of_birth") or today
        months = int(rules.value("health_insurance_card.max_age_months", on))
        result["valid_from"] = _parse_date(given.get("valid_from", dob), "valid_from").isoformat()
        result["valid_until"] = _parse_date(given.get("valid_until", add_months(dob, months)), "valid_until").isoformat()
        if (pid := _prerequisite_result(leg).get("personal_id")):
            result["personal_id"] = pid

    elif leg.service == Service.DEATH_REGISTRATION:
        result.setdefault("book", f"01/{year}")
        result.setdefault("extract_number", f"{next_number(f'death:{dossier.unit.code}:{year}')}/{year}")
        result["registered_on"] = _parse_date(given.get("registered_on", today), "registered_on").isoformat()

    elif leg.service == Service.RESIDENCE_REMOVAL:
        result.setdefault("confirmation_number", f"XT-{next_number(f'removal:{dossier.unit.code}:{year}')}/{year}")
        result["removed_on"] = _parse_date(given.get("removed_on", today), "removed_on").isoformat()

    elif leg.service in (Service.FUNERAL_ALLOWANCE, Service.FUNERAL_SUPPORT):
        # The issuing office's abbreviation in the decision number.
        issuer = "BHXH" if leg.agency == AgencyKind.SOCIAL_INSURANCE else "UBND"
        result.setdefault("decision_number",
                          f"{next_number(f'decision:{leg.agency}:{dossier.scope_province.code}:{year}')}/QĐ-{issuer}")
        if "amount" in given:
            amount = given["amount"]
            if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
                raise DomainError({"result.amount": [_("Số tiền phải là số nguyên dương (đồng).")]})
            result["amount"] = amount
        else:
            death = _subject_date(leg, "date_of_death") or on
            result["amount"] = int(rules.funeral_amount(leg.service, death))
        result["decided_on"] = _parse_date(given.get("decided_on", today), "decided_on").isoformat()
    return result
