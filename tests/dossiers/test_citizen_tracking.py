"""Public tracking by code + phone, own dossiers and access-checked downloads."""
from __future__ import annotations

import pytest
from django.core.cache import cache

from dossiers import documents
from dossiers.models import DossierView
from tests.factories import UserFactory, dossier_registered

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clean(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()
    yield
    cache.clear()


def test_public_tracking_shows_status_only_for_the_right_phone(client):
    dossier = dossier_registered()
    response = client.post("/tra-cuu/", {"code": dossier.code.lower(), "phone": "+84 912 345 678"})
    html = response.content.decode()
    assert response.context["found"]["code"] == dossier.code
    assert "Đăng ký khai sinh" in html and "Đang giải quyết" in html
    for private in ("Trần Minh Khang", "Nguyễn Thị Hoa", "082190001234", "Ấp 1"):
        assert private not in html


def test_public_tracking_refuses_a_wrong_phone_like_an_unknown_code(client):
    dossier = dossier_registered()
    wrong_phone = client.post("/tra-cuu/", {"code": dossier.code, "phone": "0999999999"})
    unknown_code = client.post("/tra-cuu/", {"code": "KS-NOPE-9999", "phone": "0912345678"})
    assert wrong_phone.status_code == unknown_code.status_code == 200
    assert wrong_phone.context["found"] is None and wrong_phone.context["refused"]
    def strip(response) -> str:  # what the two requests typed differs; the answer must not
        html = response.content.decode()
        for typed in (dossier.code, "KS-NOPE-9999", "0999999999", "0912345678"):
            html = html.replace(typed, "")
        return html

    import re

    token = re.compile(r'(name="csrfmiddlewaretoken" value="|"X-CSRFToken": ")[^"]+"')
    assert token.sub("", strip(wrong_phone)) == token.sub("", strip(unknown_code))
    assert "Trần Minh Khang" not in wrong_phone.content.decode()


def test_public_tracking_stops_answering_after_repeated_guesses(client):
    dossier = dossier_registered()
    for n in range(5):
        client.post("/tra-cuu/", {"code": dossier.code, "phone": f"090000000{n}"})
    blocked = client.post("/tra-cuu/", {"code": dossier.code, "phone": "0912345678"})
    assert blocked.status_code == 429
    assert blocked.context["found"] is None


def test_wrong_phones_from_others_do_not_lock_the_owner_out(client):
    dossier = dossier_registered()
    for n in range(10):
        client.post("/tra-cuu/", {"code": dossier.code, "phone": f"090000000{n}"}, REMOTE_ADDR=f"192.0.2.{n}")
    owner = client.post("/tra-cuu/", {"code": dossier.code, "phone": "0912345678"}, REMOTE_ADDR="198.51.100.1")
    assert owner.status_code == 200
    assert owner.context["found"]["code"] == dossier.code


def test_behind_the_load_balancer_each_client_has_its_own_limit(client, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    dossier = dossier_registered()
    for n in range(10):
        client.post("/tra-cuu/", {"code": f"KS-NOPE-{n}", "phone": "0900000000"},
                    REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="203.0.113.7")
    guesser = client.post("/tra-cuu/", {"code": dossier.code, "phone": "0912345678"},
                          REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert guesser.status_code == 429
    owner = client.post("/tra-cuu/", {"code": dossier.code, "phone": "0912345678"},
                        REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert owner.status_code == 200 and owner.context["found"]["code"] == dossier.code


def test_public_tracking_answers_while_the_cache_is_down(client, caplog):
    from django.test import override_settings

    dossier = dossier_registered()
    # A real Redis client pointed at a port nothing listens on.
    with override_settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                               "LOCATION": "redis://127.0.0.1:1/0"}}):
        wrong = client.post("/tra-cuu/", {"code": dossier.code, "phone": "0900000000"})
        right = client.post("/tra-cuu/", {"code": dossier.code, "phone": "0912345678"})
    assert wrong.status_code == 200 and wrong.context["refused"]
    assert right.status_code == 200 and right.context["found"]["code"] == dossier.code
    assert any("tra-cuu" in r.getMessage() or "tracking" in r.getMessage() for r in caplog.records)


def test_citizen_sees_own_dossier_timeline_and_downloads_its_document(client):
    owner, other = UserFactory(username="hoa"), UserFactory(username="lan")
    dossier = dossier_registered(user=owner)
    documents.document_issue(dossier_id=dossier.pk, kind="birth_certificate")
    url = f"/cong-dan/ho-so/{dossier.code}/van-ban/birth_certificate/"

    client.force_login(owner)
    assert dossier.code in client.get("/cong-dan/").content.decode()
    page = client.get(f"/cong-dan/ho-so/{dossier.code}/")
    assert page.status_code == 200 and "Giấy khai sinh (bản điện tử)" in page.content.decode()
    # The opening is recorded (full data: the citizen's own dossier); the
    # documents' polling is no new opening.
    client.get(f"/cong-dan/ho-so/{dossier.code}/", {"part": "documents"}, HTTP_HX_REQUEST="true")
    assert list(DossierView.objects.filter(dossier=dossier).values_list("user", "full_data")) == [(owner.pk, True)]
    download = client.get(url)
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")

    client.force_login(other)
    assert client.get(url).status_code == 404
    assert client.get(f"/cong-dan/ho-so/{dossier.code}/").status_code == 404
    client.logout()
    assert client.get(url).status_code == 302  # to the log-in page


def test_public_tracking_finds_a_landline_typed_with_the_country_code(client):
    from dossiers.services import dossier_submit
    from tests.dossiers.payloads import birth_payload

    # Stored by the engine as 02773851234; tracking must normalise the same way.
    dossier = dossier_submit(data=birth_payload(applicant__phone="842773851234"), user=UserFactory(username="hoa"))
    assert dossier.applicant_phone == "02773851234"
    for typed in ("842773851234", "+84 277 385 1234", "02773851234"):
        response = client.post("/tra-cuu/", {"code": dossier.code, "phone": typed})
        assert response.context["found"] and response.context["found"]["code"] == dossier.code, typed
