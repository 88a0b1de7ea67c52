"""The same task delivered twice through the real broker (Redis) to a real
worker running two processes side by side: nothing happens twice."""
from __future__ import annotations

import os

import pytest
import redis

from dossiers.document_tasks import render_document
from dossiers.models import Document, Leg, Notification, Transition
from dossiers.tasks import fan_out, notify_transition
from lienthong.celery import queue_names
from tests.faults.conftest import wait_until
from tests.faults.helpers import DEPENDANTS, birth_registered, opens, sent_for, succeeded

pytestmark = pytest.mark.worker


def test_fan_out_notify_and_render_delivered_twice(eng, fault_queue, workers):
    dossier, birth = birth_registered(eng)
    # The submission's notice: e-mail and SMS (a leg's result is e-mailed only).
    submit = Transition.objects.get(dossier=dossier, leg=None, action="submit")
    # What the engine queued on commit goes away: this test delivers by hand.
    redis.Redis.from_url(os.environ["REDIS_URL"]).delete(*queue_names(fault_queue))
    legs_before = Leg.objects.filter(dossier=dossier).count()
    transitions_before = Transition.objects.filter(dossier=dossier).count()

    worker = workers.start(fault_queue, pool="prefork", concurrency=2)
    sent = [task.apply_async(args=args, queue=fault_queue)
            for task, args in ((fan_out, (birth.pk,)), (notify_transition, (submit.pk,)),
                               (render_document, (dossier.pk, "birth_certificate")))
            for _twice in range(2)]
    wait_until(lambda: all(succeeded(worker.text(), result.id) for result in sent), timeout=90)

    opened = Transition.objects.filter(dossier=dossier, action="open")
    wait_until(lambda: len(sent_for(opened)) == 2, timeout=30)  # the fan-out's own notices, e-mail only

    assert Leg.objects.filter(dossier=dossier).count() == legs_before == 3
    assert opens(dossier) == dict.fromkeys(DEPENDANTS, 1)
    assert Transition.objects.filter(dossier=dossier).count() == transitions_before + 2
    assert set(Leg.objects.filter(dossier=dossier, service__in=DEPENDANTS).values_list("status", flat=True)) == {
        "pending"}
    assert sent_for([submit]) == [(submit.pk, "email"), (submit.pk, "sms")]
    assert Notification.objects.filter(transition=submit).count() == 2
    # The SMS backend writes each message it sends to the worker's log: once.
    sms = Notification.objects.get(transition=submit, channel="sms")
    assert worker.count(f"SMS to {sms.recipient}: {sms.body}") == 1
    assert not Notification.objects.filter(transition__in=opened, channel="sms").exists()
    [document] = Document.objects.filter(dossier=dossier, kind="birth_certificate")
    assert document.sha256 and document.file
