"""THE integration test: a full birth bundle and a full death bundle through
the HTTP API with a real Celery worker and Redis. Nobody calls a task by hand:
the dependent legs must appear in the police and social-insurance queues by
themselves."""
from __future__ import annotations

import pytest
import requests
from rest_framework.authtoken.models import Token

from dossiers.models import Dossier, Notification
from tests.dossiers.payloads import birth_payload, death_payload
from tests.factories import engine_users_make, story
from tests.helpers import wait_for


class Api:
    def __init__(self, base: str, user) -> None:
        self.base = f"{base}/api/v1"
        self.headers = {"Authorization": f"Token {Token.objects.get_or_create(user=user)[0].key}",
                        "Accept-Language": "vi"}

    def get(self, path: str, **params) -> dict:
        response = requests.get(f"{self.base}{path}", params=params, headers=self.headers, timeout=30)
        assert response.status_code == 200, response.text
        return response.json()

    def post(self, path: str, body: dict | None = None, expect: int = 200) -> dict:
        response = requests.post(f"{self.base}{path}", json=body or {}, headers=self.headers, timeout=30)
        assert response.status_code == expect, response.text
        return response.json()

    def queue(self, status: str, code: str) -> list[dict]:
        return [leg for leg in self.get("/legs/", status=status)["results"] if leg["dossier"] == code]

    def work(self, leg_id: int, result: dict | None = None) -> dict:
        self.post(f"/legs/{leg_id}/accept/")
        return self.post(f"/legs/{leg_id}/complete/", {"result": result or {}})


@pytest.fixture
def people(live_server, fast_passwords, tasks_to_test_worker, celery_worker_process):
    eng = engine_users_make("flow")
    return {name: Api(live_server.url, getattr(eng, name))
            for name in ("citizen", "justice", "police", "bhxh", "labour")}


def test_full_birth_bundle_through_the_api_and_the_worker(people):
    citizen, justice, police, bhxh = people["citizen"], people["justice"], people["police"], people["bhxh"]
    code = citizen.post("/dossiers/", birth_payload(), expect=201)["code"]

    # Justice registers the birth.
    [birth] = justice.queue("pending", code)
    assert birth["service"] == "birth_registration"
    assert police.queue("pending", code) == [] and bhxh.queue("pending", code) == []
    registered = justice.work(birth["id"])
    personal_id = registered["result"]["personal_id"]

    # The worker fans out: residence at the commune police, the card at the province's BHXH.
    [residence] = wait_for(lambda: police.queue("pending", code), timeout=30)
    [card] = wait_for(lambda: bhxh.queue("pending", code), timeout=30)
    assert residence["service"] == "residence_registration" and card["service"] == "health_insurance_card"
    assert residence["due_at"] and card["due_at"]

    assert police.work(residence["id"])["result"]["personal_id"] == personal_id
    card_result = bhxh.work(card["id"])["result"]
    assert card_result["card_number"].startswith("TE182")

    dossier = citizen.get(f"/dossiers/{code}/")
    assert dossier["status"] == "completed"
    assert {leg["status"] for leg in dossier["legs"]} == {"completed"}

    log = story(Dossier.objects.get(code=code))
    assert log == [
        ("dossier", "submit", "", "submitted"),
        ("birth_registration", "create", "", "pending"),
        ("residence_registration", "create", "", "waiting"),
        ("health_insurance_card", "create", "", "waiting"),
        ("birth_registration", "accept", "pending", "in_progress"),
        ("dossier", "start", "submitted", "in_progress"),
        ("birth_registration", "complete", "in_progress", "completed"),
        ("residence_registration", "open", "waiting", "pending"),
        ("health_insurance_card", "open", "waiting", "pending"),
        ("residence_registration", "accept", "pending", "in_progress"),
        ("residence_registration", "complete", "in_progress", "completed"),
        ("health_insurance_card", "accept", "pending", "in_progress"),
        ("health_insurance_card", "complete", "in_progress", "completed"),
        ("dossier", "complete", "in_progress", "completed"),
    ]
    # The worker told the applicant, by email and SMS, including the final word.
    wait_for(lambda: Notification.objects.filter(dossier__code=code, sent_at__isnull=False,
                                                 transition__action="complete", transition__leg=None).count() == 2,
             timeout=30)


def test_full_death_bundle_through_the_api_and_the_worker(people):
    citizen, justice, police, bhxh = people["citizen"], people["justice"], people["police"], people["bhxh"]
    code = citizen.post("/dossiers/", death_payload(), expect=201)["code"]

    [death] = justice.queue("pending", code)
    assert death["service"] == "death_registration"
    assert justice.work(death["id"])["result"]["extract_number"]

    # Since 15/3/2026 the police's removal is automatic: the worker records it.
    [removal] = wait_for(lambda: police.queue("completed", code), timeout=30)
    assert removal["service"] == "residence_removal" and removal["automatic"]
    [funeral] = wait_for(lambda: bhxh.queue("pending", code), timeout=30)
    assert funeral["service"] == "funeral_allowance"
    decided = bhxh.work(funeral["id"], {"decision_number": "15/QĐ-BHXH"})["result"]
    assert decided["decision_number"] == "15/QĐ-BHXH" and decided["amount"] == 23_400_000

    assert citizen.get(f"/dossiers/{code}/")["status"] == "completed"
    log = story(Dossier.objects.get(code=code))
    assert log[0] == ("dossier", "submit", "", "submitted")
    assert ("death_registration", "complete", "in_progress", "completed") in log
    assert ("residence_removal", "open", "waiting", "pending") in log
    assert ("residence_removal", "complete", "in_progress", "completed") in log
    assert ("funeral_allowance", "complete", "in_progress", "completed") in log
    assert log[-1] == ("dossier", "complete", "in_progress", "completed")
    # Worker-made transitions carry no person.
    dossier = Dossier.objects.get(code=code)
    assert not dossier.transitions.filter(action="open").exclude(actor=None).exists()
    # The final word reaches the applicant too; waiting for it also keeps the
    # worker from writing while the test's tables are being emptied.
    wait_for(lambda: Notification.objects.filter(dossier__code=code, sent_at__isnull=False,
                                                 transition__action="complete", transition__leg=None).count() == 2,
             timeout=30)
