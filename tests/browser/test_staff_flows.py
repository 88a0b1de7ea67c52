"""The staff pages in a real browser, with a real worker: both bundles from
the counter through every agency's queue to a completed dossier, a refused
intake, and a lost race. Screenshots at 1366×768 go to tests/screenshots/."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from agencies.services import user_create_or_update
from dossiers.models import Dossier, Leg
from tests.helpers import DEMO_PASSWORD, screenshot, wait_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
TAN_HONG, DONG_THAP = "29926", "82"
STAFF = [
    ("motcua", "one_stop_clerk", TAN_HONG, None),
    ("tuphap", "officer", TAN_HONG, "justice"),
    ("tuphap2", "officer", TAN_HONG, "justice"),
    ("congan", "officer", TAN_HONG, "police"),
    ("bhxh", "officer", DONG_THAP, "social_insurance"),
]


@pytest.fixture(autouse=True)
def _tasks_to_the_test_worker(tasks_to_test_worker):
    """Tasks the live server queues go to this run's test worker."""


@pytest.fixture
def staff(transactional_db):
    for username, role, unit, agency in STAFF:
        user_create_or_update(username=username, password=DEMO_PASSWORD, role=role, unit_code=unit, agency=agency,
                              full_name=f"Cán bộ {username}")


def fill_birth(pg, *, household: str = "family") -> None:
    born = (timezone.localdate() - timedelta(days=4)).strftime("%d/%m/%Y")
    pg.goto("/can-bo/mot-cua/?bundle=birth")
    pg.fill("#id_subject__full_name", "Trần Minh Khang")
    pg.select_option("#id_subject__sex", "male")
    pg.fill("#id_subject__date_of_birth", born)
    pg.fill("#id_subject__place_of_birth", "Bệnh viện Đa khoa Đồng Tháp")
    pg.fill("#id_subject__mother__full_name", "Nguyễn Thị Hoa")
    pg.fill("#id_subject__mother__personal_id", "082190001234")
    pg.fill("#id_subject__father__full_name", "Trần Văn Minh")
    pg.fill("#id_subject__father__personal_id", "082088004321")
    pg.fill("#id_subject__residence__address", "Ấp 1")
    pg.select_option("#id_subject__residence__household_type", household)
    pg.fill("#id_applicant__full_name", "Nguyễn Thị Hoa")
    pg.fill("#id_applicant__personal_id", "082190001234")
    pg.fill("#id_applicant__phone", "0912345678")
    pg.select_option("#id_applicant__relationship", "mother")


def submit_at_counter(pg) -> str:
    pg.click("button:has-text('Tiếp nhận và lập phiếu hẹn')")
    pg.wait_for_selector("#dossier-code")
    return pg.inner_text("#dossier-code").strip()


def work_leg(pg, code: str, service_label: str, shot: str = "") -> None:
    """From the queue: accept (htmx, in the row), then complete with an empty
    result form so the portal generates numbers and documents."""
    pg.goto("/can-bo/hang-doi/")
    row = pg.locator("tr", has_text=code).filter(has_text=service_label)
    row.get_by_role("button", name="Tiếp nhận").click()
    row = pg.locator("tr", has_text=code).filter(has_text=service_label)
    row.get_by_text("Đang xử lý").wait_for()
    row.get_by_role("link", name="Xử lý").click()
    if shot:
        screenshot(pg, shot)
    pg.click("button:has-text('Hoàn thành thủ tục')")
    pg.locator("dialog#confirm-complete").get_by_role("button", name="Xác nhận hoàn thành").click()
    pg.wait_for_selector("text=Đã hoàn thành thủ tục")


def leg_status(code: str, service: str) -> str:
    return Leg.objects.get(dossier__code=code, service=service).status


def test_birth_bundle_from_counter_to_completed(staff, as_user, celery_worker_process):
    clerk = as_user("motcua")
    fill_birth(clerk)
    clerk.locator("#preview").get_by_text("Hồ sơ đủ điều kiện tiếp nhận.").wait_for()
    assert "Cấp thẻ BHYT cho trẻ em dưới 6 tuổi" in clerk.inner_text("#preview")
    screenshot(clerk, "staff-counter")
    code = submit_at_counter(clerk)
    assert "Đăng ký thường trú" in clerk.inner_text(".slip")
    screenshot(clerk, "staff-receipt")
    clerk.emulate_media(media="print")
    assert not clerk.locator(".topbar").is_visible() and not clerk.locator("[data-print]").is_visible()
    screenshot(clerk, "staff-receipt-print")
    clerk.emulate_media(media="screen")

    justice = as_user("tuphap")
    work_leg(justice, code, "Đăng ký khai sinh", shot="staff-leg")
    # The worker opens the two legs the birth registration unlocks.
    wait_for(lambda: leg_status(code, "residence_registration") == "pending"
             and leg_status(code, "health_insurance_card") == "pending", timeout=30)

    police = as_user("congan")
    police.goto("/can-bo/hang-doi/")
    screenshot(police, "staff-queue")
    work_leg(police, code, "Đăng ký thường trú")
    bhxh = as_user("bhxh")
    work_leg(bhxh, code, "Cấp thẻ BHYT")

    wait_for(lambda: Dossier.objects.get(code=code).status == "completed")
    clerk.goto(f"/can-bo/ho-so/{code}/")
    assert "Đã hoàn thành" in clerk.inner_text(".pagehead")
    timeline = clerk.inner_text(".timeline")
    assert "Đăng ký khai sinh" in timeline and "Cấp thẻ BHYT" in timeline
    screenshot(clerk, "staff-dossier")
    clerk.click("button:has-text('Ghi nhận đã trả kết quả cho công dân')")
    clerk.get_by_text("Đã ghi nhận trả kết quả").wait_for()
    assert Dossier.objects.get(code=code).returned_at is not None
    clerk.goto("/can-bo/ho-so/?q=tran+minh+khang")
    assert code in clerk.inner_text("#results")
    screenshot(clerk, "staff-dossiers")


