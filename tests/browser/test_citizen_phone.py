"""A citizen on a 360 px phone: submits a birth and a death bundle through the
wizard, answers a supplement request, downloads the e-documents the worker
rendered; the public tracking page refuses a wrong phone. Officers' steps go
through the engine's services directly."""
from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from pypdf import PdfReader

from dossiers import documents, services
from dossiers.models import Dossier, LegStatus
from tests.factories import UserFactory, unit
from tests.helpers import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.worker]
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde"
       b"\x00\x00\x00\x0cIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")


@pytest.fixture(autouse=True)
def _tasks_to_the_test_worker(tasks_to_test_worker):
    """Tasks the live server queues go to this run's test worker."""


@pytest.fixture
def photo(tmp_path):
    path = tmp_path / "giay-to.png"
    path.write_bytes(PNG)
    return str(path)


def _place(pg, bundle: str) -> None:
    pg.goto("/cong-dan/nop-ho-so/")
    pg.check(f"input[name=bundle][value={bundle}]")
    pg.select_option("#id_province", "82")
    pg.wait_for_selector("#id_unit option[value='29926']", state="attached")
    pg.select_option("#id_unit", "29926")
    pg.fill("#id_address", "Ấp 1, xã Tân Hồng")


def _continue(pg) -> None:
    pg.click("button[name=continue]")
    pg.wait_for_load_state("networkidle")


def _applicant(pg, name: str, personal_id: str, relationship: str) -> None:
    pg.select_option("#id_relationship", relationship)
    pg.fill("#id_applicant_name", name)
    pg.fill("#id_applicant_personal_id", personal_id)
    pg.fill("#id_applicant_phone", "0912 345 678")


def _attach_and_submit(pg, photo: str, prefix: str) -> Dossier:
    # Picking a file uploads it at once (htmx), no button needed.
    pg.set_input_files("input[name=files]", photo)
    pg.wait_for_selector(".c-files li")
    screenshot(pg, f"{prefix}-4-files-360")
    _continue(pg)
    assert pg.locator(".c-errors").count() == 0, pg.locator(".c-errors").inner_text()
    screenshot(pg, f"{prefix}-5-summary-360")
    pg.click("button[name=continue]")
    pg.wait_for_url("**/cong-dan/ho-so/**")
    code = pg.url.rstrip("/").rsplit("/", 1)[-1]
    return Dossier.objects.get(code=code)


def _download(pg, label: str) -> str:
    link = pg.locator("a.doc", has_text=label)
    link.wait_for(timeout=60000)  # the worker renders it; the page polls
    with pg.expect_download() as info:
        link.click()
    content = open(info.value.path(), "rb").read()
    assert content.startswith(b"%PDF")
    return " ".join("\n".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(content)).pages).split())


def test_birth_bundle_from_a_phone_with_a_supplement(phone_page, live_server, celery_worker_process, photo):
    pg = phone_page
    UserFactory(username="hoa.dt", full_name="Nguyễn Thị Hoa", phone="0912345678")
    officer = UserFactory(username="tuphap.th", role="officer", agency="justice", unit=unit("29926"))
    login(pg, "hoa.dt")

    _place(pg, "birth")
    screenshot(pg, "citizen-birth-1-place-360")
    _continue(pg)
    pg.fill("#id_full_name", "Trần Minh Khang")
    pg.check("input[name=sex][value=male]")
    pg.fill("#id_date_of_birth", (timezone.localdate() - timedelta(days=9)).isoformat())
    pg.fill("#id_place_of_birth", "Bệnh viện Đa khoa Đồng Tháp")
    pg.fill("#id_mother_name", "Nguyễn Thị Hoa")
    pg.fill("#id_mother_personal_id", "082190001234")
    pg.fill("#id_father_name", "Trần Văn Minh")
    pg.fill("#id_father_personal_id", "082088004321")
    _applicant(pg, "Nguyễn Thị Hoa", "082190001234", "mother")
    screenshot(pg, "citizen-birth-2-subject-360")
    _continue(pg)
    pg.check("input[name=services][value=residence_registration]")
    pg.check("input[name=services][value=health_insurance_card]")
    screenshot(pg, "citizen-birth-3-services-360")
    _continue(pg)
    dossier = _attach_and_submit(pg, photo, "citizen-birth")
    assert dossier.services == ["birth_registration", "residence_registration", "health_insurance_card"]
    slip = _download(pg, "Phiếu hẹn")
    assert dossier.code in slip and "Trần Minh Khang" in slip

    leg = dossier.legs.get(service="birth_registration")
    services.leg_accept(leg_id=leg.pk, user=officer)
    services.leg_request_supplement(leg_id=leg.pk, user=officer, reason="Ảnh giấy chứng sinh bị mờ.")
    pg.goto("/cong-dan/")
    pg.click(f"a.c-dossier[href*='{dossier.code}']")
    assert "Ảnh giấy chứng sinh bị mờ." in pg.inner_text("#bo-sung")
    pg.fill("#id_note", "Đã chụp lại giấy chứng sinh.")
    pg.set_input_files("input[name=photo]", photo)
    screenshot(pg, "citizen-birth-6-supplement-360")
    pg.click("form[action$='/bo-sung/'] button[type=submit]")
    pg.wait_for_load_state("networkidle")
    leg.refresh_from_db()
    assert leg.status == LegStatus.IN_PROGRESS

    services.leg_complete(leg_id=leg.pk, user=officer)
    pg.reload()
    text = _download(pg, "Giấy khai sinh")
    for needle in ("GIẤY KHAI SINH", "Trần Minh Khang", "Nguyễn Thị Hoa", "Trần Văn Minh"):
        assert needle in text
    screenshot(pg, "citizen-birth-7-dossier-360")

    # The QR code's page, as a stranger scanning the paper sees it.
    certificate = dossier.documents.get(kind="birth_certificate")
    pg.context.clear_cookies()
    pg.goto(documents.verification_path(certificate))
    assert "Văn bản do Cổng dịch vụ công liên thông cấp" in pg.inner_text(".c-verdict")
    assert "Trần Minh Khang" in pg.inner_text("main")
    screenshot(pg, "citizen-verify-360")


