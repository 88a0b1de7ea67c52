"""The report of unusual access (docs/domain.md §2): officers who opened more
than UNUSUAL_ACCESS_PER_DAY distinct dossiers outside their queue (no leg of
their agency in their unit) in one day. Built from constructed view-log rows."""
from __future__ import annotations

from datetime import date

import pytest

from dossiers import selectors, services
from tests import factories as f

pytestmark = pytest.mark.django_db
D = date(2026, 11, 20)
URL = "/can-bo/truy-cap-bat-thuong/"
NO_POLICE = ["birth_registration", "health_insurance_card"]


@pytest.fixture
def story(settings):
    settings.UNUSUAL_ACCESS_PER_DAY = 2
    users = f.engine_users_make("ua")
    users.police.full_name = "Đặng Văn Tò Mò"
    users.police.save(update_fields=["full_name"])
    outside = [f.dossier_make(at=f.vn(D, 8), services=NO_POLICE) for _ in range(3)]
    in_queue = [f.dossier_make(at=f.vn(D, 8)) for _ in range(4)]  # with a residence leg: police

    def opened(user, dossiers, at):
        with f.clock(at):
            for d in dossiers:
                services.dossier_view_record(user=user, dossier=d, full_data=True)

    # D: the commune police open three dossiers with no police leg (and their own queue, many times).
    opened(users.police, outside, f.vn(D, 10))
    opened(users.police, outside[:1], f.vn(D, 11))
    opened(users.police, in_queue * 3, f.vn(D, 12))
    # D + 1: only two outside: not above the threshold.
    opened(users.police, outside[:2], f.vn(D.replace(day=21), 10))
    # The justice officer opens every dossier: each has a justice leg.
    opened(users.justice, outside + in_queue, f.vn(D, 10))
    # The provincial viewer reads much, but is no officer.
    opened(users.viewer, outside + in_queue, f.vn(D, 10))
    return users, outside


def test_an_officer_opening_many_dossiers_outside_their_queue_is_listed(story):
    users, _outside = story
    rows = selectors.unusual_access(user=users.admin, first=D, last=D.replace(day=21), threshold=2)
    assert [(r["user"], r["day"], r["dossiers"], r["views"], r["full"]) for r in rows] == [
        (users.police, D, 3, 4, 4)]
    # A higher threshold lists nobody.
    assert selectors.unusual_access(user=users.admin, first=D, last=D, threshold=3) == []


def test_the_page_is_for_admins_and_the_provincial_office(story, client):
    users, _outside = story
    query = {"date_from": "20/11/2026", "date_to": "21/11/2026"}
    for user in (users.admin, users.viewer):
        client.force_login(user)
        page = client.get(URL, query)
        assert page.status_code == 200
        assert "Đặng Văn Tò Mò" in page.content.decode()
    # Another province's office sees nothing of Đồng Tháp's dossiers.
    hanoi_viewer = f.UserFactory(username="ua-hn-viewer", role="provincial_viewer", unit=f.unit("01"))
    client.force_login(hanoi_viewer)
    assert "Đặng Văn Tò Mò" not in client.get(URL, query).content.decode()
    for user in (users.clerk, users.justice, users.police):
        client.force_login(user)
        assert client.get(URL, query).status_code == 404
    client.force_login(users.citizen)
    assert client.get(URL, query).status_code == 403


def test_a_bad_range_is_refused_naming_the_field(story, client):
    users, _outside = story
    client.force_login(users.viewer)
    backwards = client.get(URL, {"date_from": "21/11/2026", "date_to": "20/11/2026"})
    assert backwards.status_code == 400 and "“Từ ngày” phải trước" in backwards.content.decode()
    too_long = client.get(URL, {"date_from": "01/01/2026", "date_to": "20/11/2026"})
    assert too_long.status_code == 400 and "tối đa 92 ngày" in too_long.content.decode()
    assert client.get(URL, {"date_from": "abc"}).status_code == 400
