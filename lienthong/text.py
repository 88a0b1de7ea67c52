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
