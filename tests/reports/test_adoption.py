"""Adoption rate (docs/api.md /api/v1/reports/adoption/) against figures worked
out by hand for legacy Quảng Trị (45), 20/07/2023–16/10/2023."""
from __future__ import annotations

from datetime import date

import pytest

from agencies.models import AdminUnit, Role
from reports.models import OutsideCount
from tests import factories as f
from tests.factories import UserFactory
from tests.helpers import wait_for

pytestmark = pytest.mark.django_db
BIRTH = ["birth_registration", "residence_registration", "health_insurance_card"]
BIRTH_CARD = ["birth_registration", "health_insurance_card"]
DEATH = ["death_registration", "residence_removal"]
URL = "/api/v1/reports/adoption/"
PERIOD = {"from": "2023-07-20", "to": "2023-10-16"}


def outside(code: str, day: str, procedure: str, count: int, level: str = AdminUnit.Level.COMMUNE) -> None:
    OutsideCount.objects.create(unit=f.legacy(code, level), date=date.fromisoformat(day), procedure=procedure,
                                count=count)


@pytest.fixture
def fixture_province():
    d = date(2023, 8, 1)
    # Triệu Phong (469), at Thị trấn Ái Tử: 3 linked births, one birth without
    # residence (not counted), one linked death; the police add 5 and 2.
    for _ in range(3):
        f.dossier_make(at=f.vn(d), unit_code="19624", services=BIRTH)
    f.dossier_make(at=f.vn(d), unit_code="19624", services=BIRTH_CARD)
    f.dossier_make("death", at=f.vn(d), unit_code="19624", services=DEATH)
    outside("19624", "2023-08-01", "residence_registration", 5)
    outside("19624", "2023-08-02", "residence_removal", 2)
    # Đông Hà (461): one linked birth 10 minutes into the first day (still
    # 19/7 in UTC); 10 outside, reported for the district as a whole.
    f.dossier_make(at=f.vn(date(2023, 7, 20), 0, 10), unit_code="19330", services=BIRTH)
    outside("461", "2023-07-20", "residence_registration", 10, AdminUnit.Level.DISTRICT)
    # Vĩnh Linh (464): 2 linked births, 4 removals outside only.
    f.dossier_make(at=f.vn(d), unit_code="19363", services=BIRTH)
    f.dossier_make(at=f.vn(d), unit_code="19363", services=["birth_registration", "residence_registration"])
    outside("19366", "2023-09-01", "residence_removal", 4)
    # Gio Linh (466): 1 linked + 15 outside = 6.25 % → 6.3 (half up).
    f.dossier_make(at=f.vn(d), unit_code="19495", services=BIRTH)
    outside("19496", "2023-09-01", "residence_registration", 15)
    # Outside the period or the province: not counted.
    f.dossier_make(at=f.vn(date(2023, 10, 17), 0, 30), unit_code="19624", services=BIRTH)
    f.dossier_make(at=f.vn(date(2023, 7, 19), 23, 50), unit_code="19624", services=BIRTH)
    outside("19624", "2023-10-17", "residence_registration", 99)
    f.dossier_make(at=f.vn(d), unit_code="18859", services=BIRTH)  # legacy Quảng Bình, same current province


@pytest.fixture
def api(client, viewer):
    client.force_login(viewer)
    return client


def test_adoption_by_legacy_district_matches_hand_figures(api, fixture_province):
    body = api.get(URL, {"province": "45", **PERIOD, "group_by": "district"}).json()
    rows = {r["unit"]: r for r in body["rows"]}
    assert rows["469"] == {"unit": "469", "name": "Huyện Triệu Phong", "birth_total": 8, "birth_linked": 3,
                           "birth_rate": 37.5, "death_total": 3, "death_linked": 1, "death_rate": 33.3}
    assert (rows["461"]["birth_total"], rows["461"]["birth_linked"], rows["461"]["birth_rate"]) == (11, 1, 9.1)
    assert rows["461"]["death_rate"] is None
    assert (rows["464"]["birth_rate"], rows["464"]["death_total"], rows["464"]["death_rate"]) == (100.0, 4, 0.0)
    assert (rows["466"]["birth_total"], rows["466"]["birth_rate"]) == (16, 6.3)
    assert body["total"] == {"birth_total": 37, "birth_linked": 7, "birth_rate": 18.9,
                             "death_total": 7, "death_linked": 1, "death_rate": 14.3}


