"""Figures that agree (issue 14, item 6): one definition per figure on every
report page, Vietnamese alphabetical order, dates that are errors, communes
told apart."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from agencies.models import Role
from lienthong.text import vi_sort_key
from tests import factories as f
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PROVINCES_IN_ORDER = [
    "An Giang", "Bắc Ninh", "Cà Mau", "Cao Bằng", "Cần Thơ", "Đà Nẵng", "Đắk Lắk", "Điện Biên", "Đồng Nai",
    "Đồng Tháp", "Gia Lai", "Hà Nội", "Hà Tĩnh", "Hải Phòng", "Hồ Chí Minh", "Huế", "Hưng Yên", "Khánh Hòa",
    "Lai Châu", "Lạng Sơn", "Lào Cai", "Lâm Đồng", "Nghệ An", "Ninh Bình", "Phú Thọ", "Quảng Ngãi",
    "Quảng Ninh", "Quảng Trị", "Sơn La", "Tây Ninh", "Thái Nguyên", "Thanh Hóa", "Tuyên Quang", "Vĩnh Long"]


@pytest.mark.django_db(False)
def test_vietnamese_alphabetical_order():
    # worked by hand: letters first (a ă â … d đ … o ô ơ … u ư), a word's end
    # before any letter, tones only between names equal letter for letter
    # (none, huyền, hỏi, ngã, sắc, nặng), numbers as numbers
    expected = ["An Giang", "Ăn", "Ấp Bắc", "Cà Mau", "Cao Bằng", "Cần Thơ", "Dak Lak", "Duy Xuyên", "Đà Nẵng",
                "Điện Biên", "Đồng Tháp", "Ea Súp", "Ê Đê", "ha", "Hà", "hả", "Hã", "Há", "Hạ", "Hà Nội", "Ô Môn",
                "Ơ", "Phường 2", "Phường 10", "Uông Bí", "Ứng Hòa", "Yên Bái"]
    shuffled = sorted(expected, key=lambda s: s[::-1])
    assert shuffled != expected
    assert sorted(shuffled, key=vi_sort_key) == expected


def test_province_picker_in_vietnamese_order(client):
    client.force_login(UserFactory(username="figures-admin", role=Role.ADMIN, is_staff=True, is_superuser=True))
    html = client.get("/bao-cao/").content.decode()
    picker = html[html.index('id="id_province"'):]
    picker = picker[:picker.index("</select>")]
    names = re.findall(r">([^<]+)</option>", picker)
    assert [n.removeprefix("Thành phố ").removeprefix("Tỉnh ") for n in names] == PROVINCES_IN_ORDER


D = date(2026, 11, 16)  # a Monday; 16–20/11/2026 has no public holiday
BIRTH_RESIDENCE = ["birth_registration", "residence_registration"]


def _kpis(client, first: date, last: date) -> dict:
    page = client.get("/bao-cao/", {"from": f"{first:%d/%m/%Y}", "to": f"{last:%d/%m/%Y}"})
    assert page.status_code == 200
    k = page.context["kpis"]
    return {key: k[key] for key in ("received", "in_progress", "completed", "legs_completed", "on_time", "overdue")}


@pytest.fixture
def late_residence(quang_tri):
    """Filed Monday 16/11 8:00: the birth registered at 9:00, which starts
    the residence leg (2 working days: due Wednesday 18/11 17:00), accepted
    at 10:00 and completed late on Friday 20/11 at 10:00."""
    d = f.dossier_make(at=f.vn(D, 8), unit_code="18859", services=BIRTH_RESIDENCE)
    f.leg_to(f.leg_of(d, "birth_registration"), "completed", at=f.vn(D, 9))
    residence = f.leg_to(f.leg_of(d, "residence_registration"), "in_progress", at=f.vn(D, 10))
    assert residence.due_at == f.vn(D + timedelta(days=2), 17)
    f.leg_to(residence, "completed", at=f.vn(D + timedelta(days=4), 10))
    return d


def test_every_card_follows_the_date_filter(client, viewer, late_residence):
    client.force_login(viewer)
    # as the dossier stood at the end of each period (worked by hand above)
    assert _kpis(client, D, D) == {"received": 1, "in_progress": 1, "completed": 0, "legs_completed": 1,
                                   "on_time": 1, "overdue": 0}
    assert _kpis(client, D, D + timedelta(days=3)) == {"received": 1, "in_progress": 1, "completed": 0,
                                                       "legs_completed": 1, "on_time": 1, "overdue": 1}
    assert _kpis(client, D, D + timedelta(days=4)) == {"received": 1, "in_progress": 0, "completed": 1,
                                                       "legs_completed": 2, "on_time": 1, "overdue": 0}
    # and the list of overdue legs with it
    page = client.get("/bao-cao/", {"from": "16/11/2026", "to": "19/11/2026"})
    assert [leg.service for leg in page.context["overdue"]] == ["residence_registration"]
    assert client.get("/bao-cao/", {"from": "16/11/2026", "to": "20/11/2026"}).context["overdue"] == []


def test_a_leg_waiting_for_the_citizen_is_not_overdue(client, viewer, quang_tri):
    """The residence leg (due Wednesday 18/11 17:00) asks the citizen for a
    supplement on Thursday 19/11 at 9:00: overdue at the end of Wednesday,
    not from the moment it waits for the citizen."""
    d = f.dossier_make(at=f.vn(D, 8), unit_code="18859", services=BIRTH_RESIDENCE)
    f.leg_to(f.leg_of(d, "birth_registration"), "completed", at=f.vn(D, 9))
    f.leg_to(f.leg_of(d, "residence_registration"), "awaiting_supplement", at=f.vn(D + timedelta(days=3), 9))
    client.force_login(viewer)
    assert _kpis(client, D, D + timedelta(days=2))["overdue"] == 1
    assert _kpis(client, D, D + timedelta(days=3))["overdue"] == 0
    page = client.get("/bao-cao/", {"from": "16/11/2026", "to": "19/11/2026"})
    assert page.context["overdue"] == []
    assert [r["overdue"] for r in page.context["ranking"] if r["unit"] == "18859"] == [0]


@pytest.mark.parametrize(("url", "params", "message"), [
    ("/bao-cao/", {"from": "31/02/2026"}, "“Từ ngày”: ngày không hợp lệ; dùng dạng dd/mm/yyyy."),
    ("/bao-cao/", {"to": "hôm qua"}, "“Đến ngày”: ngày không hợp lệ; dùng dạng dd/mm/yyyy."),
    ("/bao-cao/tong-hop/", {"date": "32/11/2026"}, "“Ngày trong kỳ”: ngày không hợp lệ; dùng dạng dd/mm/yyyy."),
])
def test_an_invalid_date_is_the_pages_error(client, viewer, late_residence, url, params, message):
    client.force_login(viewer)
    page = client.get(url, params)
    html = page.content.decode()
    assert page.status_code == 400 and message in html
    # no figures of another period in place of the one asked for
    assert 'class="kpis"' not in html and "Hạng</th>" not in html
    assert f'value="{next(iter(params.values()))}"' in html  # what was typed, to correct


def test_same_named_communes_show_their_province(client):
    """Xã Tân Thành is a commune of Quảng Trị (18919) and of Đồng Tháp
    (29938), among others."""
    for code in ("18919", "29938"):
        d = f.dossier_make(at=f.vn(D, 8), unit_code=code, services=BIRTH_RESIDENCE)
        f.leg_to(f.leg_of(d, "birth_registration"), "completed", at=f.vn(D, 9))
        f.leg_to(f.leg_of(d, "residence_registration"), "in_progress", at=f.vn(D, 10))
    client.force_login(UserFactory(username="figures-admin", role=Role.ADMIN, is_staff=True, is_superuser=True))
    for province, name in (("44", "Xã Tân Thành, Tỉnh Quảng Trị"), ("82", "Xã Tân Thành, Tỉnh Đồng Tháp")):
        page = client.get("/bao-cao/", {"province": province, "from": "16/11/2026", "to": "19/11/2026"})
        html = page.content.decode()
        assert [r["name"] for r in page.context["ranking"] if r["received"]] == [name]
        assert html.count(name) == 2  # the ranking row and the overdue leg's commune
