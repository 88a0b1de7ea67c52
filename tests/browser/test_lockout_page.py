"""The page a locked-out user sees (django-axes), in a real browser on a
phone, where most citizens log in."""
from __future__ import annotations

from datetime import timedelta

import pytest

from agencies.models import Role
from tests.factories import UserFactory
from tests.helpers import screenshot

pytestmark = pytest.mark.browser
PASSWORD = "Dung-Mat-Khau-2026"


def test_the_lockout_page_says_why_and_for_how_long(phone_page, transactional_db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Not the default 15: the page must say the configured cool-off.
    settings.AXES_COOLOFF_TIME = timedelta(minutes=30)
    UserFactory(username="khoa-thu", role=Role.CITIZEN, password=PASSWORD)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        phone_page.goto("/dang-nhap/")
        phone_page.fill("#id_username", "khoa-thu")
        phone_page.fill("#id_password", "sai-mat-khau")
        with phone_page.expect_navigation() as navigation:
            phone_page.click("button[type=submit].primary")
    assert navigation.value.status == 429
    text = phone_page.inner_text("main")
    assert "30 phút" in text and "đăng nhập sai 5 lần" in text
    # The page is usable at 360 px: nothing wider than the screen.
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, width
    screenshot(phone_page, "login-lockout-phone")
