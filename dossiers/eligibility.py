"""Who may take which service of a bundle (docs/domain.md §3.1, §3.2), and the legs
a dossier gets.

Everything here works on already-structured facts (dates are `date`s); the
structural checks live in `dossiers.validation`, which calls `plan()` last.
`explain()` is the tolerant twin for live feedback while a form is filled in.

The rules in force are those of the submission date; the funeral-benefit
conditions and amounts are those of the date of death (the social-insurance
law pays the base salary "of the month of death"). Every number and every
citation comes from `dossiers.rules`.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils.translation import gettext as _

from agencies.models import AgencyKind
from dossiers import rules
from dossiers.vocabulary import (
    BUNDLE_SERVICES,
    FUNERAL_SERVICES,
    PREREQUISITE,
    SERVICES,
    BenefitCategory,
    Bundle,
    HouseholdType,
    Service,
    SpecialCase,
    label,
)
from lienthong import formatting

# Read from the vocabulary (the names stay: validation and views import them).
BIRTH_SERVICES = BUNDLE_SERVICES[Bundle.BIRTH]
DEATH_SERVICES = BUNDLE_SERVICES[Bundle.DEATH]
AGENCY = {service: facts.agency for service, facts in SERVICES.items()}
SPECIAL_CASES = tuple(SpecialCase.values)
HOUSEHOLD_TYPES = tuple(HouseholdType.values)
BENEFIT_CATEGORIES = tuple(BenefitCategory.values)

# The rules whose citation backs each verdict (dossiers.rules.citation).
CITE_BIRTH_PLACE = "citation.birth_registration.place"
CITE_DEATH_PLACE = "citation.death_registration.place"
CITE_LINKED_BIRTH = "citation.linked.birth"
CITE_LINKED_DEATH = "citation.linked.death"
CITE_REMOVAL = "citation.linked.residence_removal"
CITE_FUNERAL = "citation.linked.funeral"
CITE_MERITORIOUS = "citation.funeral.meritorious"
CITE_SUPPORT = "funeral_support.min_age"


@dataclass
class ServiceVerdict:
    service: str
    offered: bool
    reason: str
    citation: str
    automatic: bool = False
    agency: str = ""
    # Where a refusal is reported when the service is asked for anyway.
    field: str = "services"


@dataclass
class PlannedLeg:
    service: str
    agency: str
    depends_on: str | None
    automatic: bool
    deadline_days: int


@dataclass
class Plan:
    services: list[str]
    legs: list[PlannedLeg]
    notices: list[str]


def service_label(service: str) -> str:
    return label(Service, service)


def age_in_months(born: date, on: date) -> int:
    """Completed months of age on `on` (72 months = the sixth birthday)."""
    months = (on.year - born.year) * 12 + on.month - born.month
    return months - 1 if on.day < born.day else months


def age_in_years(born: date, on: date) -> int:
    return age_in_months(born, on) // 12


def rules_date_for_funeral(subject: Mapping[str, Any], submitted_on: date) -> date:
    """Funeral conditions and amounts are those of the date of death."""
    died = subject.get("date_of_death")
    return died if isinstance(died, date) else submitted_on


# --- birth ------------------------------------------------------------------

def _birth_registration(subject: Mapping[str, Any], on: date) -> ServiceVerdict:
    special = subject.get("special_case")
    if isinstance(special, str) and special in SPECIAL_CASES:
        return ServiceVerdict(
            Service.BIRTH_REGISTRATION, False,
            _("%(case)s phải làm thủ tục đăng ký khai sinh thông thường, không qua liên thông.")
            % {"case": label(SpecialCase, special)},
            rules.citation(f"citation.special_case.{special}", on), field="subject.special_case")
    for parent, who in (("mother", _("mẹ")), ("father", _("cha"))):
        if parent in subject and not subject.get(parent):
            return ServiceVerdict(
                Service.BIRTH_REGISTRATION, False,
                _("Trẻ chưa xác định được %(parent)s phải làm thủ tục đăng ký khai sinh thông thường, không qua "
                  "liên thông.") % {"parent": who},
                rules.citation(f"citation.special_case.{SpecialCase.PARENT_UNIDENTIFIED}", on),
                field=f"subject.{parent}")
    return ServiceVerdict(Service.BIRTH_REGISTRATION, True,
                          _("Đăng ký khai sinh tại xã nơi cư trú của cha hoặc mẹ."),
                          rules.citation(CITE_BIRTH_PLACE, on))


def _residence_registration(subject: Mapping[str, Any], on: date) -> ServiceVerdict:
    residence = subject.get("residence")
    if isinstance(residence, Mapping) and residence.get("household_type") == HouseholdType.COLLECTIVE:
        return ServiceVerdict(
            Service.RESIDENCE_REGISTRATION, False,
            _("Cha, mẹ cư trú theo diện nhân khẩu tập thể: không đăng ký thường trú cho trẻ qua liên thông."),
            rules.citation(CITE_LINKED_BIRTH, on))
    return ServiceVerdict(Service.RESIDENCE_REGISTRATION, True,
                          _("Đăng ký thường trú cho trẻ tại nơi thường trú của cha, mẹ (hộ gia đình)."),
                          rules.citation(CITE_LINKED_BIRTH, on))


def _health_insurance_card(subject: Mapping[str, Any], on: date) -> ServiceVerdict:
    cite_age = rules.rule("health_insurance_card.max_age_months", on)
    if subject.get("first_health_insurance_card") is False:
        return ServiceVerdict(
            Service.HEALTH_INSURANCE_CARD, False,
            _("Trẻ đã có thẻ BHYT: liên thông chỉ cấp thẻ BHYT lần đầu."), rules.citation(CITE_LINKED_BIRTH, on))
    born = subject.get("date_of_birth")
    if isinstance(born, date) and age_in_months(born, on) >= cite_age.value:
        return ServiceVerdict(
            Service.HEALTH_INSURANCE_CARD, False,
            _("Trẻ đã đủ %(months)s tháng tuổi: không còn thuộc diện cấp thẻ BHYT trẻ em dưới 6 tuổi.")
            % {"months": cite_age.value}, cite_age.citation)
    return ServiceVerdict(Service.HEALTH_INSURANCE_CARD, True,
                          _("Cấp thẻ BHYT lần đầu cho trẻ dưới %(months)s tháng tuổi.") % {"months": cite_age.value},
                          cite_age.citation)


# --- death ------------------------------------------------------------------

def removal_is_automatic(on: date) -> bool:
    return bool(rules.value("residence_removal.automatic", on))


def _residence_removal(subject: Mapping[str, Any], on: date) -> ServiceVerdict:
    if subject.get("had_permanent_residence") is False:
        return ServiceVerdict(Service.RESIDENCE_REMOVAL, False,
                              _("Người chết không có nơi thường trú: không có đăng ký thường trú để xóa."),
                              rules.citation(CITE_REMOVAL, on))
    if removal_is_automatic(on):
        return ServiceVerdict(
            Service.RESIDENCE_REMOVAL, True,
            _("Công an tự động xóa đăng ký thường trú của người chết, không cần đề nghị."),
            rules.rule("residence_removal.automatic", on).citation, automatic=True)
    if subject.get("is_household_head") is True:
        return ServiceVerdict(
            Service.RESIDENCE_REMOVAL, False,
            _("Người chết là chủ hộ: không xóa đăng ký thường trú qua liên thông; cần làm thủ tục thay đổi chủ "
              "hộ."), rules.citation(CITE_REMOVAL, on))
    return ServiceVerdict(Service.RESIDENCE_REMOVAL, True, _("Xóa đăng ký thường trú của người chết."),
                          rules.citation(CITE_REMOVAL, on))


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def funeral_route(subject: Mapping[str, Any], submitted_on: date) -> tuple[str | None, str, str, str]:
    """(service or None, agency, reason, citation): the one funeral benefit the
    deceased's situation gives, first match wins (docs/domain.md §3.2)."""
    on = rules_date_for_funeral(subject, submitted_on)
    try:
        return _funeral_route(subject, on)
    except rules.RuleMissing:
        return (None, "", _("Bảng quy tắc chưa có chế độ mai táng áp dụng cho ngày chết %(date)s.")
                % {"date": formatting.day(on)}, rules.citation(CITE_FUNERAL, on))


