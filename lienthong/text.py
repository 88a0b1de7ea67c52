"""Vietnamese text helpers: NFC normalisation, diacritic-free search keys and
SMS text (GSM-7, one segment)."""
from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def nfc(value: str) -> str:
    """Text as stored everywhere: NFC, trimmed, inner whitespace folded."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", value)).strip()


def fold(value: str) -> str:
    """Diacritics removed (đ → d, Đ → D), case kept, whitespace folded:
    "Hồ sơ đã tiếp nhận" → "Ho so da tiep nhan"."""
    decomposed = unicodedata.normalize("NFD", value.replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return _SPACES.sub(" ", stripped).strip()


def search_key(value: str) -> str:
    """Lower-case, diacritics removed (đ → d), whitespace folded.

    "Xã Tân Hồng" → "xa tan hong", so typing "tan hong" (or "Tân Hồng") finds it.
    """
    return fold(value).lower()


# The GSM 03.38 basic character set. A text made only of these characters
# travels as GSM-7: 160 characters in one SMS segment. One character outside
# it (a Vietnamese letter with its diacritics) switches the whole message to
# UCS-2, 70 characters a segment: what the operators charge most for.
GSM7 = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà")
SMS_SEGMENT = 160


def is_gsm7(value: str) -> bool:
    return all(ch in GSM7 for ch in value)


def sms_text(*parts: str, optional: str = "") -> str:
    """One GSM-7 segment: the parts without diacritics (a character still
    outside GSM-7 becomes "?"), then `optional` (a link) only if it still fits.
    The parts themselves are short by construction; a longer text is cut
    rather than sent as two paid segments."""
    text = " ".join(fold(part) for part in parts if part)
    text = "".join(ch if ch in GSM7 else "?" for ch in text)
    if optional and len(text) + 1 + len(optional) <= SMS_SEGMENT and is_gsm7(optional):
        text = f"{text} {optional}"
    return text[:SMS_SEGMENT]


def nul_paths(value: object, path: str) -> list[str]:
    """Dotted paths inside `value` (dicts, lists, strings, keys included)
    where a NUL character sits: PostgreSQL stores none in text or jsonb."""
    if isinstance(value, str):
        return [path] if "\x00" in value else []
    if isinstance(value, dict):
        found = []
        for key, item in value.items():
            key_path = f"{path}.{key}".replace("\x00", "")
            found += [key_path] if isinstance(key, str) and "\x00" in key else nul_paths(item, key_path)
        return found
    if isinstance(value, (list, tuple)):
        return [p for index, item in enumerate(value) for p in nul_paths(item, f"{path}.{index}")]
    return []
