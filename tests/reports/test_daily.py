"""Daily report (docs/domain.md §8) for current Quảng Trị (44) on Friday
20/11/2026, against figures worked out by hand."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from reports import selectors, services
from reports.models import DailyReport, DifficultyReport, ReportRecipient, ReportSettings
from reports.tasks import build_daily_report, send_daily_report
from tests import factories as f

pytestmark = pytest.mark.django_db
D = date(2026, 11, 20)
BIRTH = ["birth_registration", "residence_registration", "health_insurance_card"]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def day_activity(quang_tri):
    """Due times are the engine's: a birth by 17:00 of its receiving day (0
    working days), residence and card 2 working days after the birth's
    result, a Sunday filing received on Monday."""
    x, y = f.current("19624"), f.current("18859")  # Xã Triệu Phong, Phường Đồng Thuận
    ReportSettings.objects.create(province=quang_tri, cumulative_from=date(2026, 11, 1))
    # Friday D, Triệu Phong, online: birth registered at 10:00 (on time); the
    # residence accepted and the card pending, both due Tuesday 24/11.
    d1 = f.dossier_make(at=f.vn(D, 9), unit_code="19624", services=BIRTH)
    f.leg_to(f.leg_of(d1, "birth_registration"), "completed", at=f.vn(D, 10))
    f.leg_to(f.leg_of(d1, "residence_registration"), "in_progress", at=f.vn(D, 10, 30))
    # Friday D, Triệu Phong, at the counter: the death refused at 15:00, the
    # (automatic) residence removal cancelled with it.
    d2 = f.dossier_make("death", at=f.vn(D, 14), unit_code="19624", channel="one_stop",
                        services=["death_registration", "residence_removal"])
    f.leg_to(f.leg_of(d2, "death_registration"), "rejected", at=f.vn(D, 15))
    # Sunday D − 5, Đồng Thuận: birth registered at 11:00 (due Monday 17:00);
    # residence due Wednesday D − 2 17:00, still open: overdue at the end of
    # D; the card waits for a supplement asked on Thursday D − 1.
    d3 = f.dossier_make(at=f.vn(D - timedelta(5), 9), unit_code="18859", services=BIRTH)
    f.leg_to(f.leg_of(d3, "birth_registration"), "completed", at=f.vn(D - timedelta(5), 11))
    overdue = f.leg_to(f.leg_of(d3, "residence_registration"), "in_progress", at=f.vn(D - timedelta(5), 12))
    f.leg_to(f.leg_of(d3, "health_insurance_card"), "awaiting_supplement", at=f.vn(D - timedelta(1), 10))
    # Tuesday D − 3, Đồng Thuận, at the counter: birth at 10:00 (on time), the
    # card due Thursday D − 1 17:00, issued on D at 11:00 (late).
    d4 = f.dossier_make(at=f.vn(D - timedelta(3), 9), unit_code="18859", channel="one_stop",
                        services=["birth_registration", "health_insurance_card"])
    f.leg_to(f.leg_of(d4, "birth_registration"), "completed", at=f.vn(D - timedelta(3), 10))
    f.leg_to(f.leg_of(d4, "health_insurance_card"), "completed", at=f.vn(D, 11))
    f.dossier_make(at=f.vn(D + timedelta(1), 9), unit_code="19624", services=BIRTH)  # the next day: not in the report
    d6 = f.dossier_make(at=f.vn(D, 9), unit_code="00004", services=BIRTH)  # Hà Nội: another province
    f.leg_to(f.leg_of(d6, "birth_registration"), "completed", at=f.vn(D, 9, 30))
    DifficultyReport.objects.create(unit=x, service="residence_registration", agency="police",
                                    description="Mất kết nối phần mềm cư trú", since=D - timedelta(2))
    DifficultyReport.objects.create(unit=x, description="Đã xử lý", since=D - timedelta(9),
                                    closed_at=timezone.now())
    DifficultyReport.objects.create(unit=y, description="Phát sinh sau", since=D + timedelta(1))
    return {"overdue_leg": overdue, "x": x}


def counts(row: dict) -> tuple:
    return tuple(row[k] for k in ("received_online", "received_one_stop", "received", "completed", "on_time",
                                  "overdue", "rejected", "awaiting_supplement"))


def test_daily_figures_match_hand_count(quang_tri, day_activity):
    data = selectors.daily_report_data(quang_tri, D)
    assert counts(data["total"]) == (3, 2, 5, 2, 1, 1, 1, 1)
    by_service = {(s["service"], s["agency"]): counts(s) for s in data["services"]}
    assert by_service == {
        ("birth_registration", "justice"): (1, 0, 1, 1, 1, 0, 0, 0),
        ("residence_registration", "police"): (1, 0, 1, 0, 0, 1, 0, 0),
        ("health_insurance_card", "social_insurance"): (1, 0, 1, 1, 0, 0, 0, 1),
        ("death_registration", "justice"): (0, 1, 1, 0, 0, 0, 1, 0),
        ("residence_removal", "police"): (0, 1, 1, 0, 0, 0, 0, 0),
    }
    assert [s["service"] for s in data["services"]] == ["birth_registration", "residence_registration",
                                                         "health_insurance_card", "death_registration",
                                                         "residence_removal"]
    units = {u["unit"]: counts(u["total"]) for u in data["units"]}
    assert units == {"19624": (3, 2, 5, 1, 1, 0, 1, 0), "18859": (0, 0, 0, 1, 0, 1, 0, 1)}
    assert data["cumulative_from"] == "2026-11-01"
    cum = data["cumulative"]["total"]
    assert (cum["received"], cum["completed"], cum["on_time"], cum["rejected"]) == (10, 4, 3, 1)
    assert [d["description"] for d in data["difficulties"]] == ["Mất kết nối phần mềm cư trú"]


def test_snapshot_is_unchanged_by_later_activity(client, viewer, quang_tri, day_activity):
    client.force_login(viewer)
    on_demand = client.get("/api/v1/reports/daily/", {"date": D.isoformat(), "province": "44"}).json()
    assert on_demand["snapshot"] is False
    report = services.daily_report_create(province=quang_tri, day=D)
    stored = {k: v for k, v in report.data.items() if k != "generated_at"}
    # nothing changed since: on demand and snapshot agree
    assert {k: v for k, v in on_demand.items() if k != "snapshot"} == stored
    # later: a correction closes the overdue leg on the day, a late import adds a dossier
    f.leg_to(day_activity["overdue_leg"], "completed", at=f.vn(D, 16))
    late = f.dossier_make(at=f.vn(D, 11), unit_code="19624", services=BIRTH)
    f.leg_to(f.leg_of(late, "birth_registration"), "completed", at=f.vn(D, 12))
    rebuilt = selectors.daily_report_data(quang_tri, D)
    assert counts(rebuilt["total"]) != counts(stored["total"])
    body = client.get("/api/v1/reports/daily/", {"date": D.isoformat(), "province": "44"}).json()
    assert body["snapshot"] is True and counts(body["total"]) == (3, 2, 5, 2, 1, 1, 1, 1)
    again = services.daily_report_create(province=quang_tri, day=D)
    assert again.pk == report.pk and DailyReport.objects.get(pk=report.pk).data == report.data


def test_beat_task_builds_for_active_provinces_and_emails_recipients(quang_tri, day_activity,
                                                                    django_capture_on_commit_callbacks):
    ReportRecipient.objects.create(province=quang_tri, email="vp.ubnd@quangtri.gov.vn", name="Văn phòng UBND")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        ids = build_daily_report.apply(args=[D.isoformat()]).get()
    provinces = set(DailyReport.objects.filter(pk__in=ids).values_list("province__code", flat=True))
    assert provinces == {"44", "01"} and len(callbacks) == 2
    qt = DailyReport.objects.get(province=quang_tri, date=D)
    assert qt.pdf.name.endswith(".pdf") and qt.xlsx.name.endswith(".xlsx")
    assert send_daily_report.apply(args=[qt.pk]).get() == 1
    assert send_daily_report.apply(args=[qt.pk]).get() == 0  # sent once only
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["vp.ubnd@quangtri.gov.vn"] and "20/11/2026" in message.subject
    assert sorted(a[0].rsplit(".", 1)[1] for a in message.attachments) == ["pdf", "xlsx"]
    assert build_daily_report.apply(args=[D.isoformat()]).get() == ids  # a second run changes nothing


def test_daily_pages_and_exports(client, viewer, other_viewer, quang_tri, day_activity):
    report = services.daily_report_create(province=quang_tri, day=D)
    client.force_login(viewer)
    listing = client.get("/bao-cao/ngay/").content.decode()
    assert "20/11/2026" in listing
    html = client.get(f"/bao-cao/ngay/{report.pk}/").content.decode()
    assert "Xã Triệu Phong" in html and "Mất kết nối phần mềm cư trú" in html
    pdf = client.get(f"/bao-cao/ngay/{report.pk}/tai/pdf/")
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content)[:4] == b"%PDF"
    preview = client.get("/bao-cao/ngay/xem/", {"date": (D - timedelta(1)).isoformat()})
    assert preview.status_code == 200 and "Chưa có bản chốt" in preview.content.decode()
    client.force_login(other_viewer)
    assert client.get(f"/bao-cao/ngay/{report.pk}/").status_code == 404
    assert client.get(f"/bao-cao/ngay/{report.pk}/tai/xlsx/").status_code == 404
    assert client.get("/api/v1/reports/daily/", {"date": D.isoformat(), "province": "44"}).status_code == 404
