"""Staff pages through the Django client: access, forms, leg actions."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from agencies.models import Agency, ContactPoint, Role
from dossiers import services
from dossiers.models import Dossier, DossierView, Leg
from reports.models import DifficultyReport
from tests.factories import UserFactory, unit

pytestmark = pytest.mark.django_db
TAN_HONG, NEIGHBOUR, DONG_THAP = "29926", "29929", "82"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def birth_payload(**subject) -> dict:
    born = (timezone.localdate() - timedelta(days=5)).isoformat()
    return {
        "bundle": "birth",
        "services": ["birth_registration", "residence_registration", "health_insurance_card"],
        "unit": TAN_HONG, "channel": "one_stop",
        "applicant": {"full_name": "Nguyễn Thị Hoa", "personal_id": "082190001234", "phone": "0912345678",
                      "relationship": "mother"},
        "subject": {"full_name": "Trần Minh Khang", "sex": "male", "date_of_birth": born,
                    "place_of_birth": "Bệnh viện Đa khoa Đồng Tháp", "ethnicity": "Kinh", "nationality": "VN",
                    "special_case": None,
                    "mother": {"full_name": "Nguyễn Thị Hoa", "personal_id": "082190001234"},
                    "father": {"full_name": "Trần Văn Minh", "personal_id": "082088004321"},
                    "residence": {"unit": TAN_HONG, "address": "Ấp 1", "household_type": "family"},
                    "first_health_insurance_card": True, **subject},
    }


def counter_post(**extra) -> dict:
    """The counter form's fields for the birth bundle above."""
    born = (timezone.localdate() - timedelta(days=5)).strftime("%d/%m/%Y")
    data = {
        "bundle": "birth", "services": ["birth_registration", "residence_registration", "health_insurance_card"],
        "applicant__full_name": "Nguyễn Thị Hoa", "applicant__personal_id": "082190001234",
        "applicant__phone": "0912345678", "applicant__relationship": "mother",
        "subject__full_name": "Trần Minh Khang", "subject__sex": "male", "subject__date_of_birth": born,
        "subject__place_of_birth": "Bệnh viện Đa khoa Đồng Tháp", "subject__ethnicity": "Kinh",
        "subject__nationality": "VN", "subject__mother__full_name": "Nguyễn Thị Hoa",
        "subject__mother__personal_id": "082190001234", "subject__father__full_name": "Trần Văn Minh",
        "subject__father__personal_id": "082088004321", "subject__residence__unit": TAN_HONG,
        "subject__residence__address": "Ấp 1", "subject__residence__household_type": "family",
        "subject__first_health_insurance_card": "on",
    }
    data.update(extra)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # Seven users per test: the production hasher would dominate the run.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def people():
    return {
        "clerk": UserFactory(username="clerk", role=Role.ONE_STOP_CLERK, unit=unit(TAN_HONG)),
        "neighbour": UserFactory(username="neighbour", role=Role.ONE_STOP_CLERK, unit=unit(NEIGHBOUR)),
        "justice": UserFactory(username="justice", role=Role.OFFICER, agency="justice", unit=unit(TAN_HONG)),
        "justice2": UserFactory(username="justice2", role=Role.OFFICER, agency="justice", unit=unit(TAN_HONG)),
        "neighbour_justice": UserFactory(username="njustice", role=Role.OFFICER, agency="justice",
                                         unit=unit(NEIGHBOUR)),
        "viewer": UserFactory(username="viewer", role=Role.PROVINCIAL_VIEWER, unit=unit(DONG_THAP)),
        "citizen": UserFactory(username="citizen", role=Role.CITIZEN),
    }


@pytest.fixture
def dossier(people) -> Dossier:
    return services.dossier_submit(data=birth_payload(), user=people["clerk"],
                                   files=[SimpleUploadedFile("giay-chung-sinh.pdf", PDF, "application/pdf")])


