"""The published schema of POST /api/v1/dossiers/ says what the endpoint
enforces: every field the schema marks required is refused when missing, and
every optional one is accepted when absent (an agency's generated client is
built from this schema)."""
from __future__ import annotations

import copy
from typing import Any

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from agencies.models import Role
from tests.dossiers.payloads import birth_payload, death_payload
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/dossiers/"


@pytest.fixture
def api(db) -> APIClient:
    client = APIClient()
    citizen = UserFactory(username="schema-citizen", role=Role.CITIZEN)
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=citizen).key}")
    return client


def _resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    """Follow $ref and the single-item allOf drf-spectacular wraps defaults in."""
    while True:
        if "$ref" in node:
            node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]]
        elif "allOf" in node and len(node["allOf"]) == 1:
            node = node["allOf"][0]
        else:
            return node


def _fields(schema: dict, node: dict, payload: dict, bundle: str, prefix: str = "") -> list[tuple[str, bool]]:
    """(dotted path, required) of every schema property the sample payload holds."""
    node = _resolve(schema, node)
    if "oneOf" in node:  # the subject: the variant of the bundle
        wanted = "BirthSubjectIn" if bundle == "birth" else "DeathSubjectIn"
        node = _resolve(schema, next(v for v in node["oneOf"] if wanted in v.get("$ref", "")))
    out = []
    required = set(node.get("required", []))
    for name, prop in node.get("properties", {}).items():
        if name not in payload:
            continue
        path = f"{prefix}{name}"
        out.append((path, name in required))
        if isinstance(payload[name], dict):
            out += _fields(schema, prop, payload[name], bundle, f"{path}.")
    return out


def _without(payload: dict, path: str) -> dict:
    out = copy.deepcopy(payload)
    *parents, last = path.split(".")
    node = out
    for part in parents:
        node = node[part]
    del node[last]
    return out


def _request_schema(api: APIClient) -> tuple[dict, dict]:
    schema = api.get("/api/schema/?format=json").json()
    body = schema["paths"][URL]["post"]["requestBody"]["content"]["application/json"]["schema"]
    return schema, body


# Services that make no optional field conditionally needed: the schema
# describes those conditions in the fields' descriptions (a card needs
# first_health_insurance_card, the BHXH funeral allowance a social insurance
# number) and test_conditional_fields_say_so_in_the_schema checks them.
PAYLOADS = {
    "birth": lambda: birth_payload(services=["birth_registration", "residence_registration"]),
    "death": lambda: death_payload(services=["death_registration", "residence_removal"]),
}


@pytest.mark.parametrize("bundle", PAYLOADS)
def test_schema_required_and_optional_match_the_endpoint(api, bundle):
    schema, body = _request_schema(api)
    payload = PAYLOADS[bundle]()
    assert api.post(URL, payload, format="json").status_code == 201
    fields = _fields(schema, body, payload, payload["bundle"])
    assert {"bundle", "applicant.phone", "subject.full_name"} <= {path for path, _ in fields}
    wrong = []
    for path, required in fields:
        response = api.post(URL, _without(payload, path), format="json")
        if required and (response.status_code != 400 or path not in response.json()):
            wrong.append(f"{path}: marked required, but missing it gives {response.status_code}")
        if not required and response.status_code != 201:
            wrong.append(f"{path}: marked optional, but missing it gives {response.status_code} "
                         f"{response.content[:300]!r}")
    assert not wrong, "\n".join(wrong)


def test_the_published_phone_is_required_as_the_validation_requires_it(api):
    schema, body = _request_schema(api)
    applicant = _resolve(schema, _resolve(schema, body)["properties"]["applicant"])
    assert "phone" in applicant["required"]


def test_conditional_fields_say_so_in_the_schema(api):
    schema, _body = _request_schema(api)
    components = schema["components"]["schemas"]
    card = components["BirthSubjectInRequest"]["properties"]["first_health_insurance_card"]
    number = components["DeathSubjectInRequest"]["properties"]["social_insurance_number"]
    assert "health_insurance_card" in card["description"]
    assert "funeral_allowance" in number["description"]
    # And the endpoint does need them then.
    response = api.post(URL, birth_payload(subject__first_health_insurance_card=None), format="json")
    assert "subject.first_health_insurance_card" in response.json()
    response = api.post(URL, death_payload(subject__social_insurance_number=""), format="json")
    assert "subject.social_insurance_number" in response.json()
