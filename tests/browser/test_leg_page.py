"""The officer's leg page in a real browser (1366×768), with a real worker:
the papers and the citizen's supplement reply are on the page, the answered
request's reason is gone from the state line, completing asks first, the
police leg shows the child's personal ID the birth registration issued, the
completed leg its number and document; the queue finds a dossier by a name
typed without diacritics."""
from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from dossiers import services
from dossiers.models import Document, Leg
from tests.factories import REASON, dossier_make, engine_users_make, leg_of, leg_to
from tests.helpers import screenshot, wait_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde"
       b"\x00\x00\x00\x0cIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")
REPLY = "Đã bổ sung bản sao Giấy chứng sinh có đóng dấu."


@pytest.fixture(autouse=True)
def _tasks_to_the_test_worker(tasks_to_test_worker):
    """Tasks the live server queues go to this run's test worker."""


def test_leg_page_shows_what_the_officer_needs(as_user, celery_worker_process):
    users = engine_users_make("lp")
    dossier = dossier_make(user=users.citizen, files=(SimpleUploadedFile("giay-chung-sinh.png", PNG, "image/png"),))
    birth = leg_of(dossier, "birth_registration")
    leg_to(birth, "awaiting_supplement", user=users.justice, reason=REASON)
    services.dossier_supplement(code=dossier.code, user=users.citizen, note=REPLY,
                                files=[SimpleUploadedFile("ban-sao.png", PNG, "image/png")])

    justice = as_user(users.justice.username)
    justice.goto(f"/can-bo/thu-tuc/{birth.pk}/")
    assert REASON not in justice.inner_text("#leg-state")  # answered: history, not the state
    assert "giay-chung-sinh.png" in justice.inner_text("#leg-attachments")
    exchanges = justice.inner_text("#leg-supplements")
    assert REASON in exchanges and REPLY in exchanges and "ban-sao.png" in exchanges
    screenshot(justice, "staff-leg-supplement-reply")

    justice.click("button:has-text('Hoàn thành thủ tục')")
    dialog = justice.locator("dialog#confirm-complete")
    dialog.wait_for()
    assert Leg.objects.get(pk=birth.pk).status == "in_progress"  # nothing happened yet
    screenshot(justice, "staff-leg-confirm")
    dialog.get_by_role("button", name="Xác nhận hoàn thành").click()
    justice.wait_for_selector("text=Đã hoàn thành thủ tục")
    birth.refresh_from_db()
    assert birth.status == "completed"
    child_id = birth.result["personal_id"]

    # The worker renders the extract and opens the police and BHXH legs.
    wait_for(lambda: Document.objects.filter(leg=birth).exclude(file="").exists()
             and leg_of(dossier, "residence_registration").status == "pending", timeout=60)
    justice.goto(f"/can-bo/thu-tuc/{birth.pk}/")
    issued = justice.inner_text("#issued")
    assert birth.result["registration_number"] in issued and child_id in issued and "PDF" in issued
    screenshot(justice, "staff-leg-completed")

    police = as_user(users.police.username)
    residence = leg_of(dossier, "residence_registration")
    police.goto(f"/can-bo/thu-tuc/{residence.pk}/")
    assert child_id in police.inner_text("#sibling-birth_registration")
    screenshot(police, "staff-leg-police")


def test_queue_search_finds_a_name_without_diacritics(as_user):
    users = engine_users_make("qs")
    wanted = dossier_make(user=users.citizen, subject__full_name="Phạm Thị Đào")
    other = dossier_make(user=users.citizen)
    justice = as_user(users.justice.username)
    justice.goto("/can-bo/hang-doi/")
    justice.fill("input[name=q]", "pham thi dao")
    justice.press("input[name=q]", "Enter")
    justice.wait_for_url(lambda url: "q=pham+thi+dao" in url)
    rows = justice.inner_text("table.queue tbody")
    assert wanted.code in rows and other.code not in rows
    screenshot(justice, "staff-queue-search")
    justice.goto(f"/can-bo/hang-doi/?q={other.applicant['personal_id']}")
    assert wanted.code in justice.inner_text("table.queue tbody")  # same mother's ID on both
    justice.goto(f"/can-bo/hang-doi/?q={other.code}")
    rows = justice.inner_text("table.queue tbody")
    assert other.code in rows and wanted.code not in rows
