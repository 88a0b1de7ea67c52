"""Vietnamese text helpers: NFC normalisation and diacritic-free search keys."""
from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def nfc(value: str) -> str:
    """Text as stored everywhere: NFC, trimmed, inner whitespace folded."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", value)).strip()


def search_key(value: str) -> str:
    """Lower-case, diacritics removed (đ → d), whitespace folded.

    "Xã Tân Hồng" → "xa tan hong", so typing "tan hong" (or "Tân Hồng") finds it.
    """
    decomposed = unicodedata.normalize("NFD", value.replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return _SPACES.sub(" ", stripped).strip().lower()
