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
