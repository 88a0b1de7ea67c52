"""Dashboard figures: processing-time percentiles in SQL, KPIs, ranking."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from agencies.models import AdminUnit
from reports import selectors
from tests import factories as f

pytestmark = pytest.mark.django_db
D = date(2026, 11, 16)


@pytest.fixture
def week(quang_tri):
    """Monday D: four birth + card dossiers filed at 8:00, the birth registered
    1, 2, 3 and 10 hours later (due at 17:00 the same day, the rule's 0 working
    days: the tenth hour is late), the cards issued on Tuesday morning (due
    Wednesday 17:00). Friday D − 3: a birth + residence dossier, the birth
    registered at 9:00 (on time), the residence accepted and never finished:
    due Tuesday 17/11 17:00 (2 working days from Friday), overdue now."""
    for hours, code in ((1, "19624"), (2, "19624"), (3, "18859"), (10, "18859")):
        d = f.dossier_make(at=f.vn(D, 8), unit_code=code, services=["birth_registration", "health_insurance_card"])
        f.leg_to(f.leg_of(d, "birth_registration"), "completed", at=f.vn(D, 8 + hours))
        f.leg_to(f.leg_of(d, "health_insurance_card"), "completed", at=f.vn(D + timedelta(days=1), 9))
    late = f.dossier_make(at=f.vn(D - timedelta(days=3), 8), unit_code="18859",
                          services=["birth_registration", "residence_registration"])
    f.leg_to(f.leg_of(late, "birth_registration"), "completed", at=f.vn(D - timedelta(days=3), 9))
    f.leg_to(f.leg_of(late, "residence_registration"), "in_progress", at=f.vn(D - timedelta(days=3), 10))
    return quang_tri


def test_processing_time_median_and_p90(week):
    times = selectors.processing_times(week, D, D)
    assert len(times) == 1
    t = times[0]
    # durations 1, 2, 3, 10 h: median 2.5; p90 = 3 + 0.7 × (10 − 3) = 7.9
    assert (t["agency"], t["service"], t["n"], t["median"], t["p90"]) == ("justice", "birth_registration", 4, 2.5, 7.9)


def test_kpis_and_commune_ranking(week):
    k = selectors.dashboard_kpis(week, D - timedelta(days=6), D)
    # legs finished 10–16/11: the four births of D (one late) and the late
    # dossier's birth on Friday (on time); the cards came on Tuesday 17/11,
    # so at the end of 16/11 all five dossiers were still in progress
    assert (k["received"], k["completed"], k["in_progress"], k["legs_completed"], k["on_time"]) == (5, 0, 5, 5, 4)
    # the late residence leg is due Tuesday 17/11 17:00: not yet overdue at
    # the end of 16/11, overdue at the end of the week (the ranking below)
    assert k["on_time_rate"] == 80.0 and k["overdue"] == 0
    rows = selectors.commune_summary(week, *selectors.week_bounds(D))
    top = [(r["rank"], r["unit"], r["on_time_rate"]) for r in rows[:2]]
    # week 16–22/11: Triệu Phong 2 births + 2 cards on time; Đồng Thuận 1 of
    # its 2 births and both cards on time: 3 of 4
    assert top == [(1, "19624", 100.0), (2, "18859", 75.0)]
    assert rows[1]["overdue"] == 1 and rows[-1]["rank"] is None


def test_drill_down_into_a_district_and_scope(client, viewer, other_viewer, week):
    client.force_login(viewer)
    dong_hoi = AdminUnit.objects.get(map="legacy", level="district", code="450")
    page = client.get("/bao-cao/", {"unit": dong_hoi.pk, "from": "10/11/2026", "to": "16/11/2026"})
    html = page.content.decode()
    assert page.status_code == 200 and "Thành Phố Đồng Hới" in html and "Phường Đồng Thuận" in html
    assert "Xã Triệu Phong" not in html  # another district
    hanoi_district = AdminUnit.objects.get(map="legacy", level="district", code="001")
    assert client.get("/bao-cao/", {"unit": hanoi_district.pk}).status_code == 404
    assert client.get("/bao-cao/tong-hop/", {"period": "month", "date": "16/11/2026"}).status_code == 200
    client.force_login(other_viewer)
    assert client.get("/bao-cao/tong-hop/", {"province": "44"}).status_code == 404


def test_drill_down_to_a_commune(client, viewer, week):
    client.force_login(viewer)
    commune = AdminUnit.objects.get(map="current", level="commune", code="18859")
    html = client.get("/bao-cao/", {"unit": commune.pk, "from": "10/11/2026", "to": "16/11/2026"}).content.decode()
    assert "Bảng điều khiển · Tỉnh Quảng Trị · Phường Đồng Thuận" in html
    assert "Thành Phố Đồng Hới" in html  # the way back up to its legacy district
