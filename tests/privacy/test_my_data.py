"""A citizen sees, from their account, every dossier it filed, what the portal
holds of it and who opened it (docs/domain.md §2, §10): the viewer's unit and
role and the time, never the officer's name."""
from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dossiers.models import DossierView
from tests import factories as f
from tests.helpers import login, screenshot

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
URL = "/cong-dan/du-lieu-cua-toi/"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _story(users):
    """The citizen files a birth with a paper; the commune's justice officer
    and the provincial viewer open it; someone else's dossier exists too."""
    mine = f.dossier_make(user=users.citizen, files=(SimpleUploadedFile("giay-chung-sinh.pdf", PDF,
                                                                         "application/pdf"),))
    other_citizen = f.UserFactory(username="someone-else", role="citizen")
    theirs = f.dossier_make(user=other_citizen, applicant__full_name="Phạm Thị Lan")
    return mine, theirs


def _open_as(client, user, dossier) -> None:
    client.force_login(user)
    assert client.get(reverse("staff:dossier", args=[dossier.code])).status_code == 200
    client.logout()


@pytest.mark.django_db
def test_a_citizen_sees_their_dossiers_and_who_opened_them(client, media, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    users = f.engine_users_make("md")
    users.justice.full_name = "Võ Văn Tư Pháp"
    users.justice.save(update_fields=["full_name"])
    mine, theirs = _story(users)
    _open_as(client, users.justice, mine)
    _open_as(client, users.viewer, mine)
    _open_as(client, users.justice, theirs)

    client.force_login(users.citizen)
    home = client.get(reverse("citizen:home")).content.decode()
    assert URL in home  # reachable from the citizen's home
    response = client.get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert mine.code in page and theirs.code not in page and "Phạm Thị Lan" not in page
    assert "giay-chung-sinh.pdf" in page
    # Who: agency or role and unit; never the officer's name.
    assert "Tư pháp" in page and "Xã Tân Hồng" in page
    assert "Cán bộ theo dõi cấp tỉnh – Tỉnh Đồng Tháp" in page
    assert "Võ Văn Tư Pháp" not in page and users.justice.username not in page
    assert page.count("xem đầy đủ số định danh") == 1 and page.count("số định danh được che") == 1
    # The page says that it lists what this account filed, not every mention.
    assert "chỉ liệt kê hồ sơ bạn đã nộp" in page
    # Looking at one's own data is not an opening of a dossier.
    assert DossierView.objects.filter(dossier=mine).count() == 2


@pytest.mark.django_db
def test_staff_do_not_use_the_citizen_page(client):
    users = f.engine_users_make("md2")
    client.force_login(users.justice)
    assert client.get(URL).status_code == 302
    client.logout()
    assert client.get(URL).status_code == 302  # to the login page


@pytest.mark.browser
def test_the_page_on_a_phone(phone_page, transactional_db, settings, media):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    users = f.engine_users_make("mdp")
    mine, _theirs = _story(users)
    f.leg_to(f.leg_of(mine, "birth_registration"), "completed")
    for viewer in (users.justice, users.police, users.viewer):
        from dossiers import services

        services.dossier_view_record(user=viewer, dossier=mine, full_data=viewer != users.viewer)
    login(phone_page, users.citizen.username)
    phone_page.goto("/cong-dan/")
    phone_page.click(f"a[href='{URL}']")
    phone_page.wait_for_url(f"**{URL}")
    assert phone_page.locator(".c-openings li").count() == 3
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, width
    screenshot(phone_page, "citizen-my-data-360")
