"""Reads on reference data."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db.models import QuerySet

from agencies.models import AdminUnit
from lienthong.text import search_key, vi_sort_key

# The two-level map took effect on 1/7/2025 (Nghị quyết 202/2025/QH15).
CURRENT_MAP_FROM = date(2025, 7, 1)


def resolve_unit(code: str, at: date | None = None, level: str | None = None) -> AdminUnit | None:
    """The unit a code means at a date: the current map from 1/7/2025 (or
    with no date), the legacy map before; the other map when the preferred
    one has no such code (e.g. "461", a legacy district)."""
    qs = AdminUnit.objects.filter(code=str(code).strip())
    if level:
        qs = qs.filter(level=level)
    preferred = AdminUnit.Map.LEGACY if at is not None and at < CURRENT_MAP_FROM else AdminUnit.Map.CURRENT
    units = sorted(qs.select_related("province"), key=lambda u: (u.map != preferred, u.level))
    return units[0] if units else None


def unit_sort_key(unit: AdminUnit) -> tuple:
    """A unit's place in a list: Vietnamese alphabetical order of its short
    name ("Cà Mau" before "Cao Bằng", whether "Tỉnh" or "Thành phố"), then of
    its full name."""
    return vi_sort_key(unit.short_name or unit.name), vi_sort_key(unit.name)


def by_name(units: Iterable[AdminUnit]) -> list[AdminUnit]:
    """Units in Vietnamese alphabetical order (unit_sort_key). Lists of units
    are at most a few thousand: fetched, then sorted here, never ORDER BY name
    (the database's collation puts "Đồng Tháp" last)."""
    return sorted(units, key=unit_sort_key)


def search_units(text: str, *, map_: str = AdminUnit.Map.CURRENT, level: str | None = None,
                 limit: int = 20) -> QuerySet[AdminUnit]:
    """Units whose name contains the text, typed with or without diacritics."""
    qs = AdminUnit.objects.filter(map=map_, search_name__contains=search_key(text))
    if level:
        qs = qs.filter(level=level)
    return qs.select_related("province").order_by("level", "name")[:limit]


def province_of(unit: AdminUnit | None) -> AdminUnit | None:
    """The province of a commune, or the province itself."""
    if unit is None:
        return None
    return unit if unit.level == AdminUnit.Level.PROVINCE else unit.province
