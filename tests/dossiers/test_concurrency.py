"""Two officers act on the same leg at the same moment over HTTP: one wins
(200), the other is told the leg changed (409), and the log holds one row."""
from __future__ import annotations

import threading

import pytest
import requests
from rest_framework.authtoken.models import Token

from dossiers import services
from dossiers.models import Transition
from tests.dossiers.factories_engine import engine_users_make, leg_of
from tests.dossiers.payloads import birth_payload
from tests.factories import UserFactory


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
