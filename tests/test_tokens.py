"""API tokens expire, their owner can revoke them, and logging out of the
website revokes the browser user's token."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from rest_framework.authtoken.models import Token

from agencies.models import Role
from tests.factories import UserFactory

PASSWORD = "Dung-Mat-Khau-2026"
URL = "/api/v1/auth/token/"


@pytest.fixture
def clerk(db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return UserFactory(username="tok-clerk", role=Role.CITIZEN, password=PASSWORD)


def _token(client) -> str:
    response = client.post(URL, {"username": "tok-clerk", "password": PASSWORD})
    assert response.status_code == 200, response.content
    return response.json()["token"]


def _me(client, key: str):
    return client.get("/api/v1/dossiers/", HTTP_AUTHORIZATION=f"Token {key}")


def test_a_token_expires_and_a_new_one_is_issued(client, clerk):
    key = _token(client)
    assert _me(client, key).status_code == 200
    Token.objects.filter(key=key).update(created=Token.objects.get(key=key).created
                                         - django_settings.API_TOKEN_TTL - timedelta(seconds=1))
    response = _me(client, key)
    assert response.status_code == 401
    assert "hết hạn" in response.json()["detail"]
    fresh = _token(client)
    assert fresh != key and _me(client, fresh).status_code == 200


def test_the_owner_revokes_the_token_it_calls_with(client, clerk):
    key = _token(client)
    response = client.delete(URL, HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 204
    assert _me(client, key).status_code == 401
    assert not Token.objects.filter(user=clerk).exists()
    assert client.delete(URL).status_code in (401, 403)


def test_logging_out_of_the_website_revokes_the_token(client, clerk):
    key = _token(client)
    assert client.post("/dang-nhap/", {"username": "tok-clerk", "password": PASSWORD}).status_code == 302
    client.post("/dang-xuat/")
    assert _me(client, key).status_code == 401