def _funeral_route(subject: Mapping[str, Any], on: date) -> tuple[str | None, str, str, str]:
    category = subject.get("benefit_category")
    compulsory, voluntary = _int(subject.get("compulsory_months")), _int(subject.get("voluntary_months"))
    min_compulsory = rules.value("funeral_allowance.min_compulsory_months", on)
    min_total = rules.value("funeral_allowance.min_voluntary_total_months", on)
    cite_funeral, cite_support = rules.citation(CITE_FUNERAL, on), rules.citation(CITE_SUPPORT, on)
    allowance, support = Service.FUNERAL_ALLOWANCE, Service.FUNERAL_SUPPORT
    insurance, labour = AgencyKind.SOCIAL_INSURANCE, AgencyKind.LABOUR
    # 1. Social-insurance funeral allowance (BHXH).
    if category in (BenefitCategory.PENSIONER, BenefitCategory.MONTHLY_BENEFIT, BenefitCategory.AWAITING_PENSION_AGE):
        return (allowance, insurance,
                _("Người chết đang hưởng lương hưu, trợ cấp BHXH hằng tháng hoặc chờ đủ tuổi hưởng: hưởng trợ cấp "
                  "mai táng do cơ quan BHXH chi trả."), cite_funeral)
    if category == BenefitCategory.RESERVED_CONTRIBUTIONS and compulsory >= min_compulsory:
        return (allowance, insurance,
                _("Người chết đang bảo lưu thời gian đóng BHXH, có từ %(months)s tháng đóng bắt buộc: hưởng trợ cấp "
                  "mai táng do cơ quan BHXH chi trả.") % {"months": min_compulsory}, cite_funeral)
    if category == BenefitCategory.VOLUNTARY_PARTICIPANT and (compulsory >= min_compulsory or compulsory + voluntary >= min_total):
        return (allowance, insurance,
                _("Người chết tham gia BHXH tự nguyện, có từ %(compulsory)s tháng đóng bắt buộc hoặc từ %(total)s "
                  "tháng đóng trở lên: hưởng trợ cấp mai táng do cơ quan BHXH chi trả.")
                % {"compulsory": min_compulsory, "total": min_total}, cite_funeral)
    # 2. Meritorious person: the same allowance, paid by labour & social affairs.
    if category == BenefitCategory.MERITORIOUS_PERSON:
        return (allowance, labour,
                _("Người chết là người có công với cách mạng: trợ cấp mai táng do cơ quan Lao động - Xã hội chi "
                  "trả."), rules.citation(CITE_MERITORIOUS, on))
    # 3. Funeral support for social-protection beneficiaries.
    min_age = rules.value("funeral_support.min_age", on)
    if category == BenefitCategory.SOCIAL_PROTECTION:
        return (support, labour,
                _("Người chết đang hưởng trợ cấp xã hội hằng tháng: được hỗ trợ chi phí mai táng."), cite_support)
    age = subject.get("age_at_death")
    if category == BenefitCategory.SURVIVOR_ALLOWANCE and isinstance(age, int) and age >= min_age:
        return (support, labour,
                _("Người chết từ đủ %(age)s tuổi, đang hưởng trợ cấp tuất hoặc trợ cấp hằng tháng khác: được hỗ trợ "
                  "chi phí mai táng.") % {"age": min_age}, cite_support)
    # No match: say why, for the category given.
    if category == BenefitCategory.RESERVED_CONTRIBUTIONS:
        why = _("Người chết bảo lưu thời gian đóng BHXH nhưng chưa đủ %(months)s tháng đóng bắt buộc.") % {
            "months": min_compulsory}
        return None, "", why, cite_funeral
    if category == BenefitCategory.VOLUNTARY_PARTICIPANT:
        why = _("Người chết tham gia BHXH tự nguyện nhưng chưa đủ %(compulsory)s tháng đóng bắt buộc hoặc "
                "%(total)s tháng đóng.") % {"compulsory": min_compulsory, "total": min_total}
        return None, "", why, cite_funeral
    if category == BenefitCategory.SURVIVOR_ALLOWANCE:
        why = _("Người hưởng trợ cấp tuất hoặc trợ cấp hằng tháng khác chỉ được hỗ trợ chi phí mai táng khi từ đủ "
                "%(age)s tuổi.") % {"age": min_age}
        return None, "", why, cite_support
    return None, "", _("Người chết không thuộc đối tượng hưởng chế độ mai táng."), cite_funeral


