"""The portal opens in Vietnamese whatever language the browser asks for
(office PCs run English Windows, Chromium's default is en-US); English only
when the person picks it, and the choice is remembered on the next page."""
from __future__ import annotations

import pytest

from tests.helpers import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def english_browser(browser, live_server):
    """A browser set to English, at 1366×768 and 360×740."""
    contexts = []

    def open_at(width: int, height: int):
        context = browser.new_context(viewport={"width": width, "height": height}, locale="en-US",
                                      base_url=live_server.url, timezone_id="Asia/Ho_Chi_Minh")
        context.set_default_timeout(15000)
        contexts.append(context)
        return context.new_page()

    yield open_at
    for context in contexts:
        context.close()


@pytest.mark.parametrize(("width", "height", "size"), [(1366, 768, "desktop"), (360, 740, "phone")])
def test_an_english_browser_gets_vietnamese_until_english_is_picked(english_browser, width, height, size):
    pg = english_browser(width, height)
    assert pg.evaluate("navigator.language") == "en-US"
    pg.goto("/")
    assert pg.get_attribute("html", "lang") == "vi"
    pg.goto("/dang-nhap/")
    assert pg.get_attribute("html", "lang") == "vi"
    assert "Mật khẩu" in pg.inner_text("main")
    screenshot(pg, f"language-default-vietnamese-{size}")
    # The person picks English: it stays English on the next pages.
    with pg.expect_navigation():
        pg.click("form.lang button[value=en]")
    assert pg.get_attribute("html", "lang") == "en"
    assert "Password" in pg.inner_text("main")
    pg.goto("/")
    assert pg.get_attribute("html", "lang") == "en"
    screenshot(pg, f"language-picked-english-{size}")
    # ... and back to Vietnamese the same way.
    with pg.expect_navigation():
        pg.click("form.lang button[value=vi]")
    assert pg.get_attribute("html", "lang") == "vi"