def test_rows_sorted_by_birth_rate_with_empty_units_last(api, fixture_province):
    body = api.get(URL, {"province": "45", **PERIOD}).json()  # group_by defaults to district
    # ties (the empty units) in Vietnamese alphabetical order of their short
    # names: Cam Lộ, Cồn Cỏ, Đa Krông, Hải Lăng, Hướng Hóa, Quảng Trị
    assert [r["unit"] for r in body["rows"]] == ["464", "469", "461", "466",
                                                  "468", "471", "467", "470", "465", "462"]
    empty = body["rows"][-1]
    assert empty == {"unit": "462", "name": "Thị xã Quảng Trị", "birth_total": 0, "birth_linked": 0, "birth_rate": None,
                     "death_total": 0, "death_linked": 0, "death_rate": None}


def test_current_province_by_commune_keeps_district_counts_as_their_own_row(api, fixture_province):
    # "44" in 2023 means legacy Quảng Bình unless the map is named
    legacy_qb = api.get(URL, {"province": "44", **PERIOD, "group_by": "commune"}).json()
    assert legacy_qb["total"]["birth_linked"] == 1
    body = api.get(URL, {"province": "44", "map": "current", **PERIOD, "group_by": "commune"}).json()
    rows = {r["unit"]: r for r in body["rows"]}
    # Thị trấn Ái Tử (19624) became Xã Triệu Phong (19624).
    assert rows["19624"]["name"] == "Xã Triệu Phong"
    assert (rows["19624"]["birth_total"], rows["19624"]["birth_linked"]) == (8, 3)
    assert (rows["461"]["birth_total"], rows["461"]["birth_linked"], rows["461"]["birth_rate"]) == (10, 0, 0.0)
    # legacy Quảng Bình's dossier belongs to the current province
    assert body["total"]["birth_linked"] == 8 and body["total"]["birth_total"] == 38
    assert sum(r["birth_total"] for r in body["rows"]) == body["total"]["birth_total"]
    rates = [r["birth_rate"] for r in body["rows"]]
    filled = [x for x in rates if x is not None]
    assert filled == sorted(filled, reverse=True) and rates[: len(filled)] == filled


def test_current_map_dossier_rolls_up_to_its_predecessors_district(api):
    # Phường Đồng Thuận (18859, current) kept the code of its legacy
    # predecessor in Thành phố Đồng Hới (450).
    f.dossier_make(at=f.vn(date(2025, 9, 1)), unit_code="18859", services=BIRTH)
    body = api.get(URL, {"province": "44", "from": "2025-08-01", "to": "2025-09-30", "group_by": "district"}).json()
    rows = {r["unit"]: r for r in body["rows"]}
    assert (rows["450"]["birth_linked"], rows["450"]["birth_rate"]) == (1, 100.0)
    assert body["rows"][0]["unit"] == "450"


def test_outside_count_repost_replaces_and_moves_the_rate(client, fixture_province):
    police = UserFactory(username="ca_qt", role=Role.OFFICER, agency="police",
                         unit=AdminUnit.objects.get(map="current", level="province", code="44"))
    client.force_login(police)
    payload = {"unit": "19624", "date": "2023-08-01", "procedure": "residence_registration", "count": 12}
    first = client.post("/api/v1/outside-counts/", payload, content_type="application/json")
    assert first.status_code == 201, first.content
    assert first.json() == payload
    again = client.post("/api/v1/outside-counts/", {**payload, "count": 1}, content_type="application/json")
    assert again.status_code == 201
    assert OutsideCount.objects.filter(unit__code="19624", procedure="residence_registration",
                                       date=date(2023, 8, 1)).values_list("count", flat=True).get() == 1
    body = client.get(URL, {"province": "45", **PERIOD}).json()
    row = next(r for r in body["rows"] if r["unit"] == "469")
    assert (row["birth_total"], row["birth_rate"]) == (4, 75.0)


def test_outside_counts_refused_outside_province_or_role(client, fixture_province):
    police = UserFactory(username="ca_hn", role=Role.OFFICER, agency="police",
                         unit=AdminUnit.objects.get(map="current", level="province", code="01"))
    client.force_login(police)
    payload = {"unit": "19624", "date": "2023-08-01", "procedure": "residence_registration", "count": 3}
    resp = client.post("/api/v1/outside-counts/", payload, content_type="application/json")
    assert resp.status_code == 400
    assert resp.json()["unit"] == ["Đơn vị không thuộc tỉnh/thành phố bạn phụ trách."]
    bad = client.post("/api/v1/outside-counts/", {**payload, "procedure": "birth", "count": -1},
                      content_type="application/json")
    assert bad.status_code == 400 and {"procedure", "count"} <= set(bad.json())
    clerk = UserFactory(username="justice_qt", role=Role.OFFICER, agency="justice",
                        unit=AdminUnit.objects.get(map="current", level="province", code="44"))
    client.force_login(clerk)
    assert client.post("/api/v1/outside-counts/", payload, content_type="application/json").status_code == 403
    assert OutsideCount.objects.filter(count=3).count() == 0