def test_counter_is_for_clerks_only(client, people):
    client.force_login(people["clerk"])
    html = client.get("/can-bo/mot-cua/").content.decode()
    assert "Tiếp nhận hồ sơ liên thông" in html and "Họ, chữ đệm và tên của trẻ" in html
    assert "Ngày chết" not in html and "Thông tin người được đăng ký khai sinh" in html
    death = client.get("/can-bo/mot-cua/?bundle=death").content.decode()
    assert "Ngày chết" in death and "Thông tin người chết" in death
    client.force_login(people["justice"])
    assert client.get("/can-bo/mot-cua/").status_code == 403
    client.force_login(people["citizen"])
    assert client.get("/can-bo/mot-cua/").status_code == 403


def test_counter_errors_name_the_field_in_vietnamese(client, people):
    client.force_login(people["clerk"])
    # A date the form cannot read: the form's own words (it reads dd/mm/yyyy).
    response = client.post("/can-bo/mot-cua/", counter_post(subject__date_of_birth="31/02/2026"))
    html = response.content.decode()
    assert response.status_code == 400
    assert "Thông tin người được đăng ký khai sinh" in html  # still the birth form
    assert "“Ngày sinh” không hợp lệ: nhập ngày theo dạng dd/mm/yyyy." in html
    # A missing field: the engine's rule and message (as the API's), the
    # summary naming the field.
    response = client.post("/can-bo/mot-cua/", counter_post(applicant__full_name=""))
    assert response.status_code == 400
    assert response.context["form"].errors["applicant__full_name"] == ["Trường này là bắt buộc."]
    assert 'href="#id_applicant__full_name">Họ và tên người nộp</a>: Trường này là bắt buộc.' in \
        response.content.decode()
    assert not Dossier.objects.exists()


def test_counter_shows_domain_refusal_next_to_the_field(client, people):
    client.force_login(people["clerk"])
    response = client.post("/can-bo/mot-cua/", counter_post(subject__father__personal_id="082088004321",
                                                             subject__mother__personal_id="12345"))
    html = response.content.decode()
    assert response.status_code == 400
    assert 'href="#id_subject__mother__personal_id"' in html  # the summary links the field
    assert not Dossier.objects.exists()


def test_counter_submits_and_prints_an_appointment_slip(client, people):
    client.force_login(people["clerk"])
    response = client.post("/can-bo/mot-cua/", {
        **counter_post(), "attachments": SimpleUploadedFile("cs.pdf", PDF, "application/pdf")})
    assert response.status_code == 302, response.content.decode()[:3000]
    dossier = Dossier.objects.get()
    assert response["Location"] == f"/can-bo/ho-so/{dossier.code}/phieu-hen/"
    assert dossier.channel == "one_stop" and dossier.attachments.count() == 1
    html = client.get(response["Location"]).content.decode()
    assert dossier.code in html and "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in html
    assert "Đăng ký thường trú" in html and "data-print" in html


def test_preview_names_the_refused_service_and_its_rule(client, people):
    client.force_login(people["clerk"])
    html = client.post("/can-bo/mot-cua/xem-truoc/",
                       counter_post(subject__residence__household_type="collective"),
                       HTTP_HX_REQUEST="true").content.decode()
    # The residence verdict is the refused one, with the rule's reason; the
    # other two are offered; nothing is planned while a service is refused.
    refused = html.split('<li class="refused" data-service="residence_registration">', 1)
    assert len(refused) == 2, html
    assert "✘ Đăng ký thường trú" in refused[1].split("</li>", 1)[0]
    assert "nhân khẩu tập thể: không đăng ký thường trú cho trẻ qua liên thông" in refused[1].split("</li>", 1)[0]
    assert html.count('<li class="refused"') == 1 and html.count('<li class="ok"') == 2
    assert "Các thủ tục sẽ được tạo" not in html and "Hồ sơ đủ điều kiện tiếp nhận." not in html


def test_preview_lists_legs_and_deadlines(client, people):
    client.force_login(people["clerk"])
    html = client.post("/can-bo/mot-cua/xem-truoc/", counter_post(), HTTP_HX_REQUEST="true").content.decode()
    assert "Các thủ tục sẽ được tạo" in html
    assert "Tư pháp - Hộ tịch" in html and "Bảo hiểm xã hội" in html
    assert "Hồ sơ đủ điều kiện tiếp nhận." in html