def _funeral(service: str, subject: Mapping[str, Any], on: date) -> ServiceVerdict:
    chosen, agency, reason, citation = funeral_route(subject, on)
    if chosen == service:
        try:
            # The engine computes the amount of the date of death: it must exist.
            rules.funeral_amount(service, rules_date_for_funeral(subject, on))
        except rules.RuleMissing:
            return ServiceVerdict(service, False, _("Bảng quy tắc chưa có mức chi trả cho ngày chết này."), citation)
        return ServiceVerdict(service, True, reason, citation, agency=agency)
    if chosen is not None:
        reason = _("Theo hoàn cảnh của người chết, chế độ mai táng phù hợp là “%(other)s”. %(why)s") % {
            "other": service_label(chosen), "why": reason}
    return ServiceVerdict(service, False, reason, citation)


# --- public -----------------------------------------------------------------

def verdicts(bundle: str, subject: Mapping[str, Any], *, on: date) -> dict[str, ServiceVerdict]:
    """One verdict per service of the bundle, in bundle order."""
    if bundle == Bundle.BIRTH:
        found = [_birth_registration(subject, on), _residence_registration(subject, on),
                 _health_insurance_card(subject, on)]
    elif bundle == Bundle.DEATH:
        found = [ServiceVerdict(Service.DEATH_REGISTRATION, True,
                                _("Đăng ký khai tử tại xã nơi cư trú cuối cùng của người chết."),
                                rules.citation(CITE_DEATH_PLACE, on)),
                 _residence_removal(subject, on), _funeral(Service.FUNERAL_ALLOWANCE, subject, on),
                 _funeral(Service.FUNERAL_SUPPORT, subject, on)]
    else:
        return {}
    for verdict in found:
        verdict.agency = verdict.agency or AGENCY[verdict.service]
    return {v.service: v for v in found}


