"""The counter in a real browser (1366×768): one submit reports every
problem at once, in the order of the form, each field the engine requires
is marked, and the preview panel is a focusable region."""
from __future__ import annotations

import pytest

from dossiers.models import Dossier
from tests.browser.test_staff_flows import fill_birth, staff  # noqa: F401 (fixtures)
from tests.helpers import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_every_counter_error_in_one_round(staff, as_user):  # noqa: F811
    clerk = as_user("motcua")
    fill_birth(clerk)
    # Four problems of three kinds: a date that does not parse, a missing
    # field, and two values the engine's checks refuse.
    clerk.fill("#id_subject__date_of_birth", "31/02/2026")
    clerk.fill("#id_subject__place_of_birth", "")
    clerk.fill("#id_subject__mother__personal_id", "123")
    clerk.fill("#id_applicant__phone", "12345")
    assert "*" in clerk.inner_text("label[for=id_subject__place_of_birth]")
    assert "*" in clerk.inner_text("label[for=id_applicant__phone]")
    clerk.click("button:has-text('Tiếp nhận và lập phiếu hẹn')")
    summary = clerk.locator("#error-summary")
    summary.wait_for()
    items = [li.inner_text() for li in summary.locator("li").all()]
    fields = ["Ngày sinh", "Nơi sinh", "Số định danh cá nhân của mẹ", "Số điện thoại"]
    found = [next((i for i, text in enumerate(items) if text.startswith(field)), None) for field in fields]
    assert None not in found, items
    assert found == sorted(found), items  # in the order of the form
    assert clerk.locator("#preview").get_attribute("tabindex") == "0"
    screenshot(clerk, "staff-counter-all-errors")
    assert not Dossier.objects.exists()
