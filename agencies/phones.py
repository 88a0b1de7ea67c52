"""The one phone-number rule of the portal (Vietnamese numbers only).

Used wherever a phone is typed or looked up: the engine's validation of a
submission, the login backend, sign-up, the citizen wizard, the counter and
public tracking. A number is stored in its normal form, so a lookup must
normalise the same way or a citizen who typed "+84 277 385 1234" at the counter
could never find the dossier with "02773851234".

It lives in `agencies` (not in `dossiers`) because the login backend needs it
and agencies must not import the engine.
"""
from __future__ import annotations

import re

from django.utils.translation import gettext_lazy

# Spaces, dots, hyphens and brackets people put between the digits.
_NOISE = re.compile(r"[\s.\-()]")
# Mobile: 10 digits, 03/05/07/08/09; landline: 11 digits, 02 + area code.
MOBILE = re.compile(r"0[35789][0-9]{8}")
LANDLINE = re.compile(r"02[0-9]{9}")

PHONE_INVALID = gettext_lazy("Số điện thoại không đúng định dạng Việt Nam: di động 10 số (ví dụ 0912345678) hoặc "
                             "cố định 11 số (ví dụ 02773851234).")


def phone_normalize(value: str | None) -> str:
    """The stored form: "+84 912 345 678", "84912345678", "0912.345.678" →
    "0912345678"; "842773851234" → "02773851234". Anything else is returned
    without its separators (and then refused by `phone_is_valid`)."""
    digits = _NOISE.sub("", value or "")
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("84") and len(digits) in (11, 12):
        # 84 + the 9 digits of a mobile or the 10 digits of a landline.
        digits = "0" + digits[2:]
    return digits


def phone_is_valid(normal: str) -> bool:
    """Whether an already normalised number is a Vietnamese mobile or landline."""
    return bool(MOBILE.fullmatch(normal) or LANDLINE.fullmatch(normal))
