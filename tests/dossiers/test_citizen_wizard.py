"""The submission wizard without a browser: drafts on the server, services
explained before submission, submission and supplement through the engine."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from citizens.models import SubmissionDraft
from dossiers import services
from dossiers.models import Dossier, LegStatus
from tests.factories import UserFactory, unit

pytestmark = pytest.mark.django_db
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde"
       b"\x00\x00\x00\x0cIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _png(name: str = "giay-chung-sinh.png"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, PNG, content_type="image/png")


def _birth_subject(**overrides) -> dict:
    born = timezone.localdate() - timedelta(days=12)
    data = {
        "full_name": "Trần  Minh Khang", "sex": "male", "date_of_birth": born.isoformat(),
        "place_of_birth": "Bệnh viện Đa khoa Đồng Tháp", "ethnicity": "Kinh", "special_case": "",
        "mother_name": "Nguyễn Thị Hoa", "mother_personal_id": "082190001234",
        "father_name": "Trần Văn Minh", "father_personal_id": "082088004321",
        "household_type": "family", "first_health_insurance_card": "yes", "relationship": "mother",
        "applicant_name": "Nguyễn Thị Hoa", "applicant_personal_id": "082190001234",
        "applicant_phone": "0912 345 678", "applicant_email": "",
    }
    data.update(overrides)
    return data


def test_birth_wizard_saves_drafts_explains_services_and_submits(client):
    citizen = UserFactory(username="hoa", full_name="Nguyễn Thị Hoa", phone="0912345678")
    client.force_login(citizen)
    start = client.get("/cong-dan/nop-ho-so/")
    draft = SubmissionDraft.objects.get(user=citizen)
    assert start["Location"] == f"/cong-dan/nop-ho-so/{draft.pk}/noi-nop/"
    base = f"/cong-dan/nop-ho-so/{draft.pk}"

    assert client.post(f"{base}/noi-nop/", {"bundle": "birth", "province": "82", "unit": "29926",
                                            "address": "Ấp 1"}).status_code == 302
    # A collective household: residence registration is explained as not offered.
    assert client.post(f"{base}/nguoi/", _birth_subject(household_type="collective")).status_code == 302
    page = client.get(f"{base}/thu-tuc/")
    verdicts = {v["service"]: v for v in page.context["verdicts"]}
    assert verdicts["birth_registration"]["offered"] and verdicts["health_insurance_card"]["offered"]
    assert not verdicts["residence_registration"]["offered"]
    assert verdicts["residence_registration"]["reason"] in page.content.decode()

    assert client.post(f"{base}/nguoi/", _birth_subject()).status_code == 302
    client.post(f"{base}/thu-tuc/", {"services": ["residence_registration", "health_insurance_card"]})
    draft.refresh_from_db()
    assert draft.data["services"] == ["birth_registration", "residence_registration", "health_insurance_card"]
    assert draft.data["subject"]["full_name"] == "Trần Minh Khang"  # NFC, spaces folded
    assert draft.data["applicant"]["phone"] == "0912345678"
    assert draft.step == "giay-to"  # resumable where it stopped

    refused = client.post(f"{base}/giay-to/", {"continue": "1"})
    assert refused.status_code == 200 and refused.context["form"].non_field_errors()
    from django.core.files.uploadedfile import SimpleUploadedFile

    # Judged by content, not by name: a text file called .jpg is refused.
    fake = SimpleUploadedFile("anh.jpg", b"just text, not a photo", content_type="image/jpeg")
    assert client.post(f"{base}/giay-to/", {"files": fake, "upload": "1"}).status_code == 200
    assert not draft.files.exists()
    client.post(f"{base}/giay-to/", {"photo": _png(), "upload": "1"})
    assert client.post(f"{base}/giay-to/", {"continue": "1"}).status_code == 302

    summary = client.get(f"{base}/xac-nhan/")
    assert summary.status_code == 200 and not summary.context["error_groups"]
    assert "Trần Minh Khang" in summary.content.decode()
    done = client.post(f"{base}/xac-nhan/", {"continue": "1"})
    dossier = Dossier.objects.get(submitted_by=citizen)
    assert done["Location"] == f"/cong-dan/ho-so/{dossier.code}/"
    assert dossier.channel == "online" and dossier.attachments.count() == 1
    assert not SubmissionDraft.objects.filter(pk=draft.pk).exists()


def test_citizen_answers_a_supplement_request_and_the_clock_resumes(client):
    from tests.dossiers.payloads import birth_payload

    citizen = UserFactory(username="hoa")
    officer = UserFactory(username="tuphap", role="officer", agency="justice",
                          unit=unit("29926"))
    dossier = services.dossier_submit(data=birth_payload(), user=citizen)
    leg = dossier.legs.get(service="birth_registration")
    services.leg_accept(leg_id=leg.pk, user=officer)
    services.leg_request_supplement(leg_id=leg.pk, user=officer, reason="Ảnh giấy chứng sinh bị mờ, chụp lại giúp.")

    client.force_login(citizen)
    page = client.get(f"/cong-dan/ho-so/{dossier.code}/")
    html = page.content.decode()
    assert "Ảnh giấy chứng sinh bị mờ, chụp lại giúp." in html
    assert "cơ quan đề nghị bổ sung" in html.lower()

    response = client.post(f"/cong-dan/ho-so/{dossier.code}/bo-sung/",
                           {"note": "Gửi lại ảnh rõ hơn", "photo": _png("chup-lai.png")})
    assert response.status_code == 302
    leg.refresh_from_db()
    assert leg.status == LegStatus.IN_PROGRESS and leg.paused_at is None
    assert dossier.attachments.filter(original_name="chup-lai.png").exists()
    timeline = client.get(f"/cong-dan/ho-so/{dossier.code}/").context["timeline"]
    assert any("tiếp tục xử lý" in e["text"] for e in timeline)


def _wizard_at_subject_step(client) -> str:
    citizen = UserFactory(username="hoa", full_name="Nguyễn Thị Hoa", phone="0912345678")
    client.force_login(citizen)
    client.get("/cong-dan/nop-ho-so/")
    base = f"/cong-dan/nop-ho-so/{SubmissionDraft.objects.get(user=citizen).pk}"
    client.post(f"{base}/noi-nop/", {"bundle": "birth", "province": "82", "unit": "29926", "address": "Ấp 1"})
    return base


def test_wizard_refuses_a_phone_the_engine_refuses_with_the_engine_message(client):
    from agencies.phones import PHONE_INVALID

    base = _wizard_at_subject_step(client)
    refused = client.post(f"{base}/nguoi/", _birth_subject(applicant_phone="0112345678"))
    assert refused.status_code == 200
    assert refused.context["form"].errors["applicant_phone"] == [str(PHONE_INVALID)]


def test_wizard_accepts_a_landline_as_the_engine_does(client):
    base = _wizard_at_subject_step(client)
    assert client.post(f"{base}/nguoi/", _birth_subject(applicant_phone="0277 385 1234")).status_code == 302
    assert SubmissionDraft.objects.get().data["applicant"]["phone"] == "02773851234"
