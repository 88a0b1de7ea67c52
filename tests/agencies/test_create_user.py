from __future__ import annotations

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command

from agencies.models import User

pytestmark = pytest.mark.django_db


def test_it_creates_an_officer_bound_to_commune_and_agency():
    call_command("create_user", "--username", "cb1", "--password", "Mk@12345678", "--role", "officer",
                 "--unit", "29926", "--agency", "police", stdout=open("/dev/null", "w"))
    user = User.objects.get(username="cb1")
    assert (user.role, user.agency, user.unit.code, user.unit.map) == ("officer", "police", "29926", "current")
    assert authenticate(username="cb1", password="Mk@12345678") == user


def test_running_again_updates_instead_of_duplicating():
    for role, unit in (("one_stop_clerk", "29926"), ("provincial_viewer", "82")):
        call_command("create_user", "--username", "u", "--password", "Mk@12345678", "--role", role, "--unit", unit,
                     stdout=open("/dev/null", "w"))
    user = User.objects.get(username="u")
    assert (user.role, user.unit.code, user.agency) == ("provincial_viewer", "82", "")
    assert User.objects.filter(username="u").count() == 1


@pytest.mark.parametrize("args, field", [
    (["--role", "officer", "--unit", "29926"], "agency"),
    (["--role", "officer", "--unit", "29926", "--agency", "army"], "agency"),
    (["--role", "one_stop_clerk"], "unit"),
    (["--role", "one_stop_clerk", "--unit", "00000"], "unit"),
    (["--role", "provincial_viewer", "--unit", "29926"], "unit"),
    (["--role", "king"], "role"),
])
def test_bad_arguments_are_refused_naming_the_field(args, field):
    with pytest.raises(CommandError) as exc:
        call_command("create_user", "--username", "bad", "--password", "Mk@12345678", *args)
    assert str(exc.value).startswith(f"{field}:") or f"; {field}:" in str(exc.value)
    assert not User.objects.filter(username="bad").exists()


def test_admin_gets_django_admin_access():
    call_command("create_user", "--username", "root2", "--password", "Mk@12345678", "--role", "admin",
                 stdout=open("/dev/null", "w"))
    user = User.objects.get(username="root2")
    assert user.is_staff and user.is_superuser


@pytest.mark.parametrize("password", [
    "1234567890",        # numbers only, and common
    "Ab@1",              # too short
    "password123",       # a common password
    "pw-owner-2026",     # too close to the user name below
])
def test_a_weak_password_is_refused_naming_the_field(password):
    with pytest.raises(CommandError) as exc:
        call_command("create_user", "--username", "pw-owner", "--password", password, "--role", "admin")
    assert str(exc.value).startswith("password: Mật khẩu (--password) chưa đạt yêu cầu:")
    assert not User.objects.filter(username="pw-owner").exists()


def test_a_weak_password_does_not_change_an_existing_account():
    call_command("create_user", "--username", "kept", "--password", "Mk@12345678", "--role", "admin",
                 stdout=open("/dev/null", "w"))
    with pytest.raises(CommandError):
        call_command("create_user", "--username", "kept", "--password", "123", "--role", "citizen")
    user = User.objects.get(username="kept")
    assert user.role == "admin" and user.check_password("Mk@12345678")


def test_the_demo_seed_still_creates_its_accounts(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("seed_demo", "--no-dossiers", stdout=open("/dev/null", "w"))
    from dossiers.management.commands.seed_demo import DEMO_PASSWORD, DEMO_USERS
    for username, *_rest in DEMO_USERS:
        assert User.objects.get(username=username).check_password(DEMO_PASSWORD)
