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


# Vietnamese alphabetical order (TCVN 5712 / CLDR "vi"): the letters in this
# order, f j w z (foreign names) at their Latin places; then the tones as a
# secondary difference: none, huyền, hỏi, ngã, sắc, nặng.
_ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_LETTER = {ch: rank for rank, ch in enumerate(_ALPHABET)}
# combining marks that make a letter of the alphabet (ă â ê ô ơ ư)
_SHAPES = frozenset("\u0306\u0302\u031b")
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}
_DIGITS = re.compile(r"\d+")


def vi_sort_key(value: str) -> tuple[tuple[tuple[int, int], ...], tuple[int, ...], str]:
    """The sort key of a name in Vietnamese alphabetical order: "Cà Mau"
    before "Cao Bằng", "Điện Biên" before "Đồng Tháp" and both after every
    "D…"; tones decide only between names equal letter for letter; a run of
    digits counts as its number ("Phường 2" before "Phường 10"). Use it
    wherever units or names are listed: sorted(units, key=lambda u:
    vi_sort_key(u.name)); for SQL results, sort in Python after fetching."""
    letters: list[tuple[int, int]] = []
    tones: list[int] = []
    text = unicodedata.normalize("NFD", nfc(value).lower())
    pos = 0
    while pos < len(text):
        digits = _DIGITS.match(text, pos)
        if digits:
            letters.append((1, int(digits.group())))
            pos = digits.end()
            continue
        base, pos = text[pos], pos + 1
        tone = 0
        while pos < len(text) and unicodedata.combining(text[pos]):
            mark = text[pos]
            if mark in _SHAPES:
                base = unicodedata.normalize("NFC", base + mark)
            else:
                tone = _TONES.get(mark, tone)
            pos += 1
        if base == "đ" or base in _LETTER:
            letters.append((2, _LETTER[base]))
            tones.append(tone)
        elif base.isalpha():
            letters.append((3, ord(base)))
            tones.append(tone)
        else:  # spaces and punctuation: a shorter word first
            letters.append((0, 0))
    return tuple(letters), tuple(tones), value
