"""The portal's one vocabulary (docs/domain.md §1, §3, §6): every code the
engine, the API and the three front doors (counter, citizen wizard, API)
exchange, with its Vietnamese label, and the facts of each service.

A code or a label lives here and nowhere else: the models' `choices`, the
forms' select lists, the documents, the reports and the eligibility rules
all read this module. The agency kinds stay in `agencies.models.AgencyKind`
(the base layer: officers belong to one); this module only says which kind
handles which service. Legal numbers (deadlines, amounts, citations) are not
vocabulary: they are effective-dated rows read through `dossiers.rules`.

This module imports nothing from `dossiers.models` (the models import it).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from agencies.models import AgencyKind


class Bundle(models.TextChoices):
    BIRTH = "birth", _("Nhóm thủ tục khai sinh")
    DEATH = "death", _("Nhóm thủ tục khai tử")


class Service(models.TextChoices):
    BIRTH_REGISTRATION = "birth_registration", _("Đăng ký khai sinh")
    RESIDENCE_REGISTRATION = "residence_registration", _("Đăng ký thường trú")
    HEALTH_INSURANCE_CARD = "health_insurance_card", _("Cấp thẻ BHYT cho trẻ em dưới 6 tuổi")
    DEATH_REGISTRATION = "death_registration", _("Đăng ký khai tử")
    RESIDENCE_REMOVAL = "residence_removal", _("Xóa đăng ký thường trú")
    FUNERAL_ALLOWANCE = "funeral_allowance", _("Trợ cấp mai táng")
    FUNERAL_SUPPORT = "funeral_support", _("Hỗ trợ chi phí mai táng")


class Channel(models.TextChoices):
    ONLINE = "online", _("Trực tuyến")
    ONE_STOP = "one_stop", _("Tại bộ phận một cửa")


class Satisfaction(models.TextChoices):
    """The citizen's rating of how the dossier was handled (the three levels
    public services in Vietnam are scored on)."""
    SATISFIED = "satisfied", _("Hài lòng")
    NORMAL = "normal", _("Bình thường")
    DISSATISFIED = "dissatisfied", _("Không hài lòng")


class DossierStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Đã tiếp nhận")
    IN_PROGRESS = "in_progress", _("Đang giải quyết")
    COMPLETED = "completed", _("Đã hoàn thành")
    PARTIALLY_COMPLETED = "partially_completed", _("Hoàn thành một phần")
    REJECTED = "rejected", _("Bị từ chối")
    WITHDRAWN = "withdrawn", _("Đã rút hồ sơ")


class LegStatus(models.TextChoices):
    WAITING = "waiting", _("Chờ thủ tục trước")
    PENDING = "pending", _("Chờ tiếp nhận")
    IN_PROGRESS = "in_progress", _("Đang xử lý")
    AWAITING_SUPPLEMENT = "awaiting_supplement", _("Chờ bổ sung hồ sơ")
    COMPLETED = "completed", _("Đã hoàn thành")
    REJECTED = "rejected", _("Bị từ chối")
    CANCELLED = "cancelled", _("Đã hủy")


FINAL_LEG_STATES = (LegStatus.COMPLETED, LegStatus.REJECTED, LegStatus.CANCELLED)
OPEN_DOSSIER_STATES = (DossierStatus.SUBMITTED, DossierStatus.IN_PROGRESS)
DONE_DOSSIER_STATES = (DossierStatus.COMPLETED, DossierStatus.PARTIALLY_COMPLETED)


class DocumentKind(models.TextChoices):
    BIRTH_CERTIFICATE = "birth_certificate", _("Giấy khai sinh (bản điện tử)")
    DEATH_EXTRACT = "death_extract", _("Trích lục khai tử")
    APPOINTMENT_SLIP = "appointment_slip", _("Phiếu hẹn trả kết quả")
    DAILY_REPORT = "daily_report", _("Báo cáo ngày")


# --- what people fill in -----------------------------------------------------

class Sex(models.TextChoices):
    MALE = "male", _("Nam")
    FEMALE = "female", _("Nữ")


class Relationship(models.TextChoices):
    """The applicant's relationship to the person registered. `OTHER` is a
    person authorised in writing to apply for the family, hence its label."""

    MOTHER = "mother", _("Mẹ")
    FATHER = "father", _("Cha")
    SPOUSE = "spouse", _("Vợ/chồng")
    CHILD = "child", _("Con")
    GRANDPARENT = "grandparent", _("Ông/bà")
    GRANDCHILD = "grandchild", _("Cháu")
    SIBLING = "sibling", _("Anh/chị/em")
    RELATIVE = "relative", _("Người thân khác")
    GUARDIAN = "guardian", _("Người giám hộ")
    OTHER = "other", _("Người được ủy quyền")


# Who may file each bundle online for the person (the citizen wizard's list).
BUNDLE_RELATIONSHIPS = {
    Bundle.BIRTH: (Relationship.MOTHER, Relationship.FATHER, Relationship.GRANDPARENT, Relationship.RELATIVE),
    Bundle.DEATH: (Relationship.SPOUSE, Relationship.CHILD, Relationship.MOTHER, Relationship.FATHER,
                   Relationship.SIBLING, Relationship.RELATIVE),
}


class SpecialCase(models.TextChoices):
    """Births that cannot go through the linked procedure (their legal
    article is the rule `citation.special_case.<code>`)."""

    ABANDONED = "abandoned", _("Trẻ bị bỏ rơi")
    PARENT_UNIDENTIFIED = "parent_unidentified", _("Chưa xác định được cha hoặc mẹ")
    SURROGACY = "surrogacy", _("Trẻ sinh ra do mang thai hộ")


NO_SPECIAL_CASE = _("Không thuộc trường hợp đặc biệt")


class HouseholdType(models.TextChoices):
    FAMILY = "family", _("Hộ gia đình")
    COLLECTIVE = "collective", _("Nhân khẩu tập thể (cơ quan, đơn vị, ký túc xá…)")


class BenefitCategory(models.TextChoices):
    """The deceased's situation, which decides the funeral benefit
    (docs/domain.md §3.2: first match wins, in this order; `none` last)."""

    PENSIONER = "pensioner", _("Đang hưởng lương hưu")
    MONTHLY_BENEFIT = "monthly_benefit", _("Đang hưởng trợ cấp BHXH hằng tháng")
    RESERVED_CONTRIBUTIONS = "reserved_contributions", _("Đã đóng BHXH bắt buộc và đang bảo lưu thời gian đóng")
    VOLUNTARY_PARTICIPANT = "voluntary_participant", _("Đang tham gia BHXH tự nguyện")
    AWAITING_PENSION_AGE = "awaiting_pension_age", _("Đang chờ đủ tuổi hưởng lương hưu/trợ cấp hằng tháng")
    MERITORIOUS_PERSON = "meritorious_person", _("Người có công với cách mạng")
    SOCIAL_PROTECTION = "social_protection", _("Đang hưởng trợ cấp xã hội hằng tháng (bảo trợ xã hội)")
    SURVIVOR_ALLOWANCE = "survivor_allowance", _("Đang hưởng trợ cấp tuất hoặc trợ cấp hằng tháng khác")
    NONE = "none", _("Không hưởng chế độ nào")


# The select lists show "none" first: it is the usual answer.
BENEFIT_CHOICES = [(BenefitCategory.NONE.value, BenefitCategory.NONE.label),
                   *[(c.value, c.label) for c in BenefitCategory if c != BenefitCategory.NONE]]


# --- the facts of each service --------------------------------------------------

@dataclass(frozen=True)
class ServiceFacts:
    bundle: Bundle
    # The kind of office that handles the leg.
    agency: AgencyKind
    # The leg this one waits for (its result unlocks it); None: the first leg.
    prerequisite: Service | None
    # The e-document printed when the leg is completed.
    document: DocumentKind | None
    # The result fields an agency may send (docs/domain.md §6); others are refused.
    result_fields: frozenset[str]


# In bundle order: the first service of a bundle is the one always filed.
SERVICES: dict[str, ServiceFacts] = {
    Service.BIRTH_REGISTRATION: ServiceFacts(
        Bundle.BIRTH, AgencyKind.JUSTICE, None, DocumentKind.BIRTH_CERTIFICATE,
        frozenset({"registration_number", "book", "personal_id", "registered_on", "note"})),
    Service.RESIDENCE_REGISTRATION: ServiceFacts(
        Bundle.BIRTH, AgencyKind.POLICE, Service.BIRTH_REGISTRATION, None,
        frozenset({"confirmation_number", "address", "household", "registered_on", "note"})),
    Service.HEALTH_INSURANCE_CARD: ServiceFacts(
        Bundle.BIRTH, AgencyKind.SOCIAL_INSURANCE, Service.BIRTH_REGISTRATION, None,
        frozenset({"card_number", "social_insurance_number", "valid_from", "valid_until", "note"})),
    Service.DEATH_REGISTRATION: ServiceFacts(
        Bundle.DEATH, AgencyKind.JUSTICE, None, DocumentKind.DEATH_EXTRACT,
        frozenset({"extract_number", "book", "registered_on", "note"})),
    Service.RESIDENCE_REMOVAL: ServiceFacts(
        Bundle.DEATH, AgencyKind.POLICE, Service.DEATH_REGISTRATION, None,
        frozenset({"confirmation_number", "removed_on", "note"})),
    Service.FUNERAL_ALLOWANCE: ServiceFacts(
        Bundle.DEATH, AgencyKind.SOCIAL_INSURANCE, Service.DEATH_REGISTRATION, None,
        frozenset({"decision_number", "amount", "decided_on", "note"})),
    Service.FUNERAL_SUPPORT: ServiceFacts(
        Bundle.DEATH, AgencyKind.LABOUR, Service.DEATH_REGISTRATION, None,
        frozenset({"decision_number", "amount", "decided_on", "note"})),
}

BUNDLE_SERVICES: dict[str, list[Service]] = {
    bundle: [Service(s) for s, facts in SERVICES.items() if facts.bundle == bundle] for bundle in Bundle}
# The leg every other leg of the bundle waits for; always part of the bundle.
PREREQUISITE: dict[str, Service] = {
    bundle: next(s for s in services if SERVICES[s].prerequisite is None)
    for bundle, services in BUNDLE_SERVICES.items()}
# A dossier gets at most one of these (docs/domain.md §3.2).
FUNERAL_SERVICES = (Service.FUNERAL_ALLOWANCE, Service.FUNERAL_SUPPORT)
# The leg whose completion issues each result document.
DOCUMENT_SERVICE: dict[str, Service] = {
    facts.document: Service(s) for s, facts in SERVICES.items() if facts.document is not None}


def agency_of(service: str) -> AgencyKind:
    return SERVICES[Service(service)].agency


# The papers the citizen attaches for each service (the rest of what the law
# asks is in the form itself, or is looked up by the agency in its own
# database); an empty list: nothing to attach for that service.
SERVICE_PAPERS: dict[str, list[Any]] = {
    Service.BIRTH_REGISTRATION: [_("Giấy chứng sinh (ảnh chụp hoặc bản điện tử); nếu không có, văn bản của "
                                   "người làm chứng xác nhận việc sinh")],
    Service.RESIDENCE_REGISTRATION: [],
    Service.HEALTH_INSURANCE_CARD: [],
    Service.DEATH_REGISTRATION: [_("Giấy báo tử hoặc giấy tờ thay giấy báo tử")],
    Service.RESIDENCE_REMOVAL: [],
    Service.FUNERAL_ALLOWANCE: [_("Giấy tờ chứng minh chế độ người mất đang hưởng (nếu có)")],
    Service.FUNERAL_SUPPORT: [_("Giấy tờ chứng minh người mất đang hưởng trợ cấp xã hội hằng tháng (nếu có)")],
}


def label(choices: type[models.TextChoices], code: str | None) -> str:
    """The label of `code` in `choices`, or the code itself when it is not
    one (data imported from older systems)."""
    if not code:
        return ""
    try:
        return str(choices(code).label)
    except ValueError:
        return str(code)
