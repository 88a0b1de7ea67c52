"""Retention (docs/domain.md §10): closed dossiers lose their attachments after
`retention.attachments_years` and their personal details after
`retention.personal_data_years`; the reports' figures stay what they were."""
from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from agencies.models import AdminUnit
from dossiers import documents, rules, services
from dossiers.models import (
    Attachment,
    Document,
    Dossier,
    DossierStatus,
    Leg,
    Notification,
    PersonalDataLog,
    Transition,
)
from dossiers.services.retention import years_before
from reports import selectors
from tests import factories as f

pytestmark = pytest.mark.django_db
D = date(2026, 11, 20)
BIRTH = ["birth_registration", "residence_registration", "health_insurance_card"]
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def quang_tri():
    return AdminUnit.objects.get(map=AdminUnit.Map.CURRENT, level=AdminUnit.Level.PROVINCE, code="44")


def _paper(name: str = "giay-chung-sinh.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, "application/pdf")


@pytest.fixture
def closed_and_open():
    """A completed birth with an attachment and its e-birth certificate, a
    refused death at the counter, and a birth still open."""
    born = f.dossier_make(at=f.vn(D, 9), unit_code="19624", services=BIRTH, files=(_paper(),))
    f.leg_to(f.leg_of(born, "birth_registration"), "completed", at=f.vn(D, 10))
    f.leg_to(f.leg_of(born, "residence_registration"), "completed", at=f.vn(D, 11))
    f.leg_to(f.leg_of(born, "health_insurance_card"), "completed", at=f.vn(D, 12))
    with f.clock(f.vn(D, 13)):
        documents.document_issue(dossier_id=born.pk, kind=Document.Kind.BIRTH_CERTIFICATE)
    died = f.dossier_make("death", at=f.vn(D, 14), unit_code="19624", channel="one_stop",
                          services=["death_registration", "residence_removal"], files=(_paper("bao-tu.pdf"),))
    f.leg_to(f.leg_of(died, "death_registration"), "rejected", at=f.vn(D, 15))
    still_open = f.dossier_make(at=f.vn(D, 9, 30), unit_code="18859", services=BIRTH, files=(_paper(),))
    f.leg_to(f.leg_of(still_open, "birth_registration"), "completed", at=f.vn(D, 10, 30))
    for d in (born, died, still_open):
        d.refresh_from_db()
    assert born.status == DossierStatus.COMPLETED and died.status == DossierStatus.REJECTED
    assert still_open.closed_at is None
    return born, died, still_open


def _figures(province: AdminUnit) -> dict:
    adoption = selectors.adoption_report(selectors.AdoptionQuery(
        province=province, first=D - timedelta(days=30), last=D + timedelta(days=1), group_by="commune"))
    days = {day.isoformat(): selectors.daily_report_data(province, day) for day in (D, D + timedelta(days=1))}
    return {"adoption": adoption, "daily": days}


def _files(media: Path) -> set[str]:
    return {str(p.relative_to(media)) for p in media.rglob("*") if p.is_file()}


def _after(years: int):
    """An instant `years` (plus a day) after the closings of D."""
    return years_before(f.vn(D + timedelta(days=1), 12), -years)


def test_the_periods_are_rule_rows_marked_unconfirmed():
    for key, years in (("retention.attachments_years", 5), ("retention.personal_data_years", 20)):
        row = rules.rule(key, D)
        assert row.value == years and row.unconfirmed and "Luật Bảo vệ dữ liệu cá nhân 2025" in row.citation
        assert "13/2023/NĐ-CP" in rules.rule(key, date(2025, 6, 1)).citation


def test_attachments_go_first_then_personal_details_and_the_reports_still_add_up(closed_and_open, quang_tri,
                                                                                   media):
    born, died, still_open = closed_and_open
    before = _figures(quang_tri)
    assert before["daily"][D.isoformat()]["total"]["received"] > 0  # there is something to keep
    files_before = _files(media)
    certificate = Document.objects.get(dossier=born, kind=Document.Kind.BIRTH_CERTIFICATE)
    assert certificate.file.name in files_before

    # Not yet five years: nothing happens.
    assert services.dossiers_purge(now=_after(4)) == {"attachments": 0, "personal": 0}
    assert _files(media) == files_before

    # Five years: the closed dossiers' attachment files and rows go; names stay.
    assert services.dossiers_purge(now=_after(5)) == {"attachments": 2, "personal": 0}
    assert set(Attachment.objects.values_list("dossier_id", flat=True)) == {still_open.pk}
    remaining = _files(media)
    assert remaining == {a.file.name for a in Attachment.objects.all()} | {certificate.file.name}
    born.refresh_from_db()
    assert born.subject_name == "Trần Minh Khang"

    # Twenty years: every personal field of the closed dossiers is blank.
    assert services.dossiers_purge(now=_after(20)) == {"attachments": 0, "personal": 2}
    for d in (born, died):
        d.refresh_from_db()
        assert (d.applicant, d.subject, d.applicant_name, d.subject_name, d.subject_personal_id,
                d.applicant_phone, d.applicant_email, d.submitted_by_id) == ({}, {}, "", "", "", "", "", None)
        assert d.search_text == d.code.lower()
        assert not Leg.objects.filter(dossier=d, result__isnull=False).exists()
        assert not Transition.objects.filter(dossier=d).exclude(reason="").exists()
        assert not Notification.objects.filter(dossier=d).exclude(recipient="").exists()
    certificate.refresh_from_db()
    assert not certificate.file and certificate.summary == {}
    assert _files(media) == {a.file.name for a in Attachment.objects.all()}
    # The open dossier keeps everything; the figures are the same.
    still_open.refresh_from_db()
    assert still_open.subject_name == "Trần Minh Khang" and still_open.attachments.count() == 1
    assert Dossier.objects.filter(pk=born.pk, status=DossierStatus.COMPLETED, closed_at=born.closed_at).exists()
    assert _figures(quang_tri) == before

    # Logged once per purge that did something.
    logged = list(PersonalDataLog.objects.order_by("at", "pk").values_list("action", "dossier_count", "user"))
    assert logged == [("purge_attachments", 2, None), ("purge_personal", 2, None)]


def test_the_purge_is_idempotent(closed_and_open, quang_tri):
    before = _figures(quang_tri)
    assert services.dossiers_purge(now=_after(21)) == {"attachments": 0, "personal": 2}
    once = list(Dossier.objects.order_by("pk").values())
    logged = PersonalDataLog.objects.count()
    assert services.dossiers_purge(now=_after(22)) == {"attachments": 0, "personal": 0}
    assert list(Dossier.objects.order_by("pk").values()) == once
    assert PersonalDataLog.objects.count() == logged
    assert _figures(quang_tri) == before


def test_the_beat_task_runs_the_purge(closed_and_open, settings):
    from dossiers.tasks import purge_expired_personal_data

    assert {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()} >= {
        "dossiers.tasks.purge_expired_personal_data"}

    # Today nothing is old enough: the task changes nothing.
    assert purge_expired_personal_data.apply().get() == {"attachments": 0, "personal": 0}
