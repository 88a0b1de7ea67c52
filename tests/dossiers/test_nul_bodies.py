"""A NUL character in the free text of an action (reason, note, result) is a
400 naming the field, and nothing is written: PostgreSQL refuses NUL in text
and in jsonb, so it used to surface as a 500 from the database."""
from __future__ import annotations

import pytest
from rest_framework.test import APIClient


@pytest.fixture
def actors(eng):
    from dossiers import services
    from tests.dossiers.payloads import birth_payload

    dossier = services.dossier_submit(data=birth_payload(channel="one_stop"), user=eng.clerk)
    justice, clerk = APIClient(), APIClient()
    justice.force_authenticate(eng.justice)
    clerk.force_authenticate(eng.clerk)
    return dossier, dossier.legs.get(agency="justice"), justice, clerk


@pytest.mark.parametrize("action, body, field", [
    ("reject", {"reason": "Thiếu\x00giấy"}, "reason"),
    ("request-supplement", {"reason": "Bổ sung\x00"}, "reason"),
    ("complete", {"result": {"registration_number": "12\x0034"}}, "result"),
])
def test_a_nul_in_an_action_body_is_a_400_and_nothing_changes(actors, action, body, field):
    from dossiers.models import Transition

    dossier, leg, justice, _clerk = actors
    if action != "reject":
        assert justice.post(f"/api/v1/legs/{leg.pk}/accept/").status_code == 200
    before = Transition.objects.filter(dossier=dossier).count()
    response = justice.post(f"/api/v1/legs/{leg.pk}/{action}/", body, format="json")
    assert response.status_code == 400, response.content
    assert any(key.startswith(field) for key in response.json()), response.json()
    assert Transition.objects.filter(dossier=dossier).count() == before


def test_a_nul_in_a_withdrawal_reason_is_a_400(actors):
    dossier, _leg, _justice, clerk = actors
    response = clerk.post(f"/api/v1/dossiers/{dossier.code}/withdraw/", {"reason": "Rút\x00"}, format="json")
    assert response.status_code == 400, response.content
    assert list(response.json()) == ["reason"]
