"""`/healthz?queues=1` (for monitoring) says which of the deployment's queues
no worker consumes: after an upgrade that adds a pool, a missing `documents`
pool would otherwise leave every PDF waiting without an error anywhere."""
from __future__ import annotations

import pytest

from lienthong.celery import queue_names
from tests.faults.conftest import wait_until

pytestmark = pytest.mark.worker


def test_healthz_names_the_queues_no_worker_consumes(client, db, fault_queue, workers):
    dispatch, documents, reports = queue_names(fault_queue)
    workers.start(fault_queue, queues=[dispatch])
    response = client.get("/healthz?queues=1")
    assert response.status_code == 503, response.content
    assert response.json()["checks"]["queues"] == {"ok": False, "consumed": [dispatch],
                                                   "missing": [documents, reports]}
    # The plain probe of the load balancer does not wait for every worker.
    assert "queues" not in client.get("/healthz").json()["checks"]

    workers.start(fault_queue, queues=[documents, reports])
    wait_until(lambda: client.get("/healthz?queues=1").status_code == 200, timeout=30)
    assert client.get("/healthz?queues=1").json()["checks"]["queues"]["missing"] == []
