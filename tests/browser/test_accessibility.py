"""axe-core (pinned, from the npm registry: bin/ensure-tools) on every state
of the pages this change touched: the citizen's dossier page with its rating
form (empty, refused, rated), the clerk's hand-over with the rating, the
dashboard and weekly summary with the satisfaction figures, the admin's
index. No violation of impact moderate or higher; screenshots at 1366×768
and 360×740 in tests/screenshots/."""
from __future__ import annotations

import pytest

from dossiers import services
from tests.browser.conftest import SIZES
from tests.dossiers.payloads import birth_payload
from tests.factories import engine_users_make, leg_of, leg_to
from tests.helpers import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def eng(transactional_db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return engine_users_make("a11y")


def _finished(eng, channel: str):
    user = eng.citizen if channel == "online" else eng.clerk
    with services.notifications_muted():
        dossier = services.dossier_submit(data=birth_payload(channel=channel), user=user)
        for service, officer in (("birth_registration", eng.justice), ("residence_registration", eng.police),
                                 ("health_insurance_card", eng.bhxh)):
            leg_to(leg_of(dossier, service), "completed", user=officer)
    return dossier


def check(pg, name: str) -> None:
    screenshot(pg, name)  # axe-core included


@pytest.mark.parametrize("size", list(SIZES))
def test_the_citizen_rates_online_on_an_accessible_page(eng, open_as, size):
    dossier = _finished(eng, "online")
    pg = open_as(eng.citizen.username, size)
    pg.goto(f"/cong-dan/ho-so/{dossier.code}/")
    check(pg, f"rating-citizen-form-{size}")
    pg.click("#danh-gia button[type=submit]")  # nothing chosen: a field error
    pg.wait_for_selector("#danh-gia [role=alert]")
    check(pg, f"rating-citizen-refused-{size}")
    pg.check("input[name=level][value=satisfied]")
    pg.fill("textarea[name=comment]", "Cán bộ hướng dẫn tận tình")
    pg.click("#danh-gia button[type=submit]")
    pg.wait_for_selector("text=Đánh giá của bạn")
    check(pg, f"rating-citizen-done-{size}")


@pytest.mark.parametrize("size", list(SIZES))
def test_the_clerk_hands_over_and_the_figures_show(eng, open_as, size):
    dossier = _finished(eng, "one_stop")
    pg = open_as(eng.clerk.username, size)
    pg.goto(f"/can-bo/ho-so/{dossier.code}/")
    check(pg, f"rating-clerk-return-{size}")
    pg.select_option("#id_rating", "normal")
    pg.click("#tra-ket-qua button[type=submit]")
    pg.wait_for_selector("text=Đánh giá của công dân")
    check(pg, f"rating-clerk-done-{size}")

    viewer = open_as(eng.viewer.username, size)
    viewer.goto("/bao-cao/?province=82")
    viewer.wait_for_selector("#hai-long")
    check(viewer, f"rating-dashboard-{size}")
    viewer.goto("/bao-cao/tong-hop/?province=82")
    check(viewer, f"rating-summary-{size}")


def test_the_admin_names_third_party_sections_in_vietnamese(eng, open_as):
    pg = open_as(eng.admin.username, "desktop")
    pg.goto("/admin/")
    sections = [text.strip() for text in pg.locator("#content-main caption").all_text_contents()]
    for title in ("Chống dò mật khẩu (khóa đăng nhập)", "Tác vụ định kỳ", "Khóa truy cập API"):
        assert title in sections, sections
    for english in ("Axes", "Periodic Tasks", "Auth Token"):
        assert english not in sections, sections
    models = [text.strip() for text in pg.locator("#content-main th[scope=row]").all_text_contents()]
    for title in ("Lần thử đăng nhập", "Nhật ký truy cập", "Tác vụ định kỳ", "Lịch crontab", "Khóa truy cập API"):
        assert title in models, models
    for english in ("Access attempts", "Periodic tasks", "Crontabs", "Tokens"):
        assert english not in models, models
    screenshot(pg, "admin-index-desktop")