def test_death_bundle_from_counter_to_completed(staff, as_user, celery_worker_process):
    clerk = as_user("motcua")
    died = (timezone.localdate() - timedelta(days=2)).strftime("%d/%m/%Y")
    clerk.goto("/can-bo/mot-cua/?bundle=death")
    clerk.check("#id_svc_funeral_allowance")
    clerk.fill("#id_subject__full_name", "Lê Văn Bình")
    clerk.fill("#id_subject__personal_id", "045052000123")
    clerk.select_option("#id_subject__sex", "male")
    clerk.fill("#id_subject__date_of_birth", "04/03/1952")
    clerk.fill("#id_subject__date_of_death", died)
    clerk.fill("#id_subject__place_of_death", "Tại nhà")
    clerk.select_option("#id_subject__benefit_category", "pensioner")
    clerk.fill("#id_subject__social_insurance_number", "4512345678")
    clerk.fill("#id_subject__residence__address", "Ấp 2")
    clerk.fill("#id_applicant__full_name", "Lê Thị Thu")
    clerk.fill("#id_applicant__personal_id", "082180001234")
    clerk.fill("#id_applicant__phone", "0912345679")
    clerk.select_option("#id_applicant__relationship", "child")
    clerk.locator("#preview").get_by_text("Hồ sơ đủ điều kiện tiếp nhận.").wait_for()
    assert "Trợ cấp mai táng" in clerk.inner_text("#preview")
    code = submit_at_counter(clerk)

    justice = as_user("tuphap")
    work_leg(justice, code, "Đăng ký khai tử")
    wait_for(lambda: leg_status(code, "funeral_allowance") == "pending", timeout=30)
    removal = Leg.objects.get(dossier__code=code, service="residence_removal")
    if not removal.automatic:  # before 15/3/2026 the police act on it themselves
        work_leg(as_user("congan"), code, "Xóa đăng ký thường trú")
    wait_for(lambda: leg_status(code, "residence_removal") == "completed", timeout=30)
    work_leg(as_user("bhxh"), code, "Trợ cấp mai táng")

    wait_for(lambda: Dossier.objects.get(code=code).status == "completed")
    clerk.goto(f"/can-bo/ho-so/{code}/")
    assert "Đã hoàn thành" in clerk.inner_text(".pagehead")
    funeral = Leg.objects.get(dossier__code=code, service="funeral_allowance")
    assert "Số quyết định" in clerk.inner_text(f"#leg-{funeral.pk}")


def test_refused_intake_shows_the_rule(staff, as_user):
    clerk = as_user("motcua")
    fill_birth(clerk, household="collective")
    refused = clerk.locator("#preview li.refused", has_text="Đăng ký thường trú")
    refused.wait_for()
    assert "tập thể" in refused.inner_text()
    clerk.click("button:has-text('Tiếp nhận và lập phiếu hẹn')")
    summary = clerk.locator("#error-summary")
    summary.wait_for()
    assert "tập thể" in summary.inner_text()
    screenshot(clerk, "staff-counter-refused")
    assert not Dossier.objects.exists()


def test_lost_race_shows_the_fresh_state(staff, as_user):
    from agencies.models import User
    from dossiers import services
    from tests.dossiers.test_staff_pages import birth_payload

    dossier = services.dossier_submit(data=birth_payload(), user=User.objects.get(username="motcua"))
    first, second = as_user("tuphap"), as_user("tuphap2")
    for pg in (first, second):
        pg.goto("/can-bo/hang-doi/")
    row = first.locator("tr", has_text=dossier.code)
    row.get_by_role("button", name="Tiếp nhận").click()
    row.get_by_text("Đang xử lý").wait_for()
    # The second officer still sees "Chờ tiếp nhận" and clicks too.
    stale = second.locator("tr", has_text=dossier.code)
    stale.get_by_role("button", name="Tiếp nhận").click()
    notice = stale.locator(".notice.error")
    notice.wait_for()
    assert "vừa được người khác xử lý" in notice.inner_text()
    assert "Đang xử lý" in stale.inner_text()
    screenshot(second, "staff-queue-lost-race")
    leg = dossier.legs.get(service="birth_registration")
    assert leg.status == "in_progress" and leg.assigned_to.username == "tuphap"
