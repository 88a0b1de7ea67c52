"""Layout at the clerks' 1366×768 and a 360 px phone, measured in a real
browser: the queue's action column lines up with its heading on every row,
a long Vietnamese name in the header is shown whole, and the provincial
officer's navigation fits one row. Screenshots (with axe-core) at both
sizes in tests/screenshots/."""
from __future__ import annotations

import pytest

from tests.browser.conftest import SIZES
from tests.factories import dossier_make, engine_users_make, leg_of, leg_to
from tests.helpers import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
LONG_NAME = "Nguyễn Hoàng Thị Phương Thảo Nguyên"


@pytest.fixture
def eng(transactional_db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    users = engine_users_make("lay")
    for user in (users.viewer, users.justice):
        user.full_name = LONG_NAME
        user.save(update_fields=["full_name"])
    return users


def name_shown_whole(pg) -> None:
    """The person's name is in the header and nothing of it is clipped."""
    who = pg.locator(".account .who")
    assert LONG_NAME in who.inner_text()
    sizes = who.evaluate("el => [el.scrollWidth, el.clientWidth, el.scrollHeight, el.clientHeight]")
    assert sizes[0] <= sizes[1] + 1 and sizes[2] <= sizes[3] + 1, f"the name in the header is cut off: {sizes}"


@pytest.mark.parametrize("size", list(SIZES))
def test_the_queue_action_column_lines_up(eng, open_as, size):
    with_two_buttons = leg_of(dossier_make(user=eng.citizen), "birth_registration")  # pending: accept + details
    leg_to(leg_of(dossier_make(user=eng.citizen), "birth_registration"), "in_progress", user=eng.justice)
    dossier_make(user=eng.citizen)
    pg = open_as(eng.justice.username, size)
    pg.goto("/can-bo/hang-doi/")
    assert pg.locator(f"#leg-{with_two_buttons.pk} td.actions button").count() == 1
    if size == "desktop":
        head = pg.locator("table.queue thead th").last.bounding_box()
        cells = pg.locator("table.queue tbody td.actions")
        assert cells.count() == 3
        for i in range(cells.count()):
            cell = cells.nth(i)
            # A table cell (not a flex box beside the row), under its heading,
            # as tall as the row's other cells so the row's rule runs straight.
            assert cell.evaluate("el => getComputedStyle(el).display") == "table-cell"
            box = cell.bounding_box()
            first = cell.locator("xpath=../td[1]").bounding_box()
            assert abs(box["x"] - head["x"]) < .5 and abs(box["width"] - head["width"]) < .5, (box, head)
            assert abs(box["y"] - first["y"]) < .5 and abs(box["height"] - first["height"]) < .5, (box, first)
        name_shown_whole(pg)
    screenshot(pg, f"layout-queue-{size}")


@pytest.mark.parametrize("size", list(SIZES))
def test_the_provincial_header_fits(eng, open_as, size):
    pg = open_as(eng.viewer.username, size)
    pg.goto("/bao-cao/")
    links = pg.locator(".mainnav a")
    assert links.count() >= 6  # the whole provincial navigation
    if size == "desktop":
        tops = {round(links.nth(i).bounding_box()["y"]) for i in range(links.count())}
        assert len(tops) == 1, f"the navigation wraps onto {len(tops)} rows"
        name_shown_whole(pg)
    screenshot(pg, f"layout-provincial-header-{size}")
