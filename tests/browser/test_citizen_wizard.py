"""The citizen wizard on a 360×740 phone offers the whole bundle: the linked
services start ticked when the person qualifies, every step has a heading,
the file pickers say what to attach, the dossier code stays on one line and
the list of own dossiers filters by status."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from dossiers.models import Dossier
from tests.browser.test_citizen_phone import PNG, _applicant, _continue, _place
from tests.factories import UserFactory, dossier_registered
from tests.helpers import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _tasks_to_the_test_worker(tasks_to_test_worker):
    """Tasks the live server queues go to this run's queue, not another's."""


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="vi-VN", is_mobile=True,
                                  has_touch=True, base_url=live_server.url, timezone_id="Asia/Ho_Chi_Minh")
    context.set_default_timeout(15000)
    yield context.new_page()
    context.close()


def _heading(pg) -> str:
    assert pg.locator("h1").count() == 1, pg.url
    return pg.inner_text("h1")


def test_the_wizard_offers_the_whole_bundle(phone, tmp_path):
    pg = phone
    citizen = UserFactory(username="hoa.wz", full_name="Nguyễn Thị Hoa", phone="0912345678")
    login(pg, "hoa.wz")

    _place(pg, "birth")
    assert "Nhóm thủ tục và nơi nộp" in _heading(pg)
    _continue(pg)
    assert "Thông tin người được đăng ký" in _heading(pg)
    pg.fill("#id_full_name", "Trần Minh Khang")
    pg.check("input[name=sex][value=male]")
    pg.fill("#id_date_of_birth", (timezone.localdate() - timedelta(days=9)).isoformat())
    pg.fill("#id_place_of_birth", "Bệnh viện Đa khoa Đồng Tháp")
    pg.fill("#id_mother_name", "Nguyễn Thị Hoa")
    pg.fill("#id_mother_personal_id", "082190001234")
    pg.fill("#id_father_name", "Trần Văn Minh")
    pg.fill("#id_father_personal_id", "082088004321")
    _applicant(pg, "Nguyễn Thị Hoa", "082190001234", "mother")
    _continue(pg)

    # The child qualifies for all three: all three start ticked.
    assert "Chọn thủ tục" in _heading(pg)
    for service in ("birth_registration", "residence_registration", "health_insurance_card"):
        assert pg.is_checked(f"input[name=services][value={service}]"), service
    screenshot(pg, "citizen-wizard-services-ticked-360")
    _continue(pg)

    # The pickers say what to attach (the birth certificate), and look like buttons.
    assert "Giấy tờ kèm theo" in _heading(pg)
    for name in ("photo", "files"):
        picker = pg.locator("label.c-pick", has=pg.locator(f"input[name={name}]"))
        assert "Giấy chứng sinh" in picker.inner_text()
        assert pg.locator(f"input[name={name}]").evaluate("e => getComputedStyle(e).opacity") == "0"
    assert "Đăng ký khai sinh" in pg.inner_text(".c-papers")
    screenshot(pg, "citizen-wizard-files-360")
    photo = tmp_path / "giay-chung-sinh.png"
    photo.write_bytes(PNG)
    pg.set_input_files("input[name=files]", str(photo))
    pg.wait_for_selector(".c-files li")
    _continue(pg)
    assert "Kiểm tra và nộp" in _heading(pg)
    pg.click("button[name=continue]")
    pg.wait_for_url("**/cong-dan/ho-so/**")
    submitted = Dossier.objects.get(code=pg.url.rstrip("/").rsplit("/", 1)[-1])
    assert submitted.services == ["birth_registration", "residence_registration", "health_insurance_card"]

    # A second dossier of the same citizen, further along.
    other = dossier_registered(user=citizen)
    assert other.status != submitted.status
    pg.goto("/cong-dan/")
    code = pg.locator(".c-dossier .code", has_text=submitted.code)
    assert code.evaluate("e => getComputedStyle(e).whiteSpace") == "nowrap"
    assert code.evaluate("e => e.getClientRects().length") == 1  # one line
    assert submitted.code in pg.inner_text("main") and other.code in pg.inner_text("main")
    pg.click(f".c-filter a:has-text('{submitted.get_status_display()}')")
    pg.wait_for_load_state("networkidle")
    shown = pg.inner_text("main")
    assert submitted.code in shown and other.code not in shown
    screenshot(pg, "citizen-home-filtered-360")
    pg.click(f".c-filter a:has-text('{other.get_status_display()}')")
    pg.wait_for_load_state("networkidle")
    shown = pg.inner_text("main")
    assert other.code in shown and submitted.code not in shown
