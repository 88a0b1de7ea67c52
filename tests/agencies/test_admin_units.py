from __future__ import annotations

import pytest
from django.core.management import call_command

from agencies.models import AdminUnit
from agencies.selectors import resolve_unit, search_units

pytestmark = pytest.mark.django_db
CURRENT, LEGACY = AdminUnit.Map.CURRENT, AdminUnit.Map.LEGACY


def count(map_: str, level: str) -> int:
    return AdminUnit.objects.filter(map=map_, level=level).count()


def test_current_map_has_34_provinces_and_3321_communes():
    assert count(CURRENT, "province") == 34
    assert count(CURRENT, "commune") == 3321
    assert count(CURRENT, "district") == 0


def test_legacy_map_has_63_provinces_696_districts_and_10035_communes():
    assert count(LEGACY, "province") == 63
    assert count(LEGACY, "district") == 696
    assert count(LEGACY, "commune") == 10035


def test_district_without_communes_is_kept():
    con_co = AdminUnit.objects.get(map=LEGACY, level="district", name="Huyện Cồn Cỏ")
    assert con_co.province.code == "45"
    assert not con_co.children.exists()


def test_every_legacy_commune_and_province_links_to_a_current_successor():
    legacy = AdminUnit.objects.filter(map=LEGACY, level__in=["province", "commune"])
    assert not legacy.filter(successor__isnull=True).exists()
    assert not legacy.exclude(successor__map=CURRENT).exists()


def test_legacy_quang_tri_and_quang_binh_merge_into_current_quang_tri():
    quang_tri = AdminUnit.objects.get(map=CURRENT, level="province", code="44")
    assert quang_tri.name == "Tỉnh Quảng Trị"
    old = set(AdminUnit.objects.filter(map=LEGACY, successor=quang_tri).values_list("code", flat=True))
    assert old == {"44", "45"}  # Quảng Bình (44) and Quảng Trị (45)


def test_legacy_commune_successor_is_in_the_successor_province():
    communes = list(AdminUnit.objects.filter(map=LEGACY, level="commune").select_related(
        "successor__province", "province__successor")[:2000])
    assert len(communes) == 2000  # the legacy map has ~10,000 communes
    for old in communes:
        assert old.successor.province_id == old.province.successor_id, old


def test_loading_again_changes_nothing():
    before = list(AdminUnit.objects.order_by("pk").values_list("pk", "code", "name", "successor_id")[:500])
    call_command("load_admin_units", verbosity=0)
    after = list(AdminUnit.objects.order_by("pk").values_list("pk", "code", "name", "successor_id")[:500])
    assert before == after
    assert AdminUnit.objects.count() == 34 + 3321 + 63 + 696 + 10035


def test_name_search_without_diacritics_finds_tan_hong():
    found = list(search_units("tan hong", level="commune"))
    assert [u.code for u in found] == ["29926"]
    assert found[0].name == "Xã Tân Hồng"
    assert [u.code for u in search_units("Tân Hồng", level="commune")] == ["29926"]


def test_codes_resolve_to_the_map_in_force_at_the_date():
    from datetime import date

    assert resolve_unit("82").name == "Tỉnh Đồng Tháp"
    assert resolve_unit("82").map == CURRENT
    assert resolve_unit("45").map == LEGACY  # no current province 45
    assert resolve_unit("461").name == "Thành phố Đông Hà"
    assert resolve_unit("44", at=date(2024, 1, 1)).name == "Tỉnh Quảng Bình"
    assert resolve_unit("44").name == "Tỉnh Quảng Trị"
    assert resolve_unit("99999") is None
