"""CSV upload of outside counts: preview with row errors, all or nothing."""
from __future__ import annotations

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from agencies.models import AdminUnit, Role
from lienthong.errors import DomainError
from reports import services
from reports.models import OutsideCount
from tests import factories as f
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PAGE = "/bao-cao/so-lieu-ngoai-lien-thong/"


@pytest.fixture
def police(quang_tri):
    return UserFactory(username="ca_tinh_qt", role=Role.OFFICER, agency="police", unit=quang_tri)


GOOD = ("unit,date,procedure,count\n"
        "19624,2023-08-01,residence_registration,12\n"
        "461,2023-08-01,residence_removal,3\n"
        "19624,2025-08-01,residence_registration,4\n")


def test_a_file_with_one_bad_row_imports_nothing(client, police):
    OutsideCount.objects.create(unit=f.legacy("19624"), date=date(2023, 8, 1),
                                procedure="residence_registration", count=1)
    bad = GOOD + "00004,2023-08-01,residence_registration,5\n19624,2023-08-02,birth,x\n"
    client.force_login(police)
    resp = client.post(PAGE, {"file": SimpleUploadedFile("so-lieu.csv", bad.encode(), "text/csv")})
    html = resp.content.decode()
    assert resp.status_code == 200 and "Thay số cũ 1" in html
    assert "Đơn vị không thuộc tỉnh/thành phố bạn phụ trách." in html and "Số lượng phải là số nguyên" in html
    assert "Nhập toàn bộ số liệu" not in html
    with pytest.raises(DomainError) as exc:  # and nothing written
        services.outside_counts_import(content=bad.encode(), user=police)
    assert exc.value.errors == {"file": ["Tệp có 2 lỗi; không dòng nào được nhập."]}
    assert list(OutsideCount.objects.values_list("count", flat=True)) == [1]


def test_a_clean_file_is_previewed_then_imported_replacing_counts(client, police):
    OutsideCount.objects.create(unit=f.legacy("19624"), date=date(2023, 8, 1),
                                procedure="residence_registration", count=1)
    client.force_login(police)
    preview = client.post(PAGE, {"file": SimpleUploadedFile("so-lieu.csv", GOOD.encode(), "text/csv")})
    assert "Nhập toàn bộ số liệu" in preview.content.decode()
    assert OutsideCount.objects.count() == 1  # preview writes nothing
    done = client.post(PAGE, {"confirm": "1", "csv_text": GOOD})
    assert done.status_code == 302
    counts = dict(OutsideCount.objects.values_list("unit__code", "count").order_by("date"))
    assert OutsideCount.objects.count() == 3 and counts["19624"] == 4
    assert OutsideCount.objects.get(unit__code="19624", date=date(2023, 8, 1)).count == 12
    # the 2023 row is on the legacy map, the 2025 one on the current map
    maps = set(OutsideCount.objects.values_list("unit__map", "unit__level"))
    assert maps == {("legacy", "commune"), ("legacy", "district"), ("current", "commune")}


def test_duplicate_rows_and_missing_columns_are_reported(police):
    dup = "unit;date;procedure;count\n19624;2023-08-01;residence_registration;1\n19624;2023-08-01;residence_registration;2\n"
    preview, _ = services.outside_counts_csv_parse(dup.encode(), user=police)
    assert not preview.ok and "Trùng với dòng 2" in preview.rows[1]["errors"][0]
    preview, _ = services.outside_counts_csv_parse(b"unit,count\n19624,1\n", user=police)
    assert preview.errors and "date" in preview.errors[0]


def test_only_police_viewers_and_admins_upload(client):
    clerk = UserFactory(username="mc_qt", role=Role.ONE_STOP_CLERK, unit=AdminUnit.objects.get(
        map="current", level="commune", code="19624"))
    client.force_login(clerk)
    assert client.get(PAGE).status_code == 403


def test_a_commune_police_officer_uploads_for_the_own_province(client):
    commune = AdminUnit.objects.get(map="current", level="commune", code="19624")
    officer = UserFactory(username="ca_xa_tp", role=Role.OFFICER, agency="police", unit=commune)
    client.force_login(officer)
    page = client.get(PAGE)
    assert page.status_code == 200 and "Tỉnh Quảng Trị" in page.content.decode()
    resp = client.post("/api/v1/outside-counts/", {"unit": "19624", "date": "2025-08-01",
                                                   "procedure": "residence_removal", "count": 2},
                       content_type="application/json")
    assert resp.status_code == 201
    assert client.get("/bao-cao/").status_code == 404  # counts yes, province reports no
