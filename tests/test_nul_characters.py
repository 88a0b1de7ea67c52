"""A NUL character (%00) anywhere in a URL is refused with a 400 that names
where it was, before any view runs: PostgreSQL cannot compare text with NUL,
so a NUL reaching a query was a 500 (schemathesis found one in the dossier
list's `channel`)."""
from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from tests.factories import UserFactory, unit

PATHS = [
    ("/api/v1/dossiers/?channel=one_stop%00", "channel"),
    ("/api/v1/dossiers/?search=Nguy%00n&bundle=birth", "search"),
    ("/api/v1/dossiers/KS-261124-AB%00CD/", "path"),
    ("/api/v1/legs/?service=%00", "service"),
    ("/api/v1/reports/adoption/?province=82%00", "province"),
    ("/api/v1/reports/daily/?province=%0082", "province"),
    ("/can-bo/ho-so/?q=T%00n", "q"),
    ("/can-bo/ho-so/KS%00/", "path"),
    ("/tra-cuu/?code=KS%00&phone=0912", "code"),
    ("/bao-cao/?province=82%00", "province"),
]


@pytest.fixture
def viewer_client(db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    user = UserFactory(username="nul-viewer", role="provincial_viewer", unit=unit("82"))
    client = APIClient()
    client.force_login(user)
    return client


@pytest.mark.parametrize("path, where", PATHS)
def test_a_nul_in_the_url_is_a_clear_400(viewer_client, path, where):
    response = viewer_client.get(path, HTTP_ACCEPT_LANGUAGE="vi")
    assert response.status_code == 400, (path, response.status_code)
    body = response.content.decode()
    assert "ký tự NUL" in body and where in body


def test_the_api_answer_is_json_naming_the_parameter(viewer_client):
    response = viewer_client.get("/api/v1/dossiers/?bundle=birth&channel=one_stop%00")
    assert response.status_code == 400
    assert list(response.json()) == ["channel"]


def test_an_ordinary_url_is_untouched(viewer_client):
    assert viewer_client.get("/api/v1/dossiers/?search=Nguyễn").status_code == 200



def test_an_outside_count_with_a_nul_in_its_unit_is_refused_by_name(viewer_client):
    response = viewer_client.post("/api/v1/outside-counts/", {"unit": "29926\x00", "date": "2026-11-20",
                                                             "procedure": "residence_registration", "count": 3},
                                  format="json")
    assert response.status_code == 400, response.content
    assert list(response.json()) == ["unit"]


def test_the_refusal_speaks_the_requests_language_not_the_threads(viewer_client):
    # A thread that last served an English page must not answer the next
    # person's refusal in English: the locale is chosen first.
    from django.utils import translation

    translation.activate("en")
    try:
        response = viewer_client.get("/tra-cuu/?code=KS%00")
    finally:
        translation.deactivate()
    assert response.status_code == 400 and "ký tự NUL" in response.content.decode()