def test_death_bundle_from_a_phone_and_public_tracking(phone_page, live_server, celery_worker_process, photo):
    pg = phone_page
    UserFactory(username="mai.dt", full_name="Lê Thị Mai", phone="0912345678")
    officer = UserFactory(username="tuphap.th2", role="officer", agency="justice", unit=unit("29926"))
    login(pg, "mai.dt")

    _place(pg, "death")
    _continue(pg)
    pg.fill("#id_full_name", "Lê Văn Bình")
    pg.fill("#id_personal_id", "045052000123")
    pg.check("input[name=sex][value=male]")
    pg.fill("#id_date_of_birth", "1952-03-04")
    pg.fill("#id_date_of_death", (timezone.localdate() - timedelta(days=2)).isoformat())
    pg.fill("#id_place_of_death", "Tại nhà")
    pg.select_option("#id_benefit_category", "pensioner")
    pg.fill("#id_social_insurance_number", "4512345678")
    _applicant(pg, "Lê Thị Mai", "082180004567", "child")
    screenshot(pg, "citizen-death-2-subject-360")
    _continue(pg)
    assert pg.locator("input[name=services][value=funeral_support]").is_disabled()  # a pensioner: allowance
    pg.check("input[name=services][value=funeral_allowance]")
    if pg.locator("input[name=services][value=residence_removal]").is_enabled():
        pg.check("input[name=services][value=residence_removal]")
    screenshot(pg, "citizen-death-3-services-360")
    _continue(pg)
    dossier = _attach_and_submit(pg, photo, "citizen-death")
    assert "funeral_allowance" in dossier.services
    pg.goto("/cong-dan/")
    assert dossier.code in pg.inner_text("main")
    screenshot(pg, "citizen-home-360")

    leg = dossier.legs.get(service="death_registration")
    services.leg_accept(leg_id=leg.pk, user=officer)
    services.leg_complete(leg_id=leg.pk, user=officer)
    pg.goto(f"/cong-dan/ho-so/{dossier.code}/")
    text = _download(pg, "Trích lục khai tử")
    assert "Lê Văn Bình" in text and "TRÍCH LỤC KHAI TỬ" in text

    pg.context.clear_cookies()
    pg.goto("/dang-ky/")
    screenshot(pg, "citizen-signup-360")
    pg.goto("/tra-cuu/")
    pg.fill("#id_code", dossier.code)
    pg.fill("#id_phone", "0900000000")
    pg.click("button[type=submit].primary")
    pg.wait_for_load_state("networkidle")
    refused = pg.inner_text("main")
    assert "Không tìm thấy hồ sơ" in refused and "Lê Văn Bình" not in refused and "Khai tử" not in refused
    screenshot(pg, "citizen-track-refused-360")
    pg.fill("#id_phone", "0912345678")
    pg.click("button[type=submit].primary")
    pg.wait_for_load_state("networkidle")
    shown = pg.inner_text("main")
    assert dossier.code in shown and "Đăng ký khai tử" in shown and "Lê Văn Bình" not in shown
