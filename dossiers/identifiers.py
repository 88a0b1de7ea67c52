"""Structure checks and generation of the national identifiers (docs/domain.md §7).

A personal ID number (số định danh cá nhân) is 12 digits:
  PPP  the province where the birth was registered (legacy 63-province codes,
       padded to 3 digits: 001 Hà Nội … 096 Cà Mau),
  G    century and sex: 0/1 = male/female born 1900–1999, 2/3 = 2000–2099,
       4/5 = 2100–2199,
  YY   the last two digits of the year of birth,
  NNNNNN a serial.
The number has no check digit, so only its structure can be verified.
"""
from __future__ import annotations

import re
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _

# Province codes of the legacy 63-province map (before 1/7/2025), which the
# personal ID keeps for life even after the 2025 merger. A constant rather than
# a database read: the list is closed (no new code will ever be issued) and the
# validator must work without the reference tables loaded.
LEGACY_PROVINCE_CODES: frozenset[str] = frozenset(
    f"{int(code):03d}" for code in (
        "01 02 04 06 08 10 11 12 14 15 17 19 20 22 24 25 26 27 30 31 33 34 35 36 37 38 40 42 44 45 46 48 "
        "49 51 52 54 56 58 60 62 64 66 67 68 70 72 74 75 77 79 80 82 83 84 86 87 89 91 92 93 94 95 96"
    ).split()
)
MALE, FEMALE = "male", "female"
# Century/sex digit → (first year of the century, sex).
_CENTURY = {0: (1900, MALE), 1: (1900, FEMALE), 2: (2000, MALE), 3: (2000, FEMALE), 4: (2100, MALE),
            5: (2100, FEMALE)}
_TWELVE_DIGITS = re.compile(r"[0-9]{12}")
_TEN_DIGITS = re.compile(r"[0-9]{10}")


def personal_id_errors(value: str, *, sex: str | None, date_of_birth: date | None) -> list[str]:
    """Messages (Vietnamese) for everything wrong with `value`; [] when valid.

    `sex` ("male"/"female") and `date_of_birth` are what the person stated;
    a number that contradicts them is refused.
    """
    if not isinstance(value, str) or not _TWELVE_DIGITS.fullmatch(value):
        return [_("Số định danh cá nhân phải gồm đúng 12 chữ số.")]
    errors: list[str] = []
    if value[:3] not in LEGACY_PROVINCE_CODES:
        errors.append(_("Ba chữ số đầu (%(code)s) không phải mã tỉnh, thành phố nơi đăng ký khai sinh.")
                      % {"code": value[:3]})
    century = _CENTURY.get(int(value[3]))
    if century is None:
        errors.append(_("Chữ số thứ tư (mã thế kỷ và giới tính) phải từ 0 đến 5."))
        return errors
    first_year, id_sex = century
    year = first_year + int(value[4:6])
    if sex in (MALE, FEMALE) and sex != id_sex:
        errors.append(_("Số định danh cá nhân là của người có giới tính %(id_sex)s, không khớp với giới tính "
                        "đã khai.") % {"id_sex": _("nam") if id_sex == MALE else _("nữ")})
    if date_of_birth is not None:
        if date_of_birth.year != year:
            errors.append(_("Số định danh cá nhân ghi năm sinh %(year)s, không khớp với ngày sinh đã khai.")
                          % {"year": year})
    elif year > timezone.localdate().year:
        errors.append(_("Năm sinh trong số định danh cá nhân (%(year)s) chưa đến.") % {"year": year})
    return errors


def personal_id_sex(value: str) -> str | None:
    """The sex a structurally valid number encodes, else None."""
    if isinstance(value, str) and _TWELVE_DIGITS.fullmatch(value) and int(value[3]) in _CENTURY:
        return _CENTURY[int(value[3])][1]
    return None


def personal_id_generate(*, province_code: str, sex: str | None, date_of_birth: date, serial: int) -> str:
    """A number with the structure of §7 (the child's ID issued with the birth
    registration). `province_code` is the legacy province code, "82" or "082"."""
    code = f"{int(province_code):03d}"
    if code not in LEGACY_PROVINCE_CODES:
        raise ValueError(f"unknown legacy province code {province_code!r}")
    if sex not in (MALE, FEMALE):
        raise ValueError(f"sex must be {MALE!r} or {FEMALE!r}, not {sex!r}")
    century = date_of_birth.year // 100 - 19
    if not 0 <= century <= 2:
        raise ValueError(f"year {date_of_birth.year} outside 1900–2199")
    if not 0 <= serial <= 999_999:
        raise ValueError("serial must be between 0 and 999999")
    return f"{code}{century * 2 + (sex == FEMALE)}{date_of_birth.year % 100:02d}{serial:06d}"


def social_insurance_number_errors(value: str) -> list[str]:
    """Mã số BHXH: exactly 10 digits."""
    if not isinstance(value, str) or not _TEN_DIGITS.fullmatch(value):
        return [_("Mã số bảo hiểm xã hội phải gồm đúng 10 chữ số.")]
    return []
