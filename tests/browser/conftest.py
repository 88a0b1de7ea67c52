"""Fixtures of the staff browser tests."""
from __future__ import annotations

import pytest

from tests.helpers import login


@pytest.fixture
def as_user(browser, live_server):
    """A fresh 1366×768 browser session signed in as `username`."""
    contexts = []

    def open_as(username: str):
        context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="vi-VN",
                                      base_url=live_server.url, timezone_id="Asia/Ho_Chi_Minh")
        context.set_default_timeout(15000)
        contexts.append(context)
        pg = context.new_page()
        login(pg, username)
        return pg

    yield open_as
    for context in contexts:
        context.close()
