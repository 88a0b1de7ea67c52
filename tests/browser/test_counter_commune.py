"""The counter's residence is picked by commune name, never typed as a code
(1366×768): the list narrows as the clerk types the name without diacritics,
and the page works without JavaScript (search, then choose)."""
from __future__ import annotations

import pytest

from dossiers.models import Dossier
from tests.browser.test_staff_flows import TAN_HONG, fill_birth, staff, submit_at_counter  # noqa: F401
from tests.helpers import DEMO_PASSWORD, login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
RESIDENCE = "#id_subject__residence__unit"


def _search(pg, text: str, code: str) -> None:
    """Type a name; the list narrows to the matches, the first one chosen."""
    pg.fill("#id_commune_q", text)
    pg.wait_for_function("([sel, code]) => document.querySelector(sel).value === code", arg=[RESIDENCE, code])


def test_residence_is_picked_by_commune_name(staff, as_user):  # noqa: F811
    clerk = as_user("motcua")
    fill_birth(clerk)
    # A list of names, the counter's own commune chosen to start with.
    assert clerk.eval_on_selector(RESIDENCE, "e => e.tagName") == "SELECT"
    assert clerk.eval_on_selector(RESIDENCE, "e => e.selectedOptions[0].text") == "Xã Tân Hồng"
    # "dao thanh" finds "Phường Đạo Thạnh" (đ and the tones left out).
    _search(clerk, "dao thanh", "28249")
    screenshot(clerk, "staff-counter-commune-search")
    assert clerk.eval_on_selector(RESIDENCE, "e => e.selectedOptions[0].text") == "Phường Đạo Thạnh"
    clerk.click("button:has-text('Tiếp nhận và lập phiếu hẹn')")
    # The engine's rule speaks of the commune by its name.
    assert "Phường Đạo Thạnh" in clerk.locator("#error-summary").inner_text()
    _search(clerk, "tan hong", TAN_HONG)
    assert clerk.eval_on_selector(RESIDENCE, "e => e.selectedOptions[0].text") == "Xã Tân Hồng"
    code = submit_at_counter(clerk)
    assert Dossier.objects.get(code=code).subject["residence"]["unit"] == TAN_HONG


def test_commune_search_without_javascript(staff, browser, live_server):  # noqa: F811
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="vi-VN",
                                  base_url=live_server.url, java_script_enabled=False)
    try:
        clerk = context.new_page()
        login(clerk, "motcua", DEMO_PASSWORD)
        fill_birth(clerk)
        clerk.fill("#id_commune_q", "dao thanh")
        clerk.click("button[name=find_commune]")
        clerk.wait_for_load_state()
        # What was typed is still there; the first match is chosen.
        assert clerk.input_value("#id_subject__full_name") == "Trần Minh Khang"
        assert clerk.eval_on_selector(RESIDENCE, "e => e.selectedOptions[0].text") == "Phường Đạo Thạnh"
        # axe-core is a script: it cannot run where scripts are off.
        screenshot(clerk, "staff-counter-commune-nojs", axe=False)
        clerk.fill("#id_commune_q", "Tân Hồng")
        clerk.click("button[name=find_commune]")
        clerk.wait_for_load_state()
        assert clerk.eval_on_selector(RESIDENCE, "e => e.selectedOptions[0].value") == TAN_HONG
        clerk.click("button:has-text('Tiếp nhận và lập phiếu hẹn')")
        clerk.wait_for_selector("#dossier-code")
        code = clerk.inner_text("#dossier-code").strip()
        assert Dossier.objects.get(code=code).subject["residence"]["unit"] == TAN_HONG
    finally:
        context.close()
