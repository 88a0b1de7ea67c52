"""REST API v1 for dossiers and legs, as docs/api.md writes it."""
from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from dossiers.models import Attachment, Dossier, DossierView, Leg, Transition
from tests.dossiers.payloads import birth_payload, death_payload
from tests.factories import leg_of

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def client_for(user) -> APIClient:
    client = APIClient()
    token, _created = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def submit(user, payload=None) -> dict:
    response = client_for(user).post("/api/v1/dossiers/", payload or birth_payload(), format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def test_post_creates_and_answers_the_dossier_as_get_does(eng):
    body = submit(eng.citizen)
    assert set(body) >= {"code", "bundle", "status", "unit", "channel", "submitted_at", "due_at", "legs"}
    assert (body["bundle"], body["status"], body["unit"], body["channel"]) == ("birth", "submitted", "29926", "online")
    assert [(leg["service"], leg["agency"], leg["status"]) for leg in body["legs"]] == [
        ("birth_registration", "justice", "pending"), ("residence_registration", "police", "waiting"),
        ("health_insurance_card", "social_insurance", "waiting")]
    assert set(body["legs"][0]) >= {"id", "service", "agency", "status", "due_at", "result"}
    detail = client_for(eng.citizen).get(f"/api/v1/dossiers/{body['code']}/").json()
    assert detail == body
    assert DossierView.objects.filter(dossier__code=body["code"], user=eng.citizen, full_data=True).exists()


def test_submitted_at_is_for_admins_only(eng):
    payload = birth_payload(submitted_at="2026-11-02T09:00:00+07:00", subject__date_of_birth="2026-10-30")
    response = client_for(eng.citizen).post("/api/v1/dossiers/", payload, format="json")
    assert response.status_code == 400
    assert response.json() == {"submitted_at": ["Chỉ quản trị hệ thống được nhập hồ sơ cũ với thời điểm tiếp nhận."]}
    body = submit(eng.admin, payload)
    assert body["submitted_at"].startswith("2026-11-02T09:00:00")


def test_unauthenticated_requests_are_refused(eng):
    assert APIClient().get("/api/v1/dossiers/").status_code == 401
    assert APIClient().post("/api/v1/dossiers/", birth_payload(), format="json").status_code == 401


def test_out_of_scope_dossiers_are_404(eng):
    from tests.factories import UserFactory

    code = submit(eng.citizen)["code"]
    stranger = UserFactory(username="e-stranger")
    assert client_for(stranger).get(f"/api/v1/dossiers/{code}/").status_code == 404
    assert client_for(eng.other_police).get(f"/api/v1/dossiers/{code}/").status_code == 404
    assert client_for(eng.citizen).get("/api/v1/dossiers/KS-000000-XXXXX/").status_code == 404


def test_provincial_viewer_sees_masked_ids_and_officer_sees_them_whole(eng):
    code = submit(eng.citizen, death_payload())["code"]
    viewer = client_for(eng.viewer).get(f"/api/v1/dossiers/{code}/").json()
    assert viewer["subject_personal_id"] == "045******123"
    officer = client_for(eng.justice).get(f"/api/v1/dossiers/{code}/").json()
    assert officer["subject_personal_id"] == "045052000123"
    listed = client_for(eng.justice).get("/api/v1/dossiers/").json()["results"][0]
    assert listed["subject_personal_id"] == "045******123"


def test_list_filters_and_paginates(eng):
    submit(eng.citizen)
    death = submit(eng.citizen, death_payload())["code"]
    client = client_for(eng.clerk)
    page = client.get("/api/v1/dossiers/").json()
    assert set(page) == {"count", "next", "previous", "results"} and page["count"] == 2
    assert [d["code"] for d in client.get("/api/v1/dossiers/?bundle=death").json()["results"]] == [death]
    assert client.get("/api/v1/dossiers/?status=completed").json()["count"] == 0
    assert client.get("/api/v1/dossiers/?unit=29926").json()["count"] == 2
    assert client.get("/api/v1/dossiers/?unit=82").json()["count"] == 2
    assert client.get("/api/v1/dossiers/?unit=01").json()["count"] == 0
    two = client.get("/api/v1/dossiers/?page_size=1").json()
    assert two["count"] == 2 and len(two["results"]) == 1 and two["next"]


@pytest.mark.parametrize("query", ["Trần Minh Khang", "tran minh khang", "TRAN MINH", "khang"])
def test_search_matches_names_with_or_without_diacritics(eng, query):
    code = submit(eng.citizen)["code"]
    submit(eng.citizen, death_payload())
    results = client_for(eng.clerk).get("/api/v1/dossiers/", {"search": query}).json()["results"]
    assert [d["code"] for d in results] == [code]


def test_search_matches_code_and_personal_id(eng):
    code = submit(eng.citizen, death_payload())["code"]
    client = client_for(eng.clerk)
    assert client.get("/api/v1/dossiers/", {"search": code.lower()}).json()["count"] == 1
    assert client.get("/api/v1/dossiers/", {"search": "045052000123"}).json()["count"] == 1
    assert client.get("/api/v1/dossiers/", {"search": "Lê Văn Bình"}).json()["count"] == 1


def test_leg_queue_and_actions(eng):
    body = submit(eng.citizen)
    justice = client_for(eng.justice)
    queue = justice.get("/api/v1/legs/?status=pending").json()
    assert queue["count"] == 1 and queue["results"][0]["dossier"] == body["code"]
    leg_id = queue["results"][0]["id"]
    assert client_for(eng.police).get("/api/v1/legs/?status=pending").json()["count"] == 0
    accepted = justice.post(f"/api/v1/legs/{leg_id}/accept/")
    assert accepted.status_code == 200 and accepted.json()["status"] == "in_progress"
    again = justice.post(f"/api/v1/legs/{leg_id}/accept/")
    assert again.status_code == 409
    assert again.json() == {"non_field_errors": ["Hồ sơ đã thay đổi trạng thái; thao tác này không còn thực hiện được."]}
    completed = justice.post(f"/api/v1/legs/{leg_id}/complete/", {"result": {"registration_number": "9/2026"}},
                             format="json")
    assert completed.status_code == 200
    assert completed.json()["result"]["registration_number"] == "9/2026"
    assert completed.json()["result"]["personal_id"]


def test_leg_actions_out_of_scope_are_404(eng):
    body = submit(eng.citizen)
    leg_id = body["legs"][0]["id"]
    assert client_for(eng.police).post(f"/api/v1/legs/{leg_id}/accept/").status_code == 404
    assert client_for(eng.citizen).post(f"/api/v1/legs/{leg_id}/accept/").status_code == 404
    assert client_for(eng.justice).post("/api/v1/legs/99999999/accept/").status_code == 404


def test_reject_and_request_supplement_need_a_reason(eng):
    leg_id = submit(eng.citizen)["legs"][0]["id"]
    justice = client_for(eng.justice)
    response = justice.post(f"/api/v1/legs/{leg_id}/reject/", {}, format="json")
    assert (response.status_code, response.json()) == (400, {"reason": ["Vui lòng nêu lý do."]})
    justice.post(f"/api/v1/legs/{leg_id}/accept/")
    response = justice.post(f"/api/v1/legs/{leg_id}/request-supplement/", {"reason": ""}, format="json")
    assert (response.status_code, response.json()) == (400, {"reason": ["Vui lòng nêu lý do."]})
    response = justice.post(f"/api/v1/legs/{leg_id}/request-supplement/", {"reason": "Thiếu giấy chứng sinh"},
                            format="json")
    assert response.status_code == 200 and response.json()["status"] == "awaiting_supplement"
    assert response.json()["supplement_due_at"]


def test_bad_result_is_a_400_naming_the_field(eng):
    leg_id = submit(eng.citizen)["legs"][0]["id"]
    justice = client_for(eng.justice)
    justice.post(f"/api/v1/legs/{leg_id}/accept/")
    response = justice.post(f"/api/v1/legs/{leg_id}/complete/", {"result": {"personal_id": "12"}}, format="json")
    assert response.status_code == 400
    assert response.json()["result.personal_id"] == ["Số định danh cá nhân phải gồm đúng 12 chữ số."]
    response = justice.post(f"/api/v1/legs/{leg_id}/complete/", {"result": ["x"]}, format="json")
    assert (response.status_code, response.json()) == (400, {"result": ["Kết quả phải là một đối tượng JSON."]})


def test_result_with_a_formula_or_markup_is_a_400_naming_the_field(eng):
    leg_id = submit(eng.citizen)["legs"][0]["id"]
    justice = client_for(eng.justice)
    justice.post(f"/api/v1/legs/{leg_id}/accept/")
    for result in ({"note": "=HYPERLINK(\"http://x\")"}, {"registration_number": "<i>9</i>/2026"}):
        response = justice.post(f"/api/v1/legs/{leg_id}/complete/", {"result": result}, format="json")
        assert response.status_code == 400
        assert list(response.json()) == [f"result.{next(iter(result))}"]
    assert Leg.objects.get(pk=leg_id).status == "in_progress"


def test_supplement_with_attachments_over_multipart(eng):
    body = submit(eng.citizen)
    leg_id = body["legs"][0]["id"]
    justice = client_for(eng.justice)
    justice.post(f"/api/v1/legs/{leg_id}/accept/")
    justice.post(f"/api/v1/legs/{leg_id}/request-supplement/", {"reason": "Thiếu giấy chứng sinh"}, format="json")
    upload = SimpleUploadedFile("giay-chung-sinh.pdf", PDF, content_type="application/pdf")
    response = client_for(eng.citizen).post(f"/api/v1/dossiers/{body['code']}/supplement/",
                                            {"note": "Gửi giấy chứng sinh", "attachments": [upload]},
                                            format="multipart")
    assert response.status_code == 200, response.json()
    assert response.json()["legs"][0]["status"] == "in_progress"
    attachment = Attachment.objects.get(dossier__code=body["code"])
    assert attachment.kind == "supplement" and attachment.content_type == "application/pdf"


def test_supplement_refuses_a_file_that_is_not_what_it_claims(eng):
    body = submit(eng.citizen)
    leg_id = body["legs"][0]["id"]
    justice = client_for(eng.justice)
    justice.post(f"/api/v1/legs/{leg_id}/accept/")
    justice.post(f"/api/v1/legs/{leg_id}/request-supplement/", {"reason": "Thiếu giấy"}, format="json")
    fake = SimpleUploadedFile("anh.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    response = client_for(eng.citizen).post(f"/api/v1/dossiers/{body['code']}/supplement/",
                                            {"note": "x", "attachments": [fake]}, format="multipart")
    assert response.status_code == 400
    assert Leg.objects.get(pk=leg_id).status == "awaiting_supplement"
    assert not Attachment.objects.exists()


BAD_BODIES = [
    ("not json", "application/json", "{bundle: birth"),
    ("a list", "application/json", "[1, 2]"),
    ("a string", "application/json", '"birth"'),
    ("empty object", "application/json", "{}"),
    ("null", "application/json", "null"),
]


@pytest.mark.parametrize(("label", "content_type", "raw"), BAD_BODIES, ids=[b[0] for b in BAD_BODIES])
def test_malformed_bodies_are_400_and_write_nothing(eng, label, content_type, raw):
    before = (Dossier.objects.count(), Leg.objects.count(), Transition.objects.count())
    response = client_for(eng.citizen).generic("POST", "/api/v1/dossiers/", raw, content_type=content_type)
    assert response.status_code == 400, (label, response.content)
    assert isinstance(response.json(), dict) and response.json()
    assert (Dossier.objects.count(), Leg.objects.count(), Transition.objects.count()) == before


def test_multipart_submission_with_payload_and_attachment(eng):
    import json

    upload = SimpleUploadedFile("giay-chung-sinh.pdf", PDF, content_type="application/pdf")
    response = client_for(eng.citizen).post("/api/v1/dossiers/", {"payload": json.dumps(birth_payload()),
                                                                  "attachments": [upload]}, format="multipart")
    assert response.status_code == 201, response.json()
    assert Attachment.objects.filter(dossier__code=response.json()["code"], kind="submission").count() == 1


def test_withdraw_over_the_api(eng):
    code = submit(eng.citizen)["code"]
    response = client_for(eng.citizen).post(f"/api/v1/dossiers/{code}/withdraw/", {"reason": "Nộp nhầm"},
                                            format="json")
    assert response.status_code == 200 and response.json()["status"] == "withdrawn"
    again = client_for(eng.citizen).post(f"/api/v1/dossiers/{code}/withdraw/", {"reason": "Nộp nhầm"},
                                         format="json")
    assert again.status_code == 409


def test_errors_answer_in_english_when_asked(eng):
    payload = birth_payload(services=["birth_registration"])
    response = client_for(eng.citizen).post("/api/v1/dossiers/", payload, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert response.json()["services"] == [
        "Select at least one more procedure: permanent residence registration or a health insurance card for the "
        "child (Kế hoạch 74/KH-UBND, mục II.1)."]


def test_schema_describes_the_dossier_endpoints(eng):
    schema = APIClient().get("/api/schema/?format=json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    for path in ("/api/v1/dossiers/", "/api/v1/dossiers/{code}/", "/api/v1/dossiers/{code}/supplement/",
                 "/api/v1/legs/", "/api/v1/legs/{leg_id}/accept/", "/api/v1/legs/{leg_id}/request-supplement/",
                 "/api/v1/legs/{leg_id}/complete/", "/api/v1/legs/{leg_id}/reject/"):
        assert path in paths
    post = paths["/api/v1/dossiers/"]["post"]
    assert "201" in post["responses"] and "requestBody" in post
    assert "search" in {p["name"] for p in paths["/api/v1/dossiers/"]["get"]["parameters"]}


def test_leg_of_helper_matches_api_ids(eng):
    body = submit(eng.citizen)
    dossier = Dossier.objects.get(code=body["code"])
    assert leg_of(dossier, "birth_registration").pk == body["legs"][0]["id"]