def test_neighbouring_commune_gets_404(client, people, dossier):
    attachment = dossier.attachments.get()
    leg = dossier.legs.get(service="birth_registration")
    for who in ("neighbour", "neighbour_justice"):
        client.force_login(people[who])
        assert client.get(f"/can-bo/ho-so/{dossier.code}/").status_code == 404
        assert client.get(f"/can-bo/ho-so/{dossier.code}/giay-to/{attachment.pk}/").status_code == 404
        assert client.get(f"/can-bo/ho-so/{dossier.code}/phieu-hen/").status_code == 404
        assert client.post(f"/can-bo/thu-tuc/{leg.pk}/tiep-nhan/").status_code == 404
    client.force_login(people["clerk"])
    response = client.get(f"/can-bo/ho-so/{dossier.code}/giay-to/{attachment.pk}/")
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    # An upload is a download, never rendered in the portal's origin; stored under a random name.
    assert response["Content-Disposition"].startswith("attachment;")
    assert "giay-chung-sinh" not in attachment.file.name and attachment.file.name.endswith(".pdf")


def test_dossier_page_masks_ids_for_read_only_viewers(client, people, dossier):
    client.force_login(people["clerk"])
    html = client.get(f"/can-bo/ho-so/{dossier.code}/").content.decode()
    assert "082190001234" in html and "Quá trình xử lý" in html and "giay-chung-sinh.pdf" in html
    client.force_login(people["viewer"])
    html = client.get(f"/can-bo/ho-so/{dossier.code}/").content.decode()
    assert "082190001234" not in html and "082******234" in html
    # Every opening is recorded by the page, with whether IDs were shown whole.
    assert list(DossierView.objects.filter(dossier=dossier).order_by("id").values_list("user", "full_data")) == [
        (people["clerk"].pk, True), (people["viewer"].pk, False)]


def test_dossier_list_searches_without_diacritics(client, people, dossier):
    client.force_login(people["clerk"])
    html = client.get("/can-bo/ho-so/", {"q": "tran minh khang"}).content.decode()
    assert dossier.code in html
    html = client.get("/can-bo/ho-so/", {"q": "Lê Văn Không"}).content.decode()
    assert dossier.code not in html and "Không có hồ sơ nào phù hợp." in html
    partial = client.get("/can-bo/ho-so/", {"bundle": "birth"}, HTTP_HX_REQUEST="true").content.decode()
    assert dossier.code in partial and "<html" not in partial
    client.force_login(people["neighbour"])
    assert dossier.code not in client.get("/can-bo/ho-so/").content.decode()


def test_officer_accepts_and_a_second_accept_shows_the_fresh_state(client, people, dossier):
    leg = dossier.legs.get(service="birth_registration")
    client.force_login(people["justice"])
    html = client.get("/can-bo/hang-doi/").content.decode()
    assert dossier.code in html and "Tiếp nhận" in html
    assert client.post(f"/can-bo/thu-tuc/{leg.pk}/tiep-nhan/").status_code == 302
    leg.refresh_from_db()
    assert leg.status == "in_progress"
    client.force_login(people["justice2"])
    response = client.post(f"/can-bo/thu-tuc/{leg.pk}/tiep-nhan/")
    html = response.content.decode()
    assert response.status_code == 409
    assert "vừa được người khác xử lý" in html and "Đang xử lý" in html
    # The same race from a queue row (htmx) swaps in the fresh row.
    row = client.post(f"/can-bo/thu-tuc/{leg.pk}/tiep-nhan/", HTTP_HX_REQUEST="true").content.decode()
    assert "vừa được người khác xử lý" in row and "<tr" in row


