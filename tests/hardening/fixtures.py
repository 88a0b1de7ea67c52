"""The access matrix's world, built once per module inside a transaction that
is rolled back at the end; each test runs in a savepoint of it (`db`)."""
from __future__ import annotations

import pytest
from django.db import transaction
from django.test import override_settings

from tests.hardening.world import World, world_build


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory) -> World:
    media = tmp_path_factory.mktemp("matrix-media")
    # Nine users: the production hasher would spend seconds on them.
    with override_settings(MEDIA_ROOT=media, PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]), \
            django_db_blocker.unblock(), transaction.atomic():
        built = world_build()
        yield built
        transaction.set_rollback(True)
