"""The list endpoints check their query parameters before any query runs:
a wrong value is a 400 naming the parameter, never a 500 (schemathesis once
found a NUL character in `channel` reaching PostgreSQL)."""
from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from dossiers import services
from tests.dossiers.payloads import birth_payload


@pytest.fixture
def clerk_api(eng):
    client = APIClient()
    client.force_authenticate(eng.clerk)
    return client


@pytest.fixture
def officer_api(eng):
    client = APIClient()
    client.force_authenticate(eng.justice)
    return client


@pytest.mark.parametrize("query, field", [
    ("channel=one_stop%00", "channel"),
    ("channel=fax", "channel"),
    ("bundle=marriage", "bundle"),
    ("status=submitted,flying", "status"),
    ("search=Nguy%00n", "search"),
    ("unit=29926%00", "unit"),
    ("ordering=%00", "ordering"),
])
def test_dossier_list_refuses_a_bad_parameter_by_name(clerk_api, query, field):
    response = clerk_api.get(f"/api/v1/dossiers/?{query}", HTTP_ACCEPT_LANGUAGE="vi")
    assert response.status_code == 400, response.content
    assert list(response.json()) == [field]


@pytest.mark.parametrize("query, field", [
    ("status=pending%00", "status"),
    ("status=pending,lost", "status"),
    ("service=marriage", "service"),
])
def test_leg_queue_refuses_a_bad_parameter_by_name(officer_api, query, field):
    response = officer_api.get(f"/api/v1/legs/?{query}")
    assert response.status_code == 400, response.content
    assert list(response.json()) == [field]


def test_good_parameters_still_filter(eng, clerk_api, officer_api):
    dossier = services.dossier_submit(data=birth_payload(), user=eng.clerk)
    found = clerk_api.get(f"/api/v1/dossiers/?bundle=birth&channel={dossier.channel}&status=submitted,in_progress"
                          "&unit=&search=")
    assert found.status_code == 200
    assert [row["code"] for row in found.json()["results"]] == [dossier.code], (
        dossier.channel, dossier.status, clerk_api.get("/api/v1/dossiers/").json()["count"])
    assert clerk_api.get("/api/v1/dossiers/?bundle=death").json()["count"] == 0
    queue = officer_api.get("/api/v1/legs/?status=pending&service=birth_registration")
    assert queue.status_code == 200 and queue.json()["count"] == 1