def test_reject_needs_a_legal_reason(client, people, dossier):
    leg = dossier.legs.get(service="birth_registration")
    client.force_login(people["justice"])
    response = client.post(f"/can-bo/thu-tuc/{leg.pk}/tu-choi/", {"reason_code": "", "reason_text": ""})
    assert response.status_code == 400
    assert "Chưa nhập “Căn cứ từ chối”." in response.content.decode()
    response = client.post(f"/can-bo/thu-tuc/{leg.pk}/tu-choi/", {"reason_code": "other", "reason_text": ""})
    assert "Lý do cụ thể" in response.content.decode() and response.status_code == 400
    response = client.post(f"/can-bo/thu-tuc/{leg.pk}/tu-choi/",
                           {"reason_code": "other", "reason_text": "Giấy chứng sinh bị tẩy xóa."})
    assert response.status_code == 302
    leg.refresh_from_db()
    assert leg.status == "rejected" and "tẩy xóa" in leg.reason


def test_complete_with_empty_result_lets_the_portal_generate(client, people, dossier):
    leg = dossier.legs.get(service="birth_registration")
    client.force_login(people["justice"])
    client.post(f"/can-bo/thu-tuc/{leg.pk}/tiep-nhan/")
    html = client.get(f"/can-bo/thu-tuc/{leg.pk}/").content.decode()
    assert "Số đăng ký khai sinh" in html and "Yêu cầu bổ sung hồ sơ" in html
    response = client.post(f"/can-bo/thu-tuc/{leg.pk}/hoan-thanh/", {})
    assert response.status_code == 302
    leg.refresh_from_db()
    assert leg.status == "completed" and len(leg.result["personal_id"]) == 12


def test_complete_refuses_a_formula_in_the_note_next_to_the_field(client, people, dossier):
    leg = dossier.legs.get(service="birth_registration")
    client.force_login(people["justice"])
    client.post(f"/can-bo/thu-tuc/{leg.pk}/tiep-nhan/")
    response = client.post(f"/can-bo/thu-tuc/{leg.pk}/hoan-thanh/", {"note": "=1+1", "book": "01/2026"})
    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["note"]
    assert "ký tự công thức" in response.context["form"].errors["note"][0]
    leg.refresh_from_db()
    assert leg.status == "in_progress"


def test_supplement_request_needs_a_reason(client, people, dossier):
    leg = dossier.legs.get(service="birth_registration")
    client.force_login(people["justice"])
    client.post(f"/can-bo/thu-tuc/{leg.pk}/tiep-nhan/")
    response = client.post(f"/can-bo/thu-tuc/{leg.pk}/yeu-cau-bo-sung/", {"reason": ""})
    assert response.status_code == 400 and "Chưa nhập “Nội dung cần bổ sung”." in response.content.decode()
    client.post(f"/can-bo/thu-tuc/{leg.pk}/yeu-cau-bo-sung/", {"reason": "Bổ sung bản chụp CCCD của cha."})
    leg.refresh_from_db()
    assert leg.status == "awaiting_supplement"


def test_difficulties_filed_by_a_commune_closed_by_the_province(client, people):
    client.force_login(people["clerk"])
    response = client.post("/can-bo/vuong-mac/", {"description": "", "since": ""})
    assert response.status_code == 400 and "Chưa nhập “Nội dung vướng mắc”." in response.content.decode()
    client.post("/can-bo/vuong-mac/", {"description": "Không kết nối được CSDL dân cư.",
                                       "service": "residence_registration",
                                       "since": timezone.localdate().strftime("%d/%m/%Y")})
    report = DifficultyReport.objects.get()
    assert report.unit.code == TAN_HONG and report.agency == "one_stop"
    client.force_login(people["neighbour"])
    assert "CSDL dân cư" not in client.get("/can-bo/vuong-mac/").content.decode()
    assert client.post(f"/can-bo/vuong-mac/{report.pk}/dong/", {"resolution": "x"}).status_code == 403
    client.force_login(people["viewer"])
    assert "CSDL dân cư" in client.get("/can-bo/vuong-mac/").content.decode()
    client.post(f"/can-bo/vuong-mac/{report.pk}/dong/", {"resolution": "Đã khắc phục đường truyền."})
    report.refresh_from_db()
    assert report.closed_at and report.closed_by == people["viewer"]


