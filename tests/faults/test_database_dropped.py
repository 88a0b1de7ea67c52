"""The database drops the web process's connections (pg_terminate_backend,
as a failover or a restarted PostgreSQL would): the next requests succeed
without restarting the app (persistent connections, CONN_MAX_AGE 60, with
CONN_HEALTH_CHECKS: Django tests a reused connection at the start of each
request and opens a new one when the old one is dead)."""
from __future__ import annotations

import pytest
import requests
from django.conf import settings
from django.db import connection
from rest_framework.authtoken.models import Token

from dossiers.models import Dossier
from tests.dossiers.payloads import birth_payload

pytestmark = pytest.mark.worker
ROUNDS = 3


def _terminate_others() -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(pid), pid FROM pg_stat_activity "
                       "WHERE datname = current_database() AND pid <> pg_backend_pid()")
        return [pid for ok, pid in cursor.fetchall() if ok]


def _backends() -> set[int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                       "AND pid <> pg_backend_pid()")
        return {pid for (pid,) in cursor.fetchall()}


def test_web_app_recovers_when_its_database_connections_are_terminated(eng, fault_queue, web_server):
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True
    assert settings.DATABASES["default"]["CONN_MAX_AGE"] == 60
    web = web_server(CELERY_QUEUE=fault_queue)
    headers = {"Authorization": f"Token {Token.objects.get_or_create(user=eng.clerk)[0].key}"}
    base = f"{web.url}/api/v1"

    assert requests.get(f"{base}/dossiers/", headers=headers, timeout=30).status_code == 200
    for round_ in range(ROUNDS):
        # The web process keeps its connection between requests: that is what dies.
        alive = _backends()
        assert alive, "the web process holds no persistent connection"
        killed = _terminate_others()
        assert set(killed) == alive, round_

        # The very next request, a read, then a write: no error, no restart.
        listed = requests.get(f"{base}/dossiers/", headers=headers, timeout=30)
        assert listed.status_code == 200, (round_, listed.status_code, listed.text[:300])
        created = requests.post(f"{base}/dossiers/", json=birth_payload(channel="one_stop"), headers=headers,
                                timeout=30)
        assert created.status_code == 201, (round_, created.status_code, created.text[:300])
        assert Dossier.objects.filter(code=created.json()["code"]).exists()
        assert _backends().isdisjoint(killed)  # served on a new connection
        assert web.proc.poll() is None
    assert Dossier.objects.count() == ROUNDS
    assert '" 500 ' not in web.text()


def test_worker_recovers_when_its_database_connection_is_terminated(eng, fault_queue, workers):
    """The same for a worker: its connection dies between two tasks; the
    next task still does its work (Celery's Django fix-up closes unusable
    connections before each task; the engine's tasks retry DatabaseError)."""
    import os

    import redis

    from dossiers.models import Transition
    from dossiers.tasks import fan_out, notify_transition
    from lienthong.celery import queue_names
    from tests.faults.conftest import wait_until
    from tests.faults.helpers import DEPENDANTS, birth_registered, opens, succeeded

    dossier, birth = birth_registered(eng)
    redis.Redis.from_url(os.environ["REDIS_URL"]).delete(*queue_names(fault_queue))
    worker = workers.start(fault_queue)
    complete = Transition.objects.get(leg=birth, action="complete")
    first = notify_transition.apply_async(args=(complete.pk,), queue=fault_queue)
    wait_until(lambda: succeeded(worker.text(), first.id), timeout=60)

    assert _backends(), "the worker holds no persistent connection"
    assert _terminate_others()
    second = fan_out.apply_async(args=(birth.pk,), queue=fault_queue)
    wait_until(lambda: succeeded(worker.text(), second.id), timeout=60)
    assert opens(dossier) == dict.fromkeys(DEPENDANTS, 1)
    assert " retry: " not in worker.text()  # recovered on the first attempt
    assert worker.proc.poll() is None
