"""Fixtures of the browser tests: sessions signed in as a user, at the
portal's two sizes."""
from __future__ import annotations

import pytest

from tests.helpers import login

SIZES = {"desktop": (1366, 768), "phone": (360, 740)}


@pytest.fixture
def open_as(browser, live_server):
    """open_as(username, size): a fresh browser session of that size signed
    in as `username`; closed after the test."""
    contexts = []

    def open_(username: str, size: str = "desktop"):
        width, height = SIZES[size]
        context = browser.new_context(viewport={"width": width, "height": height}, locale="vi-VN",
                                      base_url=live_server.url, timezone_id="Asia/Ho_Chi_Minh")
        context.set_default_timeout(15000)
        contexts.append(context)
        pg = context.new_page()
        login(pg, username)
        return pg

    yield open_
    for context in contexts:
        context.close()


@pytest.fixture
def as_user(open_as):
    """A fresh 1366×768 browser session signed in as `username`."""
    return lambda username: open_as(username, "desktop")
