"""Validation of a submission before anything is written (docs/api.md).

`submission_clean()` takes the API-shaped payload of POST /api/v1/dossiers/
and either returns a `Submission` the engine can save as it is, or raises
`DomainError` with dotted field keys (`subject.mother.personal_id`) and
Vietnamese messages that cite the rule when the refusal is a legal one.

Three passes, each only when the previous one found nothing:
1. structure: small DRF serializers (types, required fields, choices, lengths).
   They are also the request schema of the API (dossiers.serializers re-exports
   them, drf-spectacular reads them), so a generated client is told exactly
   what is enforced;
2. content: names, free text, identifiers, phone, e-mail, dates, units,
   jurisdiction, who may file where and when, attachments;
3. eligibility (`dossiers.eligibility.plan`): which services may be given, and
   the legs they become.
The serializers only describe shapes; every decision is in plain functions.
"""
from __future__ import annotations

import hashlib
import os
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema_field, extend_schema_serializer
from rest_framework import serializers
from rest_framework.settings import api_settings

from agencies.access import can_submit_for_unit, may_set_submission_field
from agencies.models import AdminUnit, Role
from agencies.phones import PHONE_INVALID, phone_is_valid, phone_normalize
from agencies.selectors import CURRENT_MAP_FROM, resolve_unit
from dossiers import eligibility, rules
from dossiers.eligibility import (
    BENEFIT_CATEGORIES,
    BUNDLE_SERVICES,
    HOUSEHOLD_TYPES,
    SPECIAL_CASES,
    PlannedLeg,
    age_in_years,
)
from dossiers.identifiers import personal_id_errors, social_insurance_number_errors
from dossiers.vocabulary import BenefitCategory, Bundle, Channel, HouseholdType, Relationship, Sex
from lienthong.errors import DomainError
from lienthong.text import nfc

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

__all__ = ["CleanFile", "PlannedLeg", "Submission", "attachment_clean", "clean_result_text", "submission_clean",
           "RELATIONSHIPS"]

# Sanity limits on free input (not legal numbers: they only keep garbage out).
NAME_MAX = 100
TEXT_MAX = 255
MAX_FILES = 20
EARLIEST_BIRTH = date(1900, 1, 1)  # the personal-ID structure starts with 1900 (docs/domain.md §7)

SEXES = tuple(Sex.values)
CHANNELS = tuple(Channel.values)
RELATIONSHIPS = tuple(Relationship.values)
ALL_SERVICES = [s for services in BUNDLE_SERVICES.values() for s in services]

# DRF's own messages are English; these are the project's, in Vietnamese.
VI: dict[str, StrOrPromise] = {
    "required": gettext_lazy("Trường này là bắt buộc."),
    "null": gettext_lazy("Trường này không được để trống."),
    "blank": gettext_lazy("Trường này không được để trống."),
    "invalid": gettext_lazy("Giá trị không hợp lệ."),
    "not_a_dict": gettext_lazy("Giá trị phải là một đối tượng JSON."),
    "not_a_list": gettext_lazy("Giá trị phải là một danh sách."),
    "empty": gettext_lazy("Danh sách không được để trống."),
    "max_length": gettext_lazy("Không được dài quá {max_length} ký tự."),
    "min_length": gettext_lazy("Phải có ít nhất {min_length} ký tự."),
    "invalid_choice": gettext_lazy("Giá trị không nằm trong các lựa chọn cho phép."),
    "max_value": gettext_lazy("Giá trị không được lớn hơn {max_value}."),
    "min_value": gettext_lazy("Giá trị không được nhỏ hơn {min_value}."),
    "max_string_length": gettext_lazy("Số quá lớn."),
    "null_characters_not_allowed": gettext_lazy("Không được chứa ký tự rỗng (NUL)."),
    "surrogate_characters_not_allowed": gettext_lazy("Chứa ký tự không hợp lệ."),
    "date": gettext_lazy("Cần một ngày (YYYY-MM-DD), không phải ngày giờ."),
    "datetime": gettext_lazy("Cần ngày giờ, không phải một ngày."),
    "make_aware": gettext_lazy("Thời điểm không hợp lệ theo múi giờ."),
    "overflow": gettext_lazy("Thời điểm không hợp lệ."),
}
DATE_INVALID = {**VI, "invalid": gettext_lazy("Ngày không hợp lệ: dùng định dạng YYYY-MM-DD.")}
LIST_MESSAGES = {**VI, "max_length": gettext_lazy("Không được chọn quá {max_length} mục.")}


