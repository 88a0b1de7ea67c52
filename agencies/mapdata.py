"""Both administrative maps, from the `vietnamadminunits` package.

Idempotent: rows are upserted on (map, level, code), so running it again
changes nothing and never touches dossiers that point at units. Bulk writes
keep it to a few seconds for ~13,500 units.
"""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import vietnamadminunits
from django.db import transaction
from vietnamadminunits.database import query

from agencies.models import AdminUnit
from lienthong.text import search_key

CURRENT, LEGACY = AdminUnit.Map.CURRENT, AdminUnit.Map.LEGACY
PROVINCE, DISTRICT, COMMUNE = AdminUnit.Level.PROVINCE, AdminUnit.Level.DISTRICT, AdminUnit.Level.COMMUNE


def _type_of(name: str, short: str) -> str:
    return name[: len(name) - len(short)].strip() if short and name.endswith(short) else ""


def _upsert(rows: list[AdminUnit]) -> None:
    AdminUnit.objects.bulk_create(
        rows, batch_size=2000, update_conflicts=True, unique_fields=["map", "level", "code"],
        update_fields=["name", "short_name", "unit_type", "search_name", "parent", "province"],
    )


def _ids(map_: str, level: str) -> dict[str, int]:
    return dict(AdminUnit.objects.filter(map=map_, level=level).values_list("code", "pk"))


def _unit(map_: str, level: str, code: str, name: str, short: str, **kw) -> AdminUnit:
    return AdminUnit(map=map_, level=level, code=code, name=name, short_name=short or name,
                     unit_type=kw.pop("unit_type", "") or _type_of(name, short), search_name=search_key(name), **kw)


@lru_cache(maxsize=1)
def _source() -> tuple[list[dict], list[dict], dict]:
    """The package's rows, read once per process (tests reload the map after
    every flush of a transactional test)."""
    current = query("SELECT DISTINCT province, provinceShort, provinceCode, provinceKey, ward, wardShort, "
                    "wardType, wardCode, wardKey FROM admin_units")
    legacy = query("SELECT DISTINCT province, provinceShort, provinceCode, provinceKey, district, districtShort, "
                   "districtType, districtCode, districtKey, ward, wardShort, wardType, wardCode, wardKey "
                   "FROM admin_units_legacy")
    converter = json.loads((Path(vietnamadminunits.__file__).parent / "data/converter_2025.json").read_text())
    return current, legacy, converter


@transaction.atomic
def admin_units_load() -> None:
    """Upsert both maps and link legacy units to their successors."""
    current, legacy, converter = _source()

    # Current map: provinces, then communes.
    provinces = {r["provinceCode"]: r for r in current}
    _upsert([_unit(CURRENT, PROVINCE, c, r["province"], r["provinceShort"]) for c, r in provinces.items()])
    cur_prov = _ids(CURRENT, PROVINCE)
    _upsert([
        _unit(CURRENT, COMMUNE, r["wardCode"], r["ward"], r["wardShort"], unit_type=r["wardType"] or "",
              parent_id=cur_prov[r["provinceCode"]], province_id=cur_prov[r["provinceCode"]])
        for r in current
    ])
    cur_comm = _ids(CURRENT, COMMUNE)

    # Legacy map: provinces, districts, communes.
    l_prov = {r["provinceCode"]: r for r in legacy}
    _upsert([_unit(LEGACY, PROVINCE, c, r["province"], r["provinceShort"]) for c, r in l_prov.items()])
    leg_prov = _ids(LEGACY, PROVINCE)
    l_dist = {r["districtCode"]: r for r in legacy}
    _upsert([
        _unit(LEGACY, DISTRICT, c, r["district"], r["districtShort"], unit_type=r["districtType"] or "",
              parent_id=leg_prov[r["provinceCode"]], province_id=leg_prov[r["provinceCode"]])
        for c, r in l_dist.items()
    ])
    leg_dist = _ids(LEGACY, DISTRICT)
    _upsert([
        _unit(LEGACY, COMMUNE, r["wardCode"], r["ward"], r["wardShort"], unit_type=r["wardType"] or "",
              parent_id=leg_dist[r["districtCode"]], province_id=leg_prov[r["provinceCode"]])
        for r in legacy if r["wardCode"]  # districts without communes (Huyện Cồn Cỏ) have none
    ])

    _link_successors(current, legacy, converter, cur_prov, cur_comm)


def _link_successors(current, legacy, data, cur_prov, cur_comm) -> None:
    new_prov_code = {r["provinceKey"]: r["provinceCode"] for r in current}
    new_ward_code = {(r["provinceKey"], r["wardKey"]): r["wardCode"] for r in current}
    old_prov_code = {r["provinceKey"]: r["provinceCode"] for r in legacy}
    old_ward_code = {f'{r["provinceKey"]}_{r["districtKey"]}_{r["wardKey"]}': r["wardCode"]
                     for r in legacy if r["wardCode"]}

    prov_successor: dict[str, int] = {}
    for new_key, old_keys in data["DICT_PROVINCE"].items():
        for old_key in old_keys:
            prov_successor[old_prov_code[old_key]] = cur_prov[new_prov_code[new_key]]
    ward_successor: dict[str, int] = {}
    for new_p, wards in data["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for new_w, old_keys in wards.items():
            target = cur_comm[new_ward_code[(new_p, new_w)]]
            for old_key in old_keys:
                if old_key in old_ward_code:
                    ward_successor[old_ward_code[old_key]] = target
    for new_p, olds in data["DICT_PROVINCE_WARD_DIVIDED"].items():
        for old_key, options in olds.items():
            chosen = next((o for o in options if o.get("isDefaultNewWard")), options[0])
            if old_key in old_ward_code:
                ward_successor[old_ward_code[old_key]] = cur_comm[new_ward_code[(new_p, chosen["newWardKey"])]]

    units = list(AdminUnit.objects.filter(map=LEGACY, level__in=[PROVINCE, COMMUNE]).only("pk", "level", "code"))
    for unit in units:
        table = prov_successor if unit.level == PROVINCE else ward_successor
        unit.successor_id = table.get(unit.code)
    AdminUnit.objects.bulk_update(units, ["successor"], batch_size=2000)