def test_viewer_of_another_province_gets_404(client, other_viewer, fixture_province):
    client.force_login(other_viewer)
    assert client.get(URL, {"province": "45", **PERIOD}).status_code == 404
    assert client.get("/bao-cao/ty-le-lien-thong/", {"province": "44", **PERIOD}).status_code == 404
    assert client.get("/bao-cao/", {"province": "44"}).status_code == 404


def test_bad_parameters_are_400_with_field_keys(api):
    resp = api.get(URL, {"province": "44", "from": "2023-13-01", "to": "2023-01-01", "group_by": "ward"})
    assert resp.status_code == 400 and {"from", "group_by"} <= set(resp.json())


def test_adoption_page_and_exports(api, fixture_province):
    html = api.get("/bao-cao/ty-le-lien-thong/", {"province": "45", **PERIOD}).content.decode()
    assert "STT" in html and "Huyện Triệu Phong" in html and "37,5" in html
    xlsx = api.get("/bao-cao/ty-le-lien-thong/", {"province": "45", **PERIOD, "format": "xlsx"})
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    from io import BytesIO

    from openpyxl import load_workbook

    ws = load_workbook(BytesIO(xlsx.content)).active
    values = [[c.value for c in row] for row in ws.iter_rows(min_row=5)]
    assert values[0][:5] == [1, "Huyện Vĩnh Linh", 2, 2, 100.0]
    assert values[-1][1] == "Tổng cộng" and values[-1][2:5] == [37, 7, 18.9]


def test_adoption_pdf_is_rendered_by_the_reports_worker(transactional_db, celery_worker_process,
                                                        tasks_to_test_worker, api, fixture_province):
    """The request only queues the rendering (reports lane) and comes back to
    a page that polls; the worker's file is offered when it is there."""
    asked = api.get("/bao-cao/ty-le-lien-thong/", {"province": "45", **PERIOD, "format": "pdf"})
    assert asked.status_code == 302 and "job=" in asked["Location"]
    waiting = api.get(asked["Location"], HTTP_HX_REQUEST="true")
    assert waiting.status_code == 200 and 'id="pdf-link"' in waiting.content.decode()
    wait_for(lambda: " download>" in api.get(asked["Location"], HTTP_HX_REQUEST="true").content.decode(),
             timeout=60)
    pdf = api.get(asked["Location"])
    content = b"".join(pdf.streaming_content)
    assert pdf.status_code == 200 and content[:4] == b"%PDF"
    assert "reports.tasks.render_report_pdf" in celery_worker_process.log_path.read_text()
    from io import BytesIO

    from pypdf import PdfReader

    text = " ".join(PdfReader(BytesIO(content)).pages[0].extract_text().split())
    assert "Huyện Triệu Phong" in text and "Tổng cộng 37 7 18,9 7 1 14,3" in text
    # Another province's viewer gets nothing, even with the job token.
    api.force_login(UserFactory(username="viewer_hn_pdf", role=Role.PROVINCIAL_VIEWER,
                                unit=AdminUnit.objects.get(map=AdminUnit.Map.CURRENT, code="01",
                                                           level=AdminUnit.Level.PROVINCE)))
    assert api.get(asked["Location"]).status_code == 404


def test_outside_counts_garbage_is_400_and_writes_nothing(client):
    admin = UserFactory(username="qt_admin", role=Role.ADMIN)
    client.force_login(admin)
    for body in ([1, 2], {"unit": "19624", "date": "2023-08-01", "procedure": "residence_removal",
                          "count": 2**40}, {"unit": None, "date": 5, "procedure": [], "count": True}):
        resp = client.post("/api/v1/outside-counts/", body, content_type="application/json")
        assert resp.status_code == 400, (body, resp.content)
    form = client.post("/api/v1/outside-counts/", {"unit": "19624", "date": "2023-08-01",
                                                   "procedure": "residence_removal", "count": "7"})
    assert form.status_code == 201 and form.json()["count"] == 7
    assert OutsideCount.objects.count() == 1