def _char(max_length: int = TEXT_MAX, **kwargs: Any) -> serializers.CharField:
    return serializers.CharField(max_length=max_length, error_messages=VI, **kwargs)


def _choice(choices: Iterable[str], **kwargs: Any) -> serializers.ChoiceField:
    return serializers.ChoiceField(choices=list(choices), error_messages=VI, **kwargs)


def _date(**kwargs: Any) -> serializers.DateField:
    return serializers.DateField(error_messages=DATE_INVALID, **kwargs)


def _bool(**kwargs: Any) -> serializers.BooleanField:
    return serializers.BooleanField(error_messages=VI, **kwargs)


def _int(**kwargs: Any) -> serializers.IntegerField:
    return serializers.IntegerField(error_messages=VI, **kwargs)


# --- shapes -----------------------------------------------------------------

class ParentIn(serializers.Serializer):
    full_name = _char(NAME_MAX)
    personal_id = _char(20, required=False, allow_blank=True)
    date_of_birth = _date(required=False, allow_null=True)


class ResidenceIn(serializers.Serializer):
    unit = _char(10)
    address = _char()
    household_type = _choice(HOUSEHOLD_TYPES, required=False, default=HouseholdType.FAMILY)


class LastResidenceIn(serializers.Serializer):
    unit = _char(10)
    address = _char(required=False, allow_blank=True)


class ApplicantIn(serializers.Serializer):
    full_name = _char(NAME_MAX)
    personal_id = _char(20)
    phone = _char(20)
    email = _char(254, required=False, allow_blank=True, allow_null=True)
    relationship = _choice(RELATIONSHIPS)
    sex = _choice(SEXES, required=False, allow_null=True)
    date_of_birth = _date(required=False, allow_null=True)


class BirthSubjectIn(serializers.Serializer):
    full_name = _char(NAME_MAX)
    sex = _choice(SEXES)
    date_of_birth = _date()
    place_of_birth = _char()
    ethnicity = _char(50, required=False, default="Kinh")
    nationality = _char(2, min_length=2, required=False, default="VN")
    special_case = _choice(SPECIAL_CASES, required=False, allow_null=True, default=None)
    # Required keys; null means "not identified" (a special case, see eligibility).
    mother = ParentIn(allow_null=True, error_messages=VI)
    father = ParentIn(allow_null=True, error_messages=VI)
    residence = ResidenceIn(error_messages=VI)
    first_health_insurance_card = _bool(required=False, allow_null=True, default=None, help_text=gettext_lazy(
        "Bắt buộc khi đề nghị cấp thẻ BHYT (health_insurance_card)."))


class DeathSubjectIn(serializers.Serializer):
    full_name = _char(NAME_MAX)
    personal_id = _char(20)
    sex = _choice(SEXES)
    date_of_birth = _date()
    date_of_death = _date()
    place_of_death = _char()
    had_permanent_residence = _bool()
    is_household_head = _bool(required=False, default=False)
    benefit_category = _choice(BENEFIT_CATEGORIES, required=False, default=BenefitCategory.NONE)
    social_insurance_number = _char(20, required=False, allow_blank=True, allow_null=True, help_text=gettext_lazy(
        "Bắt buộc khi đề nghị trợ cấp mai táng do BHXH chi trả (funeral_allowance)."))
    compulsory_months = _int(required=False, default=0, min_value=0, max_value=1200)
    voluntary_months = _int(required=False, default=0, min_value=0, max_value=1200)
    age_at_death = _int(required=False, allow_null=True, min_value=0, max_value=150)
    # The commune of last residence; absent → the dossier's unit is taken as it.
    residence = LastResidenceIn(required=False, allow_null=True, error_messages=VI)


@extend_schema_field(PolymorphicProxySerializer(
    component_name="DossierSubject", serializers=[BirthSubjectIn, DeathSubjectIn], resource_type_field_name=None))