def test_contacts_are_found_without_diacritics(client, people):
    agency = Agency.objects.get(unit=unit(NEIGHBOUR), kind="police")
    ContactPoint.objects.create(agency=agency, full_name="Trần Quốc Tuấn", phone="0277 3800 103")
    client.force_login(people["clerk"])
    html = client.get("/can-bo/dau-moi/", {"q": "tran quoc tuan"}).content.decode()
    assert "Trần Quốc Tuấn" in html and agency.name in html
    html = client.get("/can-bo/dau-moi/").content.decode()
    assert Agency.objects.get(unit=unit(TAN_HONG), kind="justice").name in html


def test_queue_counts_and_overdue_mark(client, people, dossier):
    Leg.objects.filter(dossier=dossier, service="birth_registration").update(
        due_at=timezone.now() - timedelta(hours=1))
    client.force_login(people["justice"])
    html = client.get("/can-bo/hang-doi/").content.decode()
    assert "Quá hạn" in html
    assert 'data-status="pending"' in html


def test_clerk_records_a_supplement_brought_to_the_counter(client, people, dossier):
    leg = dossier.legs.get(service="birth_registration")
    client.force_login(people["justice"])
    client.post(f"/can-bo/thu-tuc/{leg.pk}/tiep-nhan/")
    client.post(f"/can-bo/thu-tuc/{leg.pk}/yeu-cau-bo-sung/", {"reason": "Bổ sung bản chụp CCCD của cha."})
    client.force_login(people["clerk"])
    html = client.get(f"/can-bo/ho-so/{dossier.code}/").content.decode()
    assert "Nhận hồ sơ bổ sung tại bộ phận một cửa" in html and "CCCD của cha" in html
    response = client.post(f"/can-bo/ho-so/{dossier.code}/bo-sung/", {
        "note": "Công dân nộp bản chụp CCCD.", "attachments": SimpleUploadedFile("cccd.pdf", PDF, "application/pdf")})
    assert response.status_code == 302
    leg.refresh_from_db()
    assert leg.status == "in_progress" and dossier.attachments.filter(kind="supplement").count() == 1
    client.force_login(people["neighbour"])
    assert client.post(f"/can-bo/ho-so/{dossier.code}/bo-sung/", {"note": "x"}).status_code == 404


def test_staff_pages_switch_to_english(client, people):
    client.force_login(people["clerk"])
    client.post("/i18n/setlang/", {"language": "en", "next": "/can-bo/mot-cua/"})
    response = client.get("/can-bo/mot-cua/")
    assert response.status_code == 200 and 'lang="en"' in response.content.decode()


def test_queue_row_action_updates_the_counts(client, people, dossier):
    leg = dossier.legs.get(service="birth_registration")
    client.force_login(people["justice"])
    html = client.post(f"/can-bo/thu-tuc/{leg.pk}/tiep-nhan/", {"tab": "pending"},
                       HTTP_HX_REQUEST="true").content.decode()
    assert f'id="leg-{leg.pk}"' in html and "Đã tiếp nhận thủ tục" in html
    assert 'hx-swap-oob="true"' in html
    assert 'data-status="in_progress">Đang xử lý <span class="count">1</span>' in html


def test_clerk_records_a_withdrawal(client, people, dossier):
    client.force_login(people["clerk"])
    response = client.post(f"/can-bo/ho-so/{dossier.code}/rut/", {"reason": ""})
    assert response.status_code == 400 and "Chưa nhập “Lý do rút hồ sơ”." in response.content.decode()
    client.post(f"/can-bo/ho-so/{dossier.code}/rut/", {"reason": "Gia đình nộp lại sau."})
    dossier.refresh_from_db()
    assert dossier.status == "withdrawn"


def test_provincial_viewer_narrows_the_list_to_a_commune(client, people, dossier):
    client.force_login(people["viewer"])
    assert dossier.code in client.get("/can-bo/ho-so/", {"unit": TAN_HONG}).content.decode()
    html = client.get("/can-bo/ho-so/", {"unit": NEIGHBOUR}).content.decode()
    assert dossier.code not in html and 'id="id_unit"' in html
