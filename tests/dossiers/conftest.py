"""Fixtures of the engine's tests: one user per role around Xã Tân Hồng."""
from __future__ import annotations

import pytest

from tests.dossiers.factories_engine import Users, engine_users_make


@pytest.fixture
def fast_passwords(settings) -> None:
    # Nine users per test: the production hasher would spend seconds on them.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def eng(db, fast_passwords) -> Users:
    return engine_users_make()


@pytest.fixture
def tasks_to_test_worker():
    """tests/conftest.py sets `task_default_queue` before Celery reads the
    Django settings, whose CELERY_TASK_DEFAULT_QUEUE then wins: tasks would go
    to the default queue where no test worker listens. Route them to this
    run's queue, and drop the routing Celery may have cached already."""
    from lienthong.celery import app
    from tests.conftest import TEST_QUEUE

    app.conf.update(CELERY_TASK_DEFAULT_QUEUE=TEST_QUEUE, task_default_queue=TEST_QUEUE)
    for cached in ("default_queue", "queues", "router"):
        app.amqp.__dict__.pop(cached, None)
    assert app.amqp.router.route({}, "dossiers.tasks.fan_out")["queue"].name == TEST_QUEUE
