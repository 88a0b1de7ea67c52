"""The log-in lock-out counts per account, not per spelling of its name, and
per client address as the deployment sees it (behind its load balancer)."""
from __future__ import annotations

import pytest
from django.conf import settings as django_settings

from agencies.models import Role
from tests.factories import UserFactory

PASSWORD = "Dung-Mat-Khau-2026"
WRONG = "sai-mat-khau"


@pytest.fixture
def citizen(db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return UserFactory(username="lockme3", role=Role.CITIZEN, phone="0911222333", password=PASSWORD)


def _web(client, name: str, password: str, **extra):
    return client.post("/dang-nhap/", {"username": name, "password": password}, **extra)


def _api(client, name: str, password: str, **extra):
    return client.post("/api/v1/auth/token/", {"username": name, "password": password}, **extra)


def _lock(client, name: str = "lockme3", **extra) -> None:
    for _ in range(django_settings.AXES_FAILURE_LIMIT):
        _web(client, name, WRONG, **extra)
    assert _web(client, name, PASSWORD, **extra).status_code == 429


@pytest.mark.parametrize("spelling", ["LOCKME3", "LockMe3", " lockme3 ", "0911222333", "+84911222333",
                                      "84 911 222 333", "0911.222.333"])
def test_another_spelling_of_a_locked_account_is_locked_too(client, citizen, spelling):
    _lock(client)
    assert _web(client, spelling, PASSWORD).status_code == 429, spelling
    assert "_auth_user_id" not in client.session
    response = _api(client, spelling, PASSWORD)
    assert response.status_code == 429, (spelling, response.content)
    assert "token" not in response.json()


def test_failures_in_mixed_spellings_add_up_to_one_lock(client, citizen):
    spellings = ["LOCKME3", "+84911222333", "0911 222 333", "lockme3", "84911222333"]
    assert len(spellings) == django_settings.AXES_FAILURE_LIMIT
    for spelling in spellings:
        _api(client, spelling, WRONG)
    assert _web(client, "lockme3", PASSWORD).status_code == 429


def test_unknown_names_are_counted_in_their_normal_form(client, db):
    for spelling in ["NOBODY", "nobody", "Nobody", " nobody", "NoBody"]:
        _web(client, spelling, WRONG)
    assert _web(client, "nobody", WRONG).status_code == 429


def test_the_lock_follows_the_forwarded_client_behind_the_load_balancer(client, citizen, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    balancer = {"REMOTE_ADDR": "10.0.0.5"}
    _lock(client, HTTP_X_FORWARDED_FOR="203.0.113.7", **balancer)
    # Another citizen behind the same balancer is not locked out of the account.
    assert _web(client, "lockme3", PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.9", **balancer).status_code == 302
    # A forged left-most hop does not change the address the balancer saw.
    client.logout()
    assert _web(client, "lockme3", PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.9, 203.0.113.7",
                **balancer).status_code == 429


def test_a_forwarded_header_from_an_untrusted_peer_is_ignored(client, citizen, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    _lock(client, HTTP_X_FORWARDED_FOR="203.0.113.7", REMOTE_ADDR="192.0.2.1")
    assert _web(client, "lockme3", PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.9",
                REMOTE_ADDR="192.0.2.1").status_code == 429
