"""Schema-driven fuzzing of the API: every operation of the
drf-spectacular schema at /api/schema/, called through the WSGI app (no
network) with generated parameters and bodies, as a one-stop clerk and as a
justice officer. Whatever the input, the portal must never answer 5xx.

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

from agencies.models import Role
from dossiers.models import Leg
from lienthong.wsgi import application
from tests.dossiers.payloads import birth_payload
from tests.factories import UserFactory, unit

# ~14 operations × examples × 2 calls, bounded for the suite; raise
# SCHEMATHESIS_EXAMPLES for a deeper run.
EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "4"))


@pytest.fixture
def api_schema(db):
    # Straight WSGI calls fire request_finished, whose handler closes the
    # connection holding the test's transaction; Django's test client
    # unhooks it the same way.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


schema = schemathesis.pytest.from_fixture("api_schema")


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
def test_api_never_answers_a_server_error(case, actors):
    # As the clerk, with whatever the generator made up.
    response = case.call(headers=actors["clerk"])
    case.validate_response(response, checks=[not_a_server_error])
    # As the officer, on a real dossier and leg of the officer's commune.
    for name, value in actors["ids"].items():
        if case.path_parameters and name in case.path_parameters:
            case.path_parameters[name] = value
    response = case.call(headers=actors["officer"])
    case.validate_response(response, checks=[not_a_server_error])