def deadline_days(service: str, on: date, *, needs_verification: bool = False) -> int:
    key = f"deadline.{service}"
    if needs_verification and service == Service.RESIDENCE_REGISTRATION:
        key += ".verification"
    return int(rules.value(key, on))


def plan(bundle: str, services: list[str], subject: Mapping[str, Any], *, on: date,
         needs_verification: bool = False) -> Plan:
    """The legs of an eligible request, or DomainError naming what is refused.

    `on` is the submission date; `subject` holds clean facts (dates as dates).
    """
    from lienthong.errors import DomainError

    errors: dict[str, list[str]] = {}

    def refuse(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    allowed = BUNDLE_SERVICES.get(bundle, [])
    wanted = list(dict.fromkeys(services))
    if len(wanted) != len(services):
        refuse("services", _("Mỗi thủ tục chỉ được chọn một lần."))
    for service in wanted:
        if service not in allowed:
            refuse("services", _("Thủ tục “%(service)s” không thuộc nhóm thủ tục này.") % {
                "service": service_label(service)})
    if errors:
        raise DomainError(errors)
    first = PREREQUISITE[bundle]
    if first not in wanted:
        refuse("services", _("Nhóm thủ tục liên thông luôn gồm thủ tục “%(service)s”.") % {
            "service": service_label(first)})
    found = verdicts(bundle, subject, on=on)
    removal = found.get(Service.RESIDENCE_REMOVAL)
    automatic = removal is not None and removal.automatic and removal.offered
    if bundle == Bundle.BIRTH and not {Service.RESIDENCE_REGISTRATION, Service.HEALTH_INSURANCE_CARD} & set(wanted):
        refuse("services", _("Chọn thêm ít nhất một thủ tục: đăng ký thường trú hoặc cấp thẻ BHYT cho trẻ (%(cite)s).")
               % {"cite": rules.citation(CITE_LINKED_BIRTH, on)})
    if bundle == Bundle.DEATH:
        if len(set(FUNERAL_SERVICES) & set(wanted)) > 1:
            refuse("services", _("Chỉ được chọn một chế độ mai táng (%(cite)s).")
                   % {"cite": rules.citation(CITE_FUNERAL, on)})
        if len(wanted) == 1 and first in wanted and not automatic:
            refuse("services", _("Chọn thêm ít nhất một thủ tục liên thông: xóa đăng ký thường trú hoặc chế độ "
                                 "mai táng (%(cite)s).") % {"cite": rules.citation(CITE_LINKED_DEATH, on)})
    for service in wanted:
        verdict = found[service]
        if not verdict.offered:
            refuse(verdict.field, _("Không thể thực hiện thủ tục “%(service)s”: %(reason)s (%(cite)s)") % {
                "service": service_label(service), "reason": verdict.reason.rstrip("."), "cite": verdict.citation})
    if Service.HEALTH_INSURANCE_CARD in wanted and subject.get("first_health_insurance_card") is None:
        refuse("subject.first_health_insurance_card",
               _("Cho biết đây có phải lần đầu trẻ được cấp thẻ BHYT không (%(cite)s).")
               % {"cite": rules.citation(CITE_LINKED_BIRTH, on)})
    allowance = found.get(Service.FUNERAL_ALLOWANCE)
    if Service.FUNERAL_ALLOWANCE in wanted and allowance is not None and allowance.offered \
            and allowance.agency == AgencyKind.SOCIAL_INSURANCE and not subject.get("social_insurance_number"):
        refuse("subject.social_insurance_number",
               _("Trợ cấp mai táng do cơ quan BHXH chi trả cần mã số bảo hiểm xã hội của người chết."))
    if errors:
        raise DomainError(errors)

    notices: list[str] = []
    if automatic and Service.RESIDENCE_REMOVAL not in wanted:
        wanted.append(Service.RESIDENCE_REMOVAL)
    if removal is not None and automatic and subject.get("is_household_head") is True:
        notices.append(_("Người chết là chủ hộ: hộ gia đình cần làm thủ tục thay đổi chủ hộ (%(cite)s).")
                       % {"cite": removal.citation})
    ordered = [s for s in allowed if s in wanted]
    legs = [
        PlannedLeg(
            service=service,
            agency=found[service].agency,
            depends_on=None if service == first else first,
            automatic=service == Service.RESIDENCE_REMOVAL and automatic,
            deadline_days=deadline_days(service, on, needs_verification=needs_verification),
        )
        for service in ordered
    ]
    return Plan(services=list[str](ordered), legs=legs, notices=notices)


def _parse_date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def facts(bundle: str, subject: Any) -> dict[str, Any]:
    """A tolerant reading of a (possibly half-filled) API-shaped subject."""
    if not isinstance(subject, Mapping):
        return {}
    out = dict(subject)
    for key in ("date_of_birth", "date_of_death"):
        if key in out:
            out[key] = _parse_date(out[key])
    for key in ("compulsory_months", "voluntary_months", "age_at_death"):
        if isinstance(out.get(key), str) and out[key].strip().isdigit():
            out[key] = int(out[key].strip())
    if bundle == Bundle.DEATH and isinstance(out.get("date_of_birth"), date) and isinstance(out.get("date_of_death"), date):
        out["age_at_death"] = age_in_years(out["date_of_birth"], out["date_of_death"])
    return out


def explain(data: Mapping[str, Any], *, on: date) -> list[ServiceVerdict]:
    """Live feedback before submission: one verdict per service of the bundle."""
    if not isinstance(data, Mapping):
        return []
    bundle = data.get("bundle")
    if not isinstance(bundle, str) or bundle not in BUNDLE_SERVICES:
        return []
    subject = facts(bundle, data.get("subject"))
    try:
        found = verdicts(bundle, subject, on=on)
    except rules.RuleMissing:
        # Before the linked service existed (10/7/2023) nothing is offered.
        return []
    # The commune that registers (validation checks it against the map; here
    # only the codes as typed, for feedback while the form is filled in).
    first = PREREQUISITE[bundle]
    residence, unit = subject.get("residence"), data.get("unit")
    home = residence.get("unit") if isinstance(residence, Mapping) else None
    if found[first].offered and isinstance(unit, str) and isinstance(home, str) and unit.strip() and home.strip() \
            and unit.strip() != home.strip():
        if bundle == Bundle.BIRTH:
            found[first] = ServiceVerdict(first, False, _("Khai sinh phải đăng ký tại xã nơi cư trú của cha hoặc mẹ."),
                                          rules.citation(CITE_BIRTH_PLACE, on), agency=AGENCY[first], field="unit")
        else:
            found[first] = ServiceVerdict(first, False, _("Khai tử phải đăng ký tại xã nơi cư trú cuối cùng của "
                                                          "người chết."), rules.citation(CITE_DEATH_PLACE, on),
                                          agency=AGENCY[first], field="unit")
    return list(found.values())
