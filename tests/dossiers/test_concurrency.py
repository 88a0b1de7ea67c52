"""Two officers act on the same leg at the same moment over HTTP: one wins
(200), the other is told the leg changed (409), and the log holds one row."""
from __future__ import annotations

import threading

import pytest
import requests
from rest_framework.authtoken.models import Token

from dossiers import services
from dossiers.models import Transition
from tests.dossiers.payloads import birth_payload
from tests.factories import UserFactory, engine_users_make, leg_of


@pytest.mark.parametrize("action", ["accept", "reject"])
def test_two_simultaneous_actions_on_one_leg_one_200_one_409(live_server, fast_passwords, tasks_to_test_worker,
                                                             action):
    eng = engine_users_make("cc")
    colleague = UserFactory(username="cc-justice-2", role="officer", unit=eng.justice.unit, agency="justice")
    dossier = services.dossier_submit(data=birth_payload(), user=eng.citizen)
    leg = leg_of(dossier, "birth_registration")
    body = {"reason": "Không thuộc thẩm quyền"}
    calls = [(eng.justice, action, body), (colleague, action, body)]
    barrier = threading.Barrier(len(calls))
    statuses: list[int] = []

    def act(user, action, body) -> None:
        token = Token.objects.get_or_create(user=user)[0].key
        barrier.wait(timeout=10)
        response = requests.post(f"{live_server.url}/api/v1/legs/{leg.pk}/{action}/", json=body, timeout=30,
                                 headers={"Authorization": f"Token {token}"})
        statuses.append(response.status_code)

    threads = [threading.Thread(target=act, args=call) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(statuses) == [200, 409]
    final = leg_of(dossier, "birth_registration").status
    assert final == {"accept": "in_progress", "reject": "rejected"}[action]
    # Exactly one officer's action is in the log, and it is the one that stuck.
    rows = Transition.objects.filter(leg=leg).exclude(action="create")
    assert [row.to_state for row in rows] == [final]


def test_two_sweeps_side_by_side_do_each_thing_once(transactional_db, fast_passwords, tasks_to_test_worker):
    from datetime import timedelta

    from django.db import connection
    from django.utils import timezone

    from dossiers.models import Leg

    eng = engine_users_make("sw")
    # A supplement that never came, and a fan-out a worker missed.
    late = services.dossier_submit(data=birth_payload(), user=eng.citizen)
    birth = leg_of(late, "birth_registration")
    services.leg_accept(leg_id=birth.pk, user=eng.justice)
    services.leg_request_supplement(leg_id=birth.pk, user=eng.justice, reason="Thiếu giấy")
    Leg.objects.filter(pk=birth.pk).update(supplement_due_at=timezone.now() - timedelta(minutes=1))
    missed = services.dossier_submit(data=birth_payload(), user=eng.citizen)
    first = leg_of(missed, "birth_registration")
    # Completed, but its fan-out task was lost (no task is queued here at all).
    Leg.objects.filter(pk=first.pk).update(status="completed", finished_at=timezone.now(),
                                           result={"personal_id": "082226000001"})

    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def sweep() -> None:
        try:
            barrier.wait(timeout=10)
            services.dossiers_sweep()
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert Transition.objects.filter(leg=birth, action="expire").count() == 1
    assert Transition.objects.filter(leg__depends_on=first, action="open").count() == 2
    assert set(Leg.objects.filter(depends_on=first).values_list("status", flat=True)) == {"pending"}
