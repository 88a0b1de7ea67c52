"""Schema-driven fuzzing of the API: every operation of the
drf-spectacular schema at /api/schema/, called through the WSGI app (no
network) with generated parameters and bodies, as a one-stop clerk and as a
justice officer. Whatever the input, the portal must never answer 5xx,
and it answers as the schema says: a documented status (errors included),
content type and body shape. Answers a few examples may miss (null fields,
each error of docs/api.md) are also made on purpose.

Generated path ids rarely exist, so the officer's calls replace `code` and
`leg_id` with those of a real dossier of the officer's commune: the fuzzed
bodies then reach the services, not only the 404.
"""
from __future__ import annotations

import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from agencies.models import Role
from dossiers.models import Leg
from lienthong.wsgi import application
from tests.dossiers.payloads import birth_payload
from tests.factories import UserFactory, unit

# ~14 operations × examples × 2 calls, bounded for the suite; raise
# SCHEMATHESIS_EXAMPLES for a deeper run.
EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "4"))


SCHEMA_URL = "/api/schema/?format=json"

def _raw_schema() -> dict:
    from django.test import Client

    response = Client().get(SCHEMA_URL)
    assert response.status_code == 200
    return response.json()


@pytest.fixture
def api_schema(db):
    loaded = schemathesis.openapi.from_dict(_raw_schema())
    loaded.app, loaded.location = application, SCHEMA_URL
    # Straight WSGI calls fire request_finished, whose handler closes the
    # connection holding the test's transaction; Django's test client
    # unhooks it the same way.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield loaded
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


schema = schemathesis.pytest.from_fixture("api_schema")

# Never a 5xx; a status code the operation documents, errors included
# (lienthong.api.ErrorsSchema); the documented content type; and a body
# matching the documented schema of that status.
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture
def actors(db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from dossiers.services import dossier_submit

    commune = unit("29926")
    clerk = UserFactory(username="st-clerk", role=Role.ONE_STOP_CLERK, unit=commune)
    officer = UserFactory(username="st-justice", role=Role.OFFICER, unit=commune, agency="justice")
    dossier = dossier_submit(data=birth_payload(channel="one_stop"), user=clerk)
    leg = Leg.objects.get(dossier=dossier, agency="justice")
    return {
        "clerk": {"Authorization": f"Token {Token.objects.create(user=clerk).key}"},
        "officer": {"Authorization": f"Token {Token.objects.create(user=officer).key}"},
        "ids": {"code": dossier.code, "leg_id": leg.pk},
    }


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, phases=[Phase.explicit, Phase.generate, Phase.shrink],
          suppress_health_check=list(HealthCheck))
def test_api_answers_as_its_schema_says(case, actors):
    # As the clerk, with whatever the generator made up.
    response = case.call(headers=actors["clerk"])
    case.validate_response(response, checks=CHECKS)
    # As the officer, on a real dossier and leg of the officer's commune.
    for name, value in actors["ids"].items():
        if case.path_parameters and name in case.path_parameters:
            case.path_parameters[name] = value
    response = case.call(headers=actors["officer"])
    case.validate_response(response, checks=CHECKS)


def _check(api_schema, actor: dict, method: str, path: str, **case) -> int:
    """Call one operation with chosen inputs and check the answer as the
    fuzzing does; the status, for the caller to assert what was reached."""
    case = api_schema[path][method].Case(**case)
    response = case.call(headers=actor)
    case.validate_response(response, checks=CHECKS)
    return response.status_code


def test_a_leg_without_result_or_prerequisite_matches_the_schema(api_schema, actors):
    # The justice leg has no result and depends on nothing: both null, in
    # the queue, in the dossier, and in the answer to an action. Made on
    # purpose: a few generated examples may never reach such a leg.
    officer, ids = actors["officer"], actors["ids"]
    assert _check(api_schema, officer, "GET", "/api/v1/legs/", query={"status": "pending"}) == 200
    assert _check(api_schema, officer, "GET", "/api/v1/dossiers/{code}/", path_parameters={"code": ids["code"]}) == 200
    assert _check(api_schema, officer, "POST", "/api/v1/legs/{leg_id}/accept/",
                  path_parameters={"leg_id": ids["leg_id"]}) == 200


def _refused(api_schema, status: int, actors: dict, settings) -> tuple[dict, str, str, dict]:
    """(headers, method, path, case) of a call the API refuses with `status`."""
    clerk, officer, ids = actors["clerk"], actors["officer"], actors["ids"]
    leg = {"path_parameters": {"leg_id": ids["leg_id"]}}
    if status == 400:
        return clerk, "GET", "/api/v1/legs/", {"query": {"status": "bogus"}}
    if status == 401:
        return {}, "GET", "/api/v1/dossiers/", {}
    if status == 403:
        return officer, "POST", "/api/v1/dossiers/", {"body": {}, "media_type": "application/json"}
    if status == 404:
        return officer, "GET", "/api/v1/dossiers/{code}/", {"path_parameters": {"code": "KS-NOPE"}}
    if status == 409:
        from agencies.models import User
        from dossiers.services import leg_accept

        leg_accept(leg_id=ids["leg_id"], user=User.objects.get(username="st-justice"))  # accepted already
        return officer, "POST", "/api/v1/legs/{leg_id}/accept/", leg
    if status == 413:
        settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
        return clerk, "POST", "/api/v1/dossiers/", {"body": {"note": "x" * 2000}, "media_type": "application/json"}
    assert status == 429
    UserFactory(username="st-locked", role=Role.CITIZEN, password="dung-mat-khau")
    token = api_schema["/api/v1/auth/token/"]["POST"]
    for _attempt in range(5):  # through the WSGI app, as the checked call (see api_schema)
        token.Case(body={"username": "st-locked", "password": "sai-mat-khau"}, media_type="application/json").call()
    return {}, "POST", "/api/v1/auth/token/", {"body": {"username": "st-locked", "password": "dung-mat-khau"},
                                               "media_type": "application/json"}


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 413, 429])
def test_each_contract_error_matches_the_schema(api_schema, actors, settings, status):
    # Each refusal of docs/api.md "Errors", made on purpose: its status is
    # documented for the operation and its body has the documented shape.
    headers, method, path, case = _refused(api_schema, status, actors, settings)
    assert _check(api_schema, headers, method, path, **case) == status


def test_a_path_that_matches_no_route_is_a_contract_404(api_schema, actors):
    # A leg id that is not a number matches no route at all: Django's 404
    # handler answers, in the contract's JSON (lienthong/error_views.py).
    assert _check(api_schema, actors["officer"], "POST", "/api/v1/legs/{leg_id}/accept/",
                  path_parameters={"leg_id": "null,null"}) == 404


@pytest.mark.parametrize("path", ["/api/v1/auth/token/", "/api/v1/dossiers/"])
@pytest.mark.parametrize("data, content_type", [
    (b"\xb2{", "application/json"),
    (b"[" * 100_000, "application/json"),  # too deeply nested for Python's parser
    (b"{}", "text/plain"),
], ids=["garbage", "nested", "not-json-type"])
def test_a_body_that_is_not_json_is_a_contract_400(db, actors, path, data, content_type):
    from django.test import Client

    response = Client().post(path, data=data, content_type=content_type,
                             HTTP_AUTHORIZATION=actors["clerk"]["Authorization"])
    assert response.status_code == 400
    body = response.json()
    assert list(body) == ["non_field_errors"] and "JSON" in body["non_field_errors"][0]
    assert "parse error" not in body["non_field_errors"][0]  # Vietnamese, not DRF's English