class SubjectField(serializers.DictField):
    """The subject's shape depends on `bundle`: `submission_clean` checks it
    with BirthSubjectIn or DeathSubjectIn; the schema offers both (oneOf)."""


@extend_schema_serializer(component_name="DossierSubmitIn")
class SubmissionIn(serializers.Serializer):
    bundle = _choice(BUNDLE_SERVICES)
    services = serializers.ListField(child=_choice(ALL_SERVICES), allow_empty=False, max_length=len(ALL_SERVICES),
                                     error_messages=LIST_MESSAGES)
    unit = _char(10)
    channel = _choice(CHANNELS)
    applicant = ApplicantIn(error_messages=VI)
    subject = SubjectField(error_messages=VI)
    # Only an administrator's import of a historical dossier; otherwise now.
    submitted_at = serializers.DateTimeField(required=False, allow_null=True, error_messages={
        **VI, "invalid": gettext_lazy("Thời điểm không hợp lệ: dùng ISO 8601, ví dụ 2024-07-15T09:30:00+07:00.")})
    # The clerk's call that the residence needs verification (longer deadline).
    needs_verification = _bool(required=False, default=False)


# --- results ----------------------------------------------------------------

@dataclass
class CleanFile:
    name: str
    content_type: str
    size: int
    sha256: str
    file: Any


@dataclass
class Submission:
    bundle: str
    services: list[str]
    unit: AdminUnit
    channel: str
    applicant: dict[str, Any]
    subject: dict[str, Any]
    submitted_at: datetime
    is_late_registration: bool
    needs_verification: bool
    notices: list[str] = field(default_factory=list)
    legs: list[PlannedLeg] = field(default_factory=list)
    files: list[CleanFile] = field(default_factory=list)


class FieldErrors(dict):
    """{dotted field key: [messages]}, as DomainError carries them."""

    def add(self, key: str, message: str) -> None:
        self.setdefault(key, []).append(str(message))


