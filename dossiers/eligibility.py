"""Who may take which service of a bundle (docs/domain.md §3.1, §3.2), and the legs
a dossier gets.

Everything here works on already-structured facts (dates are `date`s); the
structural checks live in `dossiers.validation`, which calls `plan()` last.
`explain()` is the tolerant twin for live feedback while a form is filled in.

The rules in force are those of the submission date; the funeral-benefit
conditions and amounts are those of the date of death (Luật BHXH: the base
salary "of the month of death"). Every number comes from `dossiers.rules`.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils.translation import gettext as _

from dossiers import rules

BIRTH_SERVICES = ["birth_registration", "residence_registration", "health_insurance_card"]
DEATH_SERVICES = ["death_registration", "residence_removal", "funeral_allowance", "funeral_support"]
BUNDLE_SERVICES = {"birth": BIRTH_SERVICES, "death": DEATH_SERVICES}
# The leg every other leg of the bundle waits for (its result unlocks them).
PREREQUISITE = {"birth": "birth_registration", "death": "death_registration"}
FUNERAL_SERVICES = ("funeral_allowance", "funeral_support")
AGENCY = {
    "birth_registration": "justice",
    "residence_registration": "police",
    "health_insurance_card": "social_insurance",
    "death_registration": "justice",
    "residence_removal": "police",
    "funeral_allowance": "social_insurance",
    "funeral_support": "labour",
}
# Special birth cases of Nghị định 123/2015/NĐ-CP that go through the ordinary
# procedure, with their article.
SPECIAL_CASES = {"abandoned": 14, "parent_unidentified": 15, "surrogacy": 16}
HOUSEHOLD_TYPES = ("family", "collective")
BENEFIT_CATEGORIES = ("pensioner", "monthly_benefit", "reserved_contributions", "voluntary_participant",
                      "awaiting_pension_age", "meritorious_person", "social_protection", "survivor_allowance",
                      "none")

CITE_KH74_BIRTH = "Kế hoạch 74/KH-UBND, mục II.1"
CITE_KH74_REMOVAL = "Kế hoạch 74/KH-UBND, mục II.2.b"
CITE_KH74_FUNERAL = "Kế hoạch 74/KH-UBND, mục II.2.c"
CITE_MERITORIOUS = "Pháp lệnh Ưu đãi người có công với cách mạng 02/2020/UBTVQH14, Điều 6.4"
CITE_SUPPORT = "Nghị định 20/2021/NĐ-CP, Điều 11"
CITE_BIRTH_PLACE = "Luật Hộ tịch 2014, Điều 13"
CITE_DEATH_PLACE = "Luật Hộ tịch 2014, Điều 32"


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
    from dossiers.models import Service

    try:
        return str(Service(service).label)
    except ValueError:
        return service


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

def _birth_registration(subject: Mapping[str, Any]) -> ServiceVerdict:
    special = subject.get("special_case")
    if isinstance(special, str) and special in SPECIAL_CASES:
        article = SPECIAL_CASES[special]
        text = {
            "abandoned": _("Trẻ bị bỏ rơi"),
            "parent_unidentified": _("Trẻ chưa xác định được cha, mẹ"),
            "surrogacy": _("Trẻ sinh ra do mang thai hộ"),
        }[special]
        return ServiceVerdict(
            "birth_registration", False,
            _("%(case)s phải làm thủ tục đăng ký khai sinh thông thường, không qua liên thông.") % {"case": text},
            f"Nghị định 123/2015/NĐ-CP, Điều {article}", field="subject.special_case")
    for parent, label in (("mother", _("mẹ")), ("father", _("cha"))):
        if parent in subject and not subject.get(parent):
            return ServiceVerdict(
                "birth_registration", False,
                _("Trẻ chưa xác định được %(parent)s phải làm thủ tục đăng ký khai sinh thông thường, không qua "
                  "liên thông.") % {"parent": label},
                "Nghị định 123/2015/NĐ-CP, Điều 15", field=f"subject.{parent}")
    return ServiceVerdict("birth_registration", True, _("Đăng ký khai sinh tại xã nơi cư trú của cha hoặc mẹ."),
                          CITE_BIRTH_PLACE)


def _residence_registration(subject: Mapping[str, Any]) -> ServiceVerdict:
    residence = subject.get("residence")
    if isinstance(residence, Mapping) and residence.get("household_type") == "collective":
        return ServiceVerdict(
            "residence_registration", False,
            _("Cha, mẹ cư trú theo diện nhân khẩu tập thể: không đăng ký thường trú cho trẻ qua liên thông."),
            CITE_KH74_BIRTH)
    return ServiceVerdict("residence_registration", True,
                          _("Đăng ký thường trú cho trẻ tại nơi thường trú của cha, mẹ (hộ gia đình)."),
                          CITE_KH74_BIRTH)


def _health_insurance_card(subject: Mapping[str, Any], on: date) -> ServiceVerdict:
    cite_age = rules.rule("health_insurance_card.max_age_months", on)
    if subject.get("first_health_insurance_card") is False:
        return ServiceVerdict(
            "health_insurance_card", False,
            _("Trẻ đã có thẻ BHYT: liên thông chỉ cấp thẻ BHYT lần đầu."), CITE_KH74_BIRTH)
    born = subject.get("date_of_birth")
    if isinstance(born, date) and age_in_months(born, on) >= cite_age.value:
        return ServiceVerdict(
            "health_insurance_card", False,
            _("Trẻ đã đủ %(months)s tháng tuổi: không còn thuộc diện cấp thẻ BHYT trẻ em dưới 6 tuổi.")
            % {"months": cite_age.value}, cite_age.citation)
    return ServiceVerdict("health_insurance_card", True,
                          _("Cấp thẻ BHYT lần đầu cho trẻ dưới %(months)s tháng tuổi.") % {"months": cite_age.value},
                          cite_age.citation)


# --- death ------------------------------------------------------------------

def removal_is_automatic(on: date) -> bool:
    return bool(rules.value("residence_removal.automatic", on))


def _residence_removal(subject: Mapping[str, Any], on: date) -> ServiceVerdict:
    if subject.get("had_permanent_residence") is False:
        return ServiceVerdict("residence_removal", False,
                              _("Người chết không có nơi thường trú: không có đăng ký thường trú để xóa."),
                              CITE_KH74_REMOVAL)
    if removal_is_automatic(on):
        return ServiceVerdict(
            "residence_removal", True,
            _("Công an tự động xóa đăng ký thường trú của người chết, không cần đề nghị."),
            rules.rule("residence_removal.automatic", on).citation, automatic=True)
    if subject.get("is_household_head") is True:
        return ServiceVerdict(
            "residence_removal", False,
            _("Người chết là chủ hộ: không xóa đăng ký thường trú qua liên thông; cần làm thủ tục thay đổi chủ "
              "hộ."), CITE_KH74_REMOVAL)
    return ServiceVerdict("residence_removal", True, _("Xóa đăng ký thường trú của người chết."), CITE_KH74_REMOVAL)


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
                % {"date": on.strftime("%d/%m/%Y")}, CITE_KH74_FUNERAL)


def _funeral_route(subject: Mapping[str, Any], on: date) -> tuple[str | None, str, str, str]:
    category = subject.get("benefit_category")
    compulsory, voluntary = _int(subject.get("compulsory_months")), _int(subject.get("voluntary_months"))
    min_compulsory = rules.value("funeral_allowance.min_compulsory_months", on)
    min_total = rules.value("funeral_allowance.min_voluntary_total_months", on)
    # 1. Social-insurance funeral allowance (BHXH).
    if category in ("pensioner", "monthly_benefit", "awaiting_pension_age"):
        return ("funeral_allowance", "social_insurance",
                _("Người chết đang hưởng lương hưu, trợ cấp BHXH hằng tháng hoặc chờ đủ tuổi hưởng: hưởng trợ cấp "
                  "mai táng do cơ quan BHXH chi trả."), CITE_KH74_FUNERAL)
    if category == "reserved_contributions" and compulsory >= min_compulsory:
        return ("funeral_allowance", "social_insurance",
                _("Người chết đang bảo lưu thời gian đóng BHXH, có từ %(months)s tháng đóng bắt buộc: hưởng trợ cấp "
                  "mai táng do cơ quan BHXH chi trả.") % {"months": min_compulsory}, CITE_KH74_FUNERAL)
    if category == "voluntary_participant" and (compulsory >= min_compulsory or compulsory + voluntary >= min_total):
        return ("funeral_allowance", "social_insurance",
                _("Người chết tham gia BHXH tự nguyện, có từ %(compulsory)s tháng đóng bắt buộc hoặc từ %(total)s "
                  "tháng đóng trở lên: hưởng trợ cấp mai táng do cơ quan BHXH chi trả.")
                % {"compulsory": min_compulsory, "total": min_total}, CITE_KH74_FUNERAL)
    # 2. Meritorious person: the same allowance, paid by labour & social affairs.
    if category == "meritorious_person":
        return ("funeral_allowance", "labour",
                _("Người chết là người có công với cách mạng: trợ cấp mai táng do cơ quan Lao động - Xã hội chi "
                  "trả."), CITE_MERITORIOUS)
    # 3. Funeral support for social-protection beneficiaries.
    min_age = rules.value("funeral_support.min_age", on)
    if category == "social_protection":
        return ("funeral_support", "labour",
                _("Người chết đang hưởng trợ cấp xã hội hằng tháng: được hỗ trợ chi phí mai táng."), CITE_SUPPORT)
    age = subject.get("age_at_death")
    if category == "survivor_allowance" and isinstance(age, int) and age >= min_age:
        return ("funeral_support", "labour",
                _("Người chết từ đủ %(age)s tuổi, đang hưởng trợ cấp tuất hoặc trợ cấp hằng tháng khác: được hỗ trợ "
                  "chi phí mai táng.") % {"age": min_age}, CITE_SUPPORT)
    # No match: say why, for the category given.
    if category == "reserved_contributions":
        why = _("Người chết bảo lưu thời gian đóng BHXH nhưng chưa đủ %(months)s tháng đóng bắt buộc.") % {
            "months": min_compulsory}
        return None, "", why, CITE_KH74_FUNERAL
    if category == "voluntary_participant":
        why = _("Người chết tham gia BHXH tự nguyện nhưng chưa đủ %(compulsory)s tháng đóng bắt buộc hoặc "
                "%(total)s tháng đóng.") % {"compulsory": min_compulsory, "total": min_total}
        return None, "", why, CITE_KH74_FUNERAL
    if category == "survivor_allowance":
        why = _("Người hưởng trợ cấp tuất hoặc trợ cấp hằng tháng khác chỉ được hỗ trợ chi phí mai táng khi từ đủ "
                "%(age)s tuổi.") % {"age": min_age}
        return None, "", why, CITE_SUPPORT
    return None, "", _("Người chết không thuộc đối tượng hưởng chế độ mai táng."), CITE_KH74_FUNERAL


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
    if bundle == "birth":
        found = [_birth_registration(subject), _residence_registration(subject), _health_insurance_card(subject, on)]
    elif bundle == "death":
        found = [ServiceVerdict("death_registration", True,
                                _("Đăng ký khai tử tại xã nơi cư trú cuối cùng của người chết."), CITE_DEATH_PLACE),
                 _residence_removal(subject, on), _funeral("funeral_allowance", subject, on),
                 _funeral("funeral_support", subject, on)]
    else:
        return {}
    for verdict in found:
        verdict.agency = verdict.agency or AGENCY[verdict.service]
    return {v.service: v for v in found}


def deadline_days(service: str, on: date, *, needs_verification: bool = False) -> int:
    key = f"deadline.{service}"
    if needs_verification and service == "residence_registration":
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
    automatic = bundle == "death" and found["residence_removal"].automatic and found["residence_removal"].offered
    if bundle == "birth" and not {"residence_registration", "health_insurance_card"} & set(wanted):
        refuse("services", _("Chọn thêm ít nhất một thủ tục: đăng ký thường trú hoặc cấp thẻ BHYT cho trẻ (%(cite)s).")
               % {"cite": CITE_KH74_BIRTH})
    if bundle == "death":
        if len(set(FUNERAL_SERVICES) & set(wanted)) > 1:
            refuse("services", _("Chỉ được chọn một chế độ mai táng (%(cite)s).") % {"cite": CITE_KH74_FUNERAL})
        if len(wanted) == 1 and first in wanted and not automatic:
            refuse("services", _("Chọn thêm ít nhất một thủ tục liên thông: xóa đăng ký thường trú hoặc chế độ "
                                 "mai táng (Kế hoạch 74/KH-UBND, mục II.2)."))
    for service in wanted:
        verdict = found[service]
        if not verdict.offered:
            refuse(verdict.field, _("Không thể thực hiện thủ tục “%(service)s”: %(reason)s (%(cite)s)") % {
                "service": service_label(service), "reason": verdict.reason.rstrip("."), "cite": verdict.citation})
    if "health_insurance_card" in wanted and subject.get("first_health_insurance_card") is None:
        refuse("subject.first_health_insurance_card",
               _("Cho biết đây có phải lần đầu trẻ được cấp thẻ BHYT không (%(cite)s).") % {"cite": CITE_KH74_BIRTH})
    if "funeral_allowance" in wanted and found["funeral_allowance"].agency == "social_insurance" \
            and found["funeral_allowance"].offered and not subject.get("social_insurance_number"):
        refuse("subject.social_insurance_number",
               _("Trợ cấp mai táng do cơ quan BHXH chi trả cần mã số bảo hiểm xã hội của người chết."))
    if errors:
        raise DomainError(errors)

    notices: list[str] = []
    if automatic and "residence_removal" not in wanted:
        wanted.append("residence_removal")
    if bundle == "death" and automatic and subject.get("is_household_head") is True:
        notices.append(_("Người chết là chủ hộ: hộ gia đình cần làm thủ tục thay đổi chủ hộ (%(cite)s).")
                       % {"cite": found["residence_removal"].citation})
    ordered = [s for s in allowed if s in wanted]
    legs = [
        PlannedLeg(
            service=service,
            agency=found[service].agency,
            depends_on=None if service == first else first,
            automatic=service == "residence_removal" and automatic,
            deadline_days=deadline_days(service, on, needs_verification=needs_verification),
        )
        for service in ordered
    ]
    return Plan(services=ordered, legs=legs, notices=notices)


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
    if bundle == "death" and isinstance(out.get("date_of_birth"), date) and isinstance(out.get("date_of_death"), date):
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
        if bundle == "birth":
            found[first] = ServiceVerdict(first, False, _("Khai sinh phải đăng ký tại xã nơi cư trú của cha hoặc mẹ."),
                                          CITE_BIRTH_PLACE, agency=AGENCY[first], field="unit")
        else:
            found[first] = ServiceVerdict(first, False, _("Khai tử phải đăng ký tại xã nơi cư trú cuối cùng của "
                                                          "người chết."), CITE_DEATH_PLACE, agency=AGENCY[first],
                                          field="unit")
    return list(found.values())
