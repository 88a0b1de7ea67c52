"""Redis stopped while citizens submit and officers act.

A web process (gunicorn) and a worker run against a throwaway redis-server;
Redis is shut down; submissions and a leg completion go through HTTP. The
database is the source of truth: each is saved and answered normally (201 /
200, never a 500), the messages it could not queue are kept in the database,
and once Redis is back on the same port the sweep (sent through the broker
as beat sends it) opens the dependent legs and sends each notice once."""
from __future__ import annotations

import subprocess
import sys

import pytest
import requests
from django.conf import settings
from rest_framework.authtoken.models import Token

from dossiers.models import Document, Dossier, Leg, Notification, Transition
from tests.conftest import ROOT
from tests.dossiers.payloads import birth_payload
from tests.faults.conftest import child_env, wait_until
from tests.faults.helpers import DEPENDANTS, opens, sent_for

pytestmark = pytest.mark.worker
QUEUE = "faults-redis-down"


def _client(base: str, user):
    session = requests.Session()
    session.headers.update({"Authorization": f"Token {Token.objects.get_or_create(user=user)[0].key}",
                            "Accept-Language": "vi"})
    session.base = f"{base}/api/v1"  # type: ignore[attr-defined]
    return session


def _sweep_through_broker(redis_url: str) -> None:
    """What beat does every minute: publish the sweep task (celery's CLI),
    asking it not to wait its usual two minutes before re-queueing documents."""
    subprocess.run([sys.executable, "-m", "celery", "-A", "lienthong", "call", "dossiers.tasks.sweep",
                    "--queue", QUEUE, "--kwargs", '{"documents_after_seconds": 0}'], cwd=ROOT, env=child_env(REDIS_URL=redis_url, CELERY_QUEUE=QUEUE),
                   check=True, capture_output=True, timeout=60)


def test_submissions_saved_while_the_broker_is_down_and_dispatched_when_back(eng, throwaway_redis, web_server,
                                                                        workers):
    # The broker goes down; the cache stays on the suite's Redis (a cache
    # outage is the next test).
    env = {"REDIS_URL": throwaway_redis.url, "CELERY_QUEUE": QUEUE, "CACHE_URL": settings.CACHES["default"]["LOCATION"]}
    web = web_server(**env)
    worker = workers.start(QUEUE, **env)
    citizen, justice = _client(web.url, eng.citizen), _client(web.url, eng.justice)

    # Before the outage: one dossier whose birth registration is in progress.
    before = citizen.post(f"{citizen.base}/dossiers/", json=birth_payload(), timeout=60)
    assert before.status_code == 201, before.text
    first = Dossier.objects.get(code=before.json()["code"])
    birth = Leg.objects.get(dossier=first, service="birth_registration")
    assert justice.post(f"{justice.base}/legs/{birth.pk}/accept/", json={}, timeout=60).status_code == 200

    throwaway_redis.stop()

    codes = []
    for _i in range(3):
        response = citizen.post(f"{citizen.base}/dossiers/", json=birth_payload(), timeout=60)
        assert response.status_code == 201, (response.status_code, response.text[:500])
        codes.append(response.json()["code"])
    done = justice.post(f"{justice.base}/legs/{birth.pk}/complete/", json={"result": {}}, timeout=60)
    assert done.status_code == 200, (done.status_code, done.text[:500])
    assert done.json()["status"] == "completed"

    # Saved, with their notices kept unsent; the fan-out has not happened.
    down = list(Dossier.objects.filter(code__in=codes))
    assert len(down) == 3
    submits = Transition.objects.filter(dossier__in=down, action="submit")
    assert Notification.objects.filter(transition__in=submits, sent_at=None).count() == 6
    assert set(Leg.objects.filter(dossier=first, service__in=DEPENDANTS).values_list("status", flat=True)) == {
        "waiting"}
    assert " 500 " not in web.text()

    throwaway_redis.start()
    _sweep_through_broker(throwaway_redis.url)

    wait_until(lambda: opens(first) == dict.fromkeys(DEPENDANTS, 1), timeout=90)
    complete = Transition.objects.filter(dossier=first, action="complete")
    wait_until(lambda: len(sent_for(submits)) == 6 and len(sent_for(complete)) == 1, timeout=60)

    # The PDFs whose tasks were lost: the slips of the three, the certificate.
    def issued() -> list[tuple[str, str]]:
        return sorted(Document.objects.filter(dossier__in=[first, *down]).exclude(sha256="")
                      .values_list("dossier__code", "kind"))

    expected = sorted([(first.code, "appointment_slip"), (first.code, "birth_certificate"),
                       *((code, "appointment_slip") for code in codes)])
    wait_until(lambda: issued() == expected, timeout=90)

    # The web process publishes again without a restart.
    after = citizen.post(f"{citizen.base}/dossiers/", json=birth_payload(), timeout=60)
    assert after.status_code == 201, after.text
    later = Transition.objects.filter(dossier__code=after.json()["code"], action="submit")
    wait_until(lambda: len(sent_for(later)) == 2, timeout=60)

    # A second sweep finds nothing left to send; each notice went out once.
    _sweep_through_broker(throwaway_redis.url)
    opened = Transition.objects.filter(dossier=first, action="open")
    wait_until(lambda: len(sent_for(opened)) == 2, timeout=60)  # e-mail only
    wait_until(lambda: worker.text().count("dossiers.tasks.sweep[") >= 4, timeout=60)  # received + succeeded, twice
    texts = list(Notification.objects.filter(transition__in=[*submits, *complete, *opened, *later], channel="sms"))
    assert texts
    for note in texts:
        assert worker.count(f"SMS to {note.recipient}: {note.body}") == 1, note.body
    assert opens(first) == dict.fromkeys(DEPENDANTS, 1)
    assert Leg.objects.filter(dossier__in=down).count() == 9
    assert Document.objects.filter(dossier__in=[first, *down]).count() == len(expected)


def test_a_submission_is_saved_while_the_whole_redis_is_down(eng, throwaway_redis, web_server):
    """Broker and cache on the same Redis (the default: the cache is the
    broker's database + 1), and that Redis stops."""
    web = web_server(REDIS_URL=throwaway_redis.url, CELERY_QUEUE=QUEUE)
    citizen = _client(web.url, eng.citizen)
    throwaway_redis.stop()
    response = citizen.post(f"{citizen.base}/dossiers/", json=birth_payload(), timeout=60)
    assert response.status_code == 201, (response.status_code, response.text[:300])
    assert Dossier.objects.filter(code=response.json()["code"]).exists()