def _flatten(errors: Any, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested errors → {"subject.mother.personal_id": [...]}. List
    indexes fold into their list's key; nested non-field errors into the
    nested object's key."""
    out: dict[str, list[str]] = {}

    def put(key: str, message: Any) -> None:
        out.setdefault(key or api_settings.NON_FIELD_ERRORS_KEY, []).append(str(message))

    def walk(node: Any, path: str) -> None:
        if isinstance(node, Mapping):
            for key, value in node.items():
                if key == api_settings.NON_FIELD_ERRORS_KEY or isinstance(key, int):
                    walk(value, path)
                else:
                    walk(value, f"{path}.{key}" if path else str(key))
        elif isinstance(node, (list, tuple)):
            for item in node:
                walk(item, path)
        else:
            put(path, node)

    walk(errors, prefix)
    return out


def _structure(serializer_class: type[serializers.Serializer], data: Any, prefix: str = "") -> dict[str, Any]:
    serializer = serializer_class(data=data)
    if not serializer.is_valid():
        raise DomainError(_flatten(serializer.errors, prefix))
    return dict(serializer.validated_data)


# --- content checks ---------------------------------------------------------

_NAME_SEPARATORS = set(" -'’.")
_UNIT_CODE = re.compile(r"[0-9]{1,8}")


def _has_controls(text: str) -> bool:
    return any(unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn") for ch in text)


# Scripts whose letters pass for one another ("а" Cyrillic, "a" Latin): one
# name may use one of them only.
_CONFUSABLE_SCRIPTS = ("LATIN", "CYRILLIC", "GREEK")


def _is_look_alike(text: str) -> bool:
    """Letters that only look like the keyboard's: fullwidth forms
    (U+FF00–FFEF), mathematical alphanumerics (U+1D400–1D7FF) and any other
    compatibility letter (ℕ, ﬁ: NFKC changes them), or Latin mixed with
    Cyrillic or Greek in one name. Vietnamese letters (NFC precomposed, đ, ơ,
    ư…) are plain Latin letters: NFKC leaves them as they are."""
    scripts = set()
    for ch in text:
        if 0xFF00 <= ord(ch) <= 0xFFEF or 0x1D400 <= ord(ch) <= 0x1D7FF:
            return True
        if ch.isalpha():
            if unicodedata.normalize("NFKC", ch) != ch:
                return True
            script = unicodedata.name(ch, "").split(" ", 1)[0]
            if script in _CONFUSABLE_SCRIPTS:
                scripts.add(script)
    return len(scripts) > 1


def clean_name(value: str, key: str, errors: FieldErrors) -> str:
    """A person's name: NFC, letters with spaces, hyphens, apostrophes and
    dots, all of one script and none of them a look-alike."""
    text = nfc(value)
    if not text:
        errors.add(key, _("Trường này không được để trống."))
    elif len(text) > NAME_MAX:
        errors.add(key, _("Họ tên không được dài quá %(max)s ký tự.") % {"max": NAME_MAX})
    elif _is_look_alike(text):
        errors.add(key, _("Họ tên có ký tự trông giống chữ cái nhưng thuộc bảng mã khác (chữ toàn khổ, chữ kiểu "
                          "toán học, hoặc chữ Latinh lẫn chữ Kirin/Hy Lạp): hãy gõ lại bằng bàn phím tiếng Việt."))
    elif not text[0].isalpha() or any(not (ch.isalpha() or ch in _NAME_SEPARATORS) for ch in text) \
            or sum(ch.isalpha() for ch in text) < 2:
        errors.add(key, _("Họ tên chỉ gồm chữ cái (có dấu tiếng Việt), khoảng trắng và dấu gạch nối; không chứa "
                          "chữ số, ký hiệu hay mã HTML."))
    return text


def clean_text(value: str, key: str, errors: FieldErrors, *, required: bool = True, max_length: int = TEXT_MAX) -> str:
    """Free text (addresses, places): NFC, no control characters, no markup."""
    text = nfc(value or "")
    if not text:
        if required:
            errors.add(key, _("Trường này không được để trống."))
    elif len(text) > max_length:
        errors.add(key, _("Không được dài quá %(max)s ký tự.") % {"max": max_length})
    elif _has_controls(text) or "<" in text or ">" in text:
        errors.add(key, _("Không được chứa ký tự điều khiển hay mã HTML (< >)."))
    return text


# What a spreadsheet takes for the start of a formula (CSV/XLSX injection).
_FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")
RESULT_TEXT_MAX = 200


def clean_result_text(value: Any, key: str, errors: FieldErrors) -> str:
    """A text field of an officer's result (numbers, book, address, note),
    whatever door it came through (API, staff form, engine): NFC, no markup,
    and not starting like a spreadsheet formula (= + - @, tab, carriage
    return), since results end up in exports and reports. Only the leading
    character counts: "CT-12/2026" or a note with a hyphen inside is fine."""
    if not isinstance(value, str) or not nfc(value) or len(value) > RESULT_TEXT_MAX:
        errors.add(key, _("Giá trị không hợp lệ."))
        return ""
    text = nfc(value)
    if "<" in text or ">" in text or value.lstrip(" ")[:1] in _FORMULA_LEADS or text[:1] in _FORMULA_LEADS:
        errors.add(key, _("Không được chứa mã HTML (< >) hay bắt đầu bằng ký tự công thức (= + - @, tab, xuống "
                          "dòng)."))
    return text


def clean_phone(value: str, key: str, errors: FieldErrors) -> str:
    """The portal's one phone rule (agencies.phones): mobile or landline,
    +84 accepted and stored as the leading 0."""
    digits = phone_normalize(value)
    if not phone_is_valid(digits):
        errors.add(key, str(PHONE_INVALID))
    return digits


def clean_email(value: str | None, key: str, errors: FieldErrors) -> str:
    text = (value or "").strip()
    if not text:
        return ""
    try:
        validate_email(text)
    except DjangoValidationError:
        errors.add(key, _("Địa chỉ thư điện tử không hợp lệ."))
        return text
    local_part, _at, domain = text.rpartition("@")
    return f"{local_part}@{domain.lower()}"


def clean_personal_id(value: str, key: str, errors: FieldErrors, *, sex: str | None, born: date | None) -> str:
    digits = re.sub(r"[\s.]", "", value or "")
    for message in personal_id_errors(digits, sex=sex, date_of_birth=born):
        errors.add(key, message)
    return digits


def check_date(value: date | None, key: str, errors: FieldErrors, *, today: date, what: str) -> None:
    if value is None:
        return
    if value > today:
        errors.add(key, _("%(what)s không được sau ngày nộp hồ sơ (%(today)s).") % {
            "what": what, "today": today.strftime("%d/%m/%Y")})
    elif value < EARLIEST_BIRTH:
        errors.add(key, _("%(what)s không hợp lệ (trước năm %(year)s).") % {"what": what, "year": EARLIEST_BIRTH.year})


def resolve_commune(code: str, key: str, errors: FieldErrors, *, on: date | None) -> AdminUnit | None:
    """A commune of the current map, or — for an import dated `on` — of the
    map valid that day (legacy before 1/7/2025)."""
    code = (code or "").strip()
    if not _UNIT_CODE.fullmatch(code):
        errors.add(key, _("Mã đơn vị hành chính chỉ gồm chữ số."))
        return None
    unit = resolve_unit(code, at=on, level=AdminUnit.Level.COMMUNE)
    wanted = AdminUnit.Map.LEGACY if on is not None and on < CURRENT_MAP_FROM else AdminUnit.Map.CURRENT
    if unit is None or unit.map != wanted:
        if on is None:
            errors.add(key, _("Không có xã, phường, đặc khu hiện hành mang mã %(code)s.") % {"code": code})
        else:
            errors.add(key, _("Không có xã, phường, thị trấn mang mã %(code)s có hiệu lực ngày %(date)s.")
                       % {"code": code, "date": on.strftime("%d/%m/%Y")})
        return None
    return unit


def _jsonable(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    return value


# --- attachments ------------------------------------------------------------

_SIGNATURES = [(b"%PDF-", "application/pdf"), (b"\xff\xd8\xff", "image/jpeg"),
               (b"\x89PNG\r\n\x1a\n", "image/png")]


def _file_name(raw: Any) -> str:
    base = os.path.basename(str(raw or "").replace("\\", "/"))
    base = "".join(ch for ch in nfc(base) if not _has_controls(ch) and ch not in "<>:\"|?*")
    return base[-120:] or "tep-dinh-kem"


def attachment_clean(file: Any) -> CleanFile:
    """PDF, JPEG or PNG judged by content (not by name or declared type),
    at most settings.MAX_UPLOAD_SIZE bytes. Raises DomainError on
    `attachments`."""
    name = _file_name(getattr(file, "name", ""))
    limit = settings.MAX_UPLOAD_SIZE
    size = getattr(file, "size", None)
    if not hasattr(file, "read"):
        raise DomainError({"attachments": [_("Tệp đính kèm không hợp lệ.")]})
    if size is None:
        file.seek(0, os.SEEK_END)
        size = file.tell()
    if size == 0:
        raise DomainError({"attachments": [_("Tệp “%(name)s” rỗng.") % {"name": name}]})
    if size > limit:
        raise DomainError({"attachments": [_("Tệp “%(name)s” lớn hơn %(mb)s MB.") % {
            "name": name, "mb": limit // (1024 * 1024)}]})
    file.seek(0)
    head = file.read(16)
    content_type = next((kind for magic, kind in _SIGNATURES if head.startswith(magic)), None)
    if content_type is None:
        raise DomainError({"attachments": [_("Tệp “%(name)s” không phải PDF, JPEG hay PNG (kiểm tra theo nội dung "
                                             "tệp).") % {"name": name}]})
    digest = hashlib.sha256()
    file.seek(0)
    chunks = file.chunks() if hasattr(file, "chunks") else iter(lambda: file.read(65536), b"")
    for chunk in chunks:
        digest.update(chunk)
    file.seek(0)
    return CleanFile(name=name, content_type=content_type, size=int(size), sha256=digest.hexdigest(), file=file)


# --- the submission ---------------------------------------------------------

def _check_applicant(applicant: dict[str, Any], errors: FieldErrors, today: date) -> dict[str, Any]:
    out = dict(applicant)
    out["full_name"] = clean_name(applicant["full_name"], "applicant.full_name", errors)
    check_date(applicant.get("date_of_birth"), "applicant.date_of_birth", errors, today=today, what=_("Ngày sinh"))
    sex = applicant.get("sex") or {Relationship.MOTHER: Sex.FEMALE, Relationship.FATHER: Sex.MALE}.get(
        applicant["relationship"])
    out["personal_id"] = clean_personal_id(applicant["personal_id"], "applicant.personal_id", errors, sex=sex,
                                           born=applicant.get("date_of_birth"))
    out["phone"] = clean_phone(applicant["phone"], "applicant.phone", errors)
    out["email"] = clean_email(applicant.get("email"), "applicant.email", errors)
    return out


def _check_birth_subject(subject: dict[str, Any], errors: FieldErrors, today: date) -> dict[str, Any]:
    out = dict(subject)
    out["full_name"] = clean_name(subject["full_name"], "subject.full_name", errors)
    check_date(subject["date_of_birth"], "subject.date_of_birth", errors, today=today, what=_("Ngày sinh"))
    out["place_of_birth"] = clean_text(subject["place_of_birth"], "subject.place_of_birth", errors)
    out["ethnicity"] = clean_text(subject.get("ethnicity") or "", "subject.ethnicity", errors, max_length=50)
    nationality = (subject.get("nationality") or "").upper()
    if not re.fullmatch(r"[A-Z]{2}", nationality):
        errors.add("subject.nationality", _("Quốc tịch ghi bằng mã 2 chữ cái (ví dụ VN)."))
    out["nationality"] = nationality
    for parent, sex in (("mother", Sex.FEMALE), ("father", Sex.MALE)):
        person = subject.get(parent)
        if not person:
            continue
        key = f"subject.{parent}"
        cleaned = dict(person)
        cleaned["full_name"] = clean_name(person["full_name"], f"{key}.full_name", errors)
        check_date(person.get("date_of_birth"), f"{key}.date_of_birth", errors, today=today, what=_("Ngày sinh"))
        if person.get("personal_id"):
            cleaned["personal_id"] = clean_personal_id(person["personal_id"], f"{key}.personal_id", errors, sex=sex,
                                                       born=person.get("date_of_birth"))
        out[parent] = cleaned
    mother_id = (out.get("mother") or {}).get("personal_id")
    if mother_id and mother_id == (out.get("father") or {}).get("personal_id"):
        errors.add("subject.father.personal_id", _("Số định danh của cha trùng với số định danh của mẹ."))
    residence = dict(subject["residence"])
    residence["address"] = clean_text(residence["address"], "subject.residence.address", errors)
    out["residence"] = residence
    return out


def _check_death_subject(subject: dict[str, Any], errors: FieldErrors, today: date) -> dict[str, Any]:
    out = dict(subject)
    out["full_name"] = clean_name(subject["full_name"], "subject.full_name", errors)
    born, died = subject["date_of_birth"], subject["date_of_death"]
    check_date(born, "subject.date_of_birth", errors, today=today, what=_("Ngày sinh"))
    check_date(died, "subject.date_of_death", errors, today=today, what=_("Ngày chết"))
    if died < born:
        errors.add("subject.date_of_death", _("Ngày chết không được trước ngày sinh."))
    else:
        age = age_in_years(born, died)
        given = subject.get("age_at_death")
        if given is not None and given != age:
            errors.add("subject.age_at_death", _("Tuổi khi chết không khớp với ngày sinh và ngày chết (%(age)s tuổi).")
                       % {"age": age})
        out["age_at_death"] = age
    out["personal_id"] = clean_personal_id(subject["personal_id"], "subject.personal_id", errors,
                                           sex=subject["sex"], born=born)
    out["place_of_death"] = clean_text(subject["place_of_death"], "subject.place_of_death", errors)
    number = (subject.get("social_insurance_number") or "").strip()
    if number:
        for message in social_insurance_number_errors(number):
            errors.add("subject.social_insurance_number", message)
    out["social_insurance_number"] = number
    if subject.get("residence"):
        residence = dict(subject["residence"])
        residence["address"] = clean_text(residence.get("address", ""), "subject.residence.address", errors,
                                          required=False)
        out["residence"] = residence
    else:
        out.pop("residence", None)
    return out


def required_paths(bundle: str) -> list[str]:
    """Dotted paths the submission of `bundle` must carry (the structure's
    required fields): what a form marks with an asterisk."""
    def walk(serializer: serializers.Serializer, prefix: str) -> list[str]:
        out = []
        for name, item in serializer.fields.items():
            if not item.required or getattr(item, "allow_null", False):
                continue
            if isinstance(item, serializers.Serializer):
                out += walk(item, f"{prefix}{name}.")
            else:
                out.append(f"{prefix}{name}")
        return out

    subject = BirthSubjectIn() if bundle == Bundle.BIRTH else DeathSubjectIn()
    return [*walk(SubmissionIn(), ""), *walk(subject, "subject.")]


def _with_section_checks(found: dict[str, list[str]], data: Mapping, subject_in: dict[str, Any],
                         bundle: str) -> dict[str, list[str]]:
    """Structure errors, plus what the checks of each section whose own
    structure is sound say: a clerk sees every problem in one round, not the
    missing fields first and the wrong personal ID after. A key the structure
    already refused keeps the structure's message only."""
    errors = FieldErrors()
    today = timezone.localdate()
    try:
        applicant = _structure(ApplicantIn, data.get("applicant"), "applicant")
    except DomainError:
        pass
    else:
        _check_applicant(applicant, errors, today)
    subject_class = BirthSubjectIn if bundle == Bundle.BIRTH else DeathSubjectIn
    raw = data.get("subject")
    if not subject_in and isinstance(bundle, str) and bundle in BUNDLE_SERVICES and isinstance(raw, Mapping):
        # The subject's structure failed: check what is there (a partial
        # pass skips the missing fields, which the structure reported).
        serializer = subject_class(data=raw, partial=True)
        if serializer.is_valid():
            subject_in = dict(serializer.validated_data)
            for name, item in subject_class().fields.items():
                if name not in subject_in:
                    subject_in[name] = None if isinstance(item, (serializers.DateField, serializers.Serializer)) \
                        else ""
    if subject_in:
        try:
            (_check_birth_subject if bundle == Bundle.BIRTH else _check_death_subject)(subject_in, errors, today)
        except (KeyError, TypeError):
            pass  # a check needing a missing field: its absence is already reported
    merged = dict(found)
    for key, messages in errors.items():
        if not any(key == k or key.startswith(f"{k}.") or k.startswith(f"{key}.") for k in found):
            merged[key] = list(messages)
    # In the order the form asks (the payload's order), not the order found.
    order = {key: i for i, key in enumerate(_paths(data))}
    return dict(sorted(merged.items(), key=lambda item: order.get(item[0], len(order))))


def _paths(node: Any, prefix: str = "") -> list[str]:
    if not isinstance(node, Mapping):
        return [prefix]
    return [prefix, *[p for key, value in node.items() for p in _paths(value, f"{prefix}.{key}".lstrip("."))]]


def submission_clean(data: Any, *, user: Any, files: Sequence[Any] = ()) -> Submission:
    """Validate a POST /api/v1/dossiers/ payload completely; write nothing."""
    if not isinstance(data, Mapping):
        raise DomainError(_("Dữ liệu gửi lên phải là một đối tượng JSON."))
    # Structure of the envelope and of the bundle's subject, reported together.
    found: dict[str, list[str]] = {}
    top: dict[str, Any] = {}
    subject_in: dict[str, Any] = {}
    try:
        top = _structure(SubmissionIn, data)
    except DomainError as exc:
        found.update(exc.errors)
    bundle = top.get("bundle") or data.get("bundle") or ""
    subject_raw = top.get("subject", data.get("subject"))
    if isinstance(bundle, str) and bundle in BUNDLE_SERVICES and isinstance(subject_raw, Mapping):
        try:
            subject_in = _structure(BirthSubjectIn if bundle == Bundle.BIRTH else DeathSubjectIn, subject_raw, "subject")
        except DomainError as exc:
            found.update(exc.errors)
    if found:
        raise DomainError(_with_section_checks(found, data, subject_in, bundle))

    errors = FieldErrors()
    # When: now, or for an admin's historical import the moment given.
    imported = top.get("submitted_at") is not None
    now = timezone.now()
    submitted_at = top.get("submitted_at") or now
    # Fields this user's role may not set (agencies.access decides which).
    refused = {
        "submitted_at": _("Chỉ quản trị hệ thống được nhập hồ sơ cũ với thời điểm tiếp nhận."),
        "needs_verification": _("Chỉ cán bộ một cửa được ghi nhận hồ sơ cần xác minh cư trú."),
    }
    chosen = {"submitted_at": imported, "needs_verification": bool(top.get("needs_verification"))}
    forbidden = {key: [str(message)] for key, message in refused.items()
                 if chosen[key] and not may_set_submission_field(user, key)}
    if forbidden:
        raise DomainError(forbidden)
    if imported:
        if timezone.is_naive(submitted_at):
            submitted_at = timezone.make_aware(submitted_at)
        if submitted_at > now:
            raise DomainError({"submitted_at": [_("Thời điểm tiếp nhận không được ở tương lai.")]})
    today = timezone.localtime(submitted_at).date()
    try:
        rules.value("cutoff_time", today)
    except rules.RuleMissing:
        raise DomainError({"submitted_at": [_("Ngày %(date)s chưa áp dụng thủ tục liên thông.") % {
            "date": today.strftime("%d/%m/%Y")}]}) from None

    channel = top["channel"]
    if channel != Channel.ONLINE and getattr(user, "role", None) == Role.CITIZEN:
        errors.add("channel", _("Công dân tự nộp hồ sơ qua kênh trực tuyến."))

    applicant = _check_applicant(top["applicant"], errors, today)
    check = _check_birth_subject if bundle == Bundle.BIRTH else _check_death_subject
    subject = check(subject_in, errors, today)

    # Where: the dossier's commune, and the law's commune for the bundle.
    unit = resolve_commune(top["unit"], "unit", errors, on=today if imported else None)
    residence = subject.get("residence")
    if residence:
        home = resolve_commune(residence["unit"], "subject.residence.unit", errors, on=today if imported else None)
        if unit is not None and home is not None:
            residence["unit"] = home.code
            if home.pk != unit.pk:
                if bundle == Bundle.BIRTH:
                    errors.add("unit", _("Khai sinh phải đăng ký tại xã nơi cư trú của cha hoặc mẹ (%(home)s) "
                                         "(%(cite)s).") % {"home": home.name, "cite": rules.citation(
                                             "citation.birth_registration.place", today)})
                else:
                    errors.add("unit", _("Khai tử phải đăng ký tại xã nơi cư trú cuối cùng của người chết (%(home)s) "
                                         "(%(cite)s).") % {"home": home.name, "cite": rules.citation(
                                             "citation.death_registration.place", today)})
    if unit is not None and not can_submit_for_unit(user, unit):
        errors.add("unit", _("Tài khoản này không được nộp hồ sơ tại %(unit)s.") % {"unit": unit.name})

    if len(files) > MAX_FILES:
        errors.add("attachments", _("Không được đính kèm quá %(n)s tệp.") % {"n": MAX_FILES})
    clean_files: list[CleanFile] = []
    for upload in files[:MAX_FILES]:
        try:
            clean_files.append(attachment_clean(upload))
        except DomainError as exc:
            for key, messages in exc.errors.items():
                for message in messages:
                    errors.add(key, message)
    if errors:
        raise DomainError(errors)

    # What: eligibility and the legs (docs/domain.md §3.1, §3.2).
    assert unit is not None
    result = eligibility.plan(bundle, top["services"], subject, on=today,
                              needs_verification=top["needs_verification"])

    notices = list(result.notices)
    if bundle == Bundle.BIRTH:
        event, late_key = subject["date_of_birth"], "late_registration.birth_days"
    else:
        event, late_key = subject["date_of_death"], "late_registration.death_days"
    late_rule = rules.rule(late_key, today)
    is_late = (today - event).days > int(late_rule.value)
    if is_late:
        notices.append(_("Đăng ký quá hạn %(days)s ngày kể từ ngày %(event)s (%(cite)s): hồ sơ vẫn được tiếp nhận.")
                       % {"days": late_rule.value, "event": _("sinh") if bundle == Bundle.BIRTH else _("chết"),
                          "cite": late_rule.citation})

    return Submission(
        bundle=bundle,
        services=result.services,
        unit=unit,
        channel=channel,
        applicant=_jsonable(applicant),
        subject=_jsonable(subject),
        submitted_at=submitted_at,
        is_late_registration=is_late,
        needs_verification=top["needs_verification"],
        notices=notices,
        legs=result.legs,
        files=clean_files,
    )
