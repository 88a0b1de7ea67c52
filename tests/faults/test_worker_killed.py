"""A worker killed with SIGKILL in the middle of fan-out.

The kill lands mid-task deterministically, without any hook in the app: the
test holds row locks on the dependent legs, so the worker's fan-out blocks
inside its transaction (seen in pg_stat_activity as a backend waiting on a
lock) after it has locked the dossier and the finished leg and before it
commits. Then the worker process is killed, the locks released, and a new
worker process must bring every dependent leg to its queue exactly once."""
from __future__ import annotations

import os
import signal

import psutil
import psycopg
import pytest

from dossiers import services
from dossiers.models import Leg, Notification, Transition
from dossiers.tasks import sweep
from tests.conftest import _test_database_url
from tests.dossiers.payloads import birth_payload
from tests.factories import leg_of
from tests.faults.conftest import wait_until
from tests.faults.helpers import DEPENDANTS, all_open, opens, sent_for

pytestmark = pytest.mark.worker
DOSSIERS = 3


def _accepted_births(eng, queue: str) -> list:
    """Three birth dossiers, birth registration accepted; what that queued
    (notices, appointment slips) is dropped so the worker starts on fan-out."""
    import redis

    dossiers = []
    for _i in range(DOSSIERS):
        dossier = services.dossier_submit(data=birth_payload(), user=eng.citizen)
        services.leg_accept(leg_id=leg_of(dossier, "birth_registration").pk, user=eng.justice)
        dossiers.append(dossier)
    redis.Redis.from_url(os.environ["REDIS_URL"]).delete(queue)
    return dossiers


def _lock_dependants(dossiers) -> psycopg.Connection:
    """Another session holds FOR UPDATE locks on every dependent leg."""
    conn = psycopg.connect(_test_database_url())
    ids = list(Leg.objects.filter(dossier__in=dossiers, service__in=DEPENDANTS).values_list("pk", flat=True))
    conn.execute("SELECT id FROM dossiers_leg WHERE id = ANY(%s) FOR UPDATE", [ids])
    return conn


def _fan_out_blocked(lock: psycopg.Connection) -> bool:
    """A worker's fan-out waits for our locks, inside its transaction."""
    with psycopg.connect(_test_database_url(), autocommit=True) as probe:
        rows = probe.execute(
            "SELECT pid, query FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
            " AND pid <> %s AND state = 'active'", [lock.info.backend_pid]).fetchall()
    return any("dossiers_leg" in query and "FOR UPDATE" in query for _pid, query in rows)


def _complete_births(eng, dossiers) -> None:
    """Justice completes each birth registration: on commit the engine
    queues the notice, the certificate and the fan-out to the worker."""
    for dossier in dossiers:
        services.leg_complete(leg_id=leg_of(dossier, "birth_registration").pk, user=eng.justice)


def _assert_exactly_once(dossiers, worker) -> None:
    opened = Transition.objects.filter(dossier__in=dossiers, action="open")
    # Every leg opened once, and each opening told the applicant once (by e-mail).
    wait_until(lambda: len(sent_for(opened)) == len(DEPENDANTS) * DOSSIERS, timeout=60)
    for dossier in dossiers:
        assert opens(dossier) == dict.fromkeys(DEPENDANTS, 1), dossier.code
        assert Leg.objects.filter(dossier=dossier).count() == 3
        statuses = Leg.objects.filter(dossier=dossier, service__in=DEPENDANTS).values_list("status", flat=True)
        assert set(statuses) == {"pending"}
    assert Notification.objects.filter(transition__in=opened).count() == len(DEPENDANTS) * DOSSIERS


def test_pool_process_killed_mid_fan_out_is_redelivered(eng, fault_queue, workers):
    """The process running the task dies (prefork child, SIGKILL): the
    worker rejects the message back onto the queue (acks_late +
    reject_on_worker_lost), its new process runs the fan-out again."""
    dossiers = _accepted_births(eng, fault_queue)
    worker = workers.start(fault_queue, pool="prefork", concurrency=1)
    lock = _lock_dependants(dossiers)
    try:
        _complete_births(eng, dossiers)
        wait_until(lambda: _fan_out_blocked(lock), timeout=90)
        [child] = psutil.Process(worker.proc.pid).children()
        assert not Transition.objects.filter(dossier__in=dossiers, action="open").exists()
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=10)
    finally:
        lock.rollback()
        lock.close()

    wait_until(lambda: all_open(dossiers), timeout=60)
    _assert_exactly_once(dossiers, worker)
    assert "WorkerLostError" in worker.text() and "SIGKILL" in worker.text()
    [replacement] = psutil.Process(worker.proc.pid).children()
    assert replacement.pid != child.pid


def test_whole_worker_killed_mid_fan_out_then_a_new_worker_and_the_sweep(eng, fault_queue, workers):
    """The whole worker dies (SIGKILL to its process group, as the OOM
    killer or a lost machine would): its message stays unacknowledged in
    Redis until the visibility timeout (an hour); a new worker takes the
    rest of the queue, and the sweep beat sends every minute opens what the
    dead one left waiting."""
    dossiers = _accepted_births(eng, fault_queue)
    first = workers.start(fault_queue)
    lock = _lock_dependants(dossiers)
    try:
        _complete_births(eng, dossiers)
        wait_until(lambda: _fan_out_blocked(lock), timeout=90)
        os.killpg(first.proc.pid, signal.SIGKILL)
        first.proc.wait(timeout=10)
    finally:
        lock.rollback()
        lock.close()
    assert not Transition.objects.filter(dossier__in=dossiers, action="open").exists()

    second = workers.start(fault_queue)
    # What beat sends every minute, through the broker.
    sweep.apply_async(queue=fault_queue)
    wait_until(lambda: all_open(dossiers), timeout=60)
    _assert_exactly_once(dossiers, second)
