"""One validation path: every bad payload of tests/dossiers/test_bad_payloads.py
sent through the three doors — the API (as a clerk), the counter form (as the
clerk) and the citizen wizard (its person step, then its submit path) — is
refused with the same field errors: same field path, same message.

A door that cannot express a payload (a JSON type no HTML form can send, a
value the form fixes itself) is skipped for that case with the reason in
SKIPS; a cell that cannot be expressed and is not listed there fails."""
from __future__ import annotations

from typing import Any

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from agencies.models import Role
from citizens import forms as wizard_forms
from citizens import services as drafts
from citizens.forms import step_for_field
from citizens.models import SubmissionDraft
from staff.forms import CounterForm
from tests.dossiers.payloads import UNIT
from tests.dossiers.test_bad_payloads import CASES
from tests.factories import UserFactory, unit

pytestmark = pytest.mark.django_db

API, COUNTER = "/api/v1/dossiers/", "/can-bo/mot-cua/"
NON_FIELD = "__all__"

TYPE = "a JSON type (list, object, number) that no HTML form field can send"
CHOSEN_BY_DOOR = "the door sets this itself (bundle from the page, unit from the clerk's or chosen commune)"
SERVICES_STEP = "the wizard's service step only offers what eligibility offers, with the prerequisite always on"
DATE_TEXT = "the forms read dates typed as text (dd/mm/yyyy), and say so in their own words"
CITIZEN_ONLY = "a rule about who posts (citizen, admin) that the API checks on its caller, not on the payload"
NOT_ASKED = "the wizard does not ask this (fixed, derived, or asked at the place step)"
CHECKBOX = "a check box sends on/off only"

SKIPS: dict[tuple[str, str], str] = {
    **{(case, door): TYPE for case in ("bundle-a-list", "services-a-string", "unit-an-object", "applicant-a-string",
                                       "subject-a-list", "birth-date-a-number") for door in ("counter", "wizard")},
    **{(case, door): CHOSEN_BY_DOOR for case in ("bundle-unknown", "bundle-missing", "unit-unknown",
                                                 "unit-a-province", "unit-not-the-parents-commune",
                                                 "channel-unknown") for door in ("counter", "wizard")},
    **{(case, "wizard"): SERVICES_STEP for case in ("services-empty", "services-unknown", "services-other-bundle",
                                                    "services-no-birth-registration", "services-birth-alone",
                                                    "services-duplicated", "services-thousand")},
    **{(case, door): CITIZEN_ONLY for case in ("channel-citizen-at-counter", "submitted-at-by-citizen",
                                               "submitted-at-garbage", "submitted-at-before-linking")
       for door in ("api", "counter", "wizard")},
    **{(case, door): DATE_TEXT for case in ("birth-date-format",) for door in ("counter", "wizard")},
    ("applicant-missing", "counter"): "the counter always has the applicant's fields",
    ("applicant-missing", "wizard"): "the wizard always has the applicant's fields",
    ("nationality-word", "wizard"): NOT_ASKED,
    ("age-at-death-wrong", "wizard"): NOT_ASKED,
    ("address-control-chars", "wizard"): NOT_ASKED,
    ("residence-flag-maybe", "counter"): CHECKBOX,
    ("death-subject-of-a-birth", "counter"): "the counter shows only the bundle's own fields",
    ("death-subject-of-a-birth", "wizard"): "the wizard shows only the bundle's own fields",
    ("services-other-bundle", "counter"): "the counter offers only the bundle's services",
    ("services-unknown", "counter"): "the counter offers only the bundle's services",
    ("services-no-birth-registration", "counter"): "the counter always sends the bundle's first service",
    ("services-duplicated", "counter"): "check boxes cannot send a service twice",
    ("services-thousand", "counter"): "check boxes cannot send a service twice",
    ("services-empty", "counter"): "the counter always sends the bundle's first service",
}


class Inexpressible(Exception):
    pass


@pytest.fixture
def doors(db, client, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    clerk = UserFactory(username="parity-clerk", role=Role.ONE_STOP_CLERK, unit=unit(UNIT))
    citizen = UserFactory(username="parity-citizen", role=Role.CITIZEN)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=clerk).key}")
    return {"api": api, "clerk": clerk, "citizen": citizen, "client": client}


# --- what each door answers, as {dotted path or __all__: [messages]} -------------

def _api(doors, payload: dict) -> dict[str, list[str]]:
    response = doors["api"].post(API, {**payload, "channel": "one_stop"}, format="json")
    assert response.status_code == 400, response.content[:500]
    return response.json()


def _flat(node: Any, prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in node.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(_flat(value, f"{path}__"))
        else:
            out[path] = value
    return out


def _counter_data(payload: dict) -> dict[str, Any]:
    if not isinstance(payload.get("services"), list) or not all(isinstance(s, str) for s in payload["services"]):
        raise Inexpressible("services")
    data: dict[str, Any] = {"bundle": payload["bundle"], "services": payload["services"]}
    for section in ("applicant", "subject"):
        if not isinstance(payload.get(section), dict):
            raise Inexpressible(section)
        for name, value in _flat(payload[section], f"{section}__").items():
            if name not in CounterForm.base_fields:
                continue
            if isinstance(value, bool):
                if value:
                    data[name] = "on"
            elif isinstance(value, str | int):
                data[name] = str(value)
            elif value is not None:
                raise Inexpressible(name)
    return data


def _counter(doors, payload: dict) -> dict[str, list[str]]:
    doors["client"].force_login(doors["clerk"])
    response = doors["client"].post(f"{COUNTER}?bundle={payload['bundle']}", _counter_data(payload))
    assert response.status_code == 400, response.content[:500]
    return {(NON_FIELD if name == NON_FIELD else name.replace("__", ".")): list(messages)
            for name, messages in response.context["form"].errors.items()}


def _wizard_data(payload: dict) -> dict[str, Any]:
    form_class = wizard_forms.BirthSubjectForm if payload["bundle"] == "birth" else wizard_forms.DeathSubjectForm
    flat = {k.replace("__", "."): v for section in ("applicant", "subject")
            for k, v in _flat(payload[section], f"{section}__").items()}
    data = {}
    for name, path in form_class.PATHS.items():
        value = flat.get(path)
        if isinstance(value, bool):
            data[name] = "yes" if value else "no"
        elif isinstance(value, str | int):
            data[name] = str(value)
        elif value is not None:
            raise Inexpressible(name)
    return data


def _wizard(doors, payload: dict) -> dict[str, list[str]]:
    client, citizen = doors["client"], doors["citizen"]
    client.force_login(citizen)
    draft = drafts.draft_create(user=citizen)
    residence = {"unit": UNIT, "address": "Ấp 1"}
    drafts.draft_save(draft=draft, step="nguoi", data={
        "bundle": payload["bundle"], "unit": UNIT, "channel": "online", "subject": {"residence": residence}})
    base = f"/cong-dan/nop-ho-so/{draft.pk}"
    step = client.post(f"{base}/nguoi/", _wizard_data(payload))
    form_class = type(step.context["form"]) if step.status_code == 200 else None
    if form_class is not None:  # refused at the person step, with the engine's errors of its fields
        return {form_class.PATHS.get(name, NON_FIELD): list(messages)
                for name, messages in step.context["form"].errors.items()}
    draft = SubmissionDraft.objects.get(pk=draft.pk)
    drafts.draft_save(draft=draft, data={**draft.data, "services": payload["services"]}, step="xac-nhan")
    submit = client.post(f"{base}/xac-nhan/", {"continue": "1"})
    assert submit.status_code == 200, "the wizard accepted what the API refused"
    return submit.context["errors"]


def _as_door_sees(expected: dict[str, list[str]], paths: set[str]) -> dict[str, list[str]]:
    """The API's errors, with the keys a door has no field for under __all__."""
    out: dict[str, list[str]] = {}
    for key, messages in expected.items():
        out.setdefault(key if key in paths else NON_FIELD, []).extend(messages)
    return out


def _sorted(errors: dict[str, list[str]]) -> dict[str, list[str]]:
    return {key: sorted(messages) for key, messages in errors.items()}


CELLS = [(case_id, make, door) for case_id, make, _key, _who in CASES for door in ("counter", "wizard")]


@pytest.mark.parametrize("case_id, make, door", CELLS, ids=[f"{c[0]}-{c[2]}" for c in CELLS])
def test_every_door_refuses_a_bad_payload_in_the_same_words(doors, case_id, make, door):
    if (case_id, door) in SKIPS or (case_id, "api") in SKIPS:
        pytest.skip(SKIPS.get((case_id, door)) or SKIPS[(case_id, "api")])
    payload = make()
    expected = _api(doors, payload)
    if door == "counter":
        got = _counter(doors, payload)
        paths = {name.replace("__", ".") for name in CounterForm.base_fields}
        assert _sorted(got) == _sorted(_as_door_sees(expected, paths))
    else:
        got = _wizard(doors, payload)
        form_class = wizard_forms.BirthSubjectForm if payload["bundle"] == "birth" else wizard_forms.DeathSubjectForm
        at_person_step = {k: v for k, v in expected.items() if step_for_field(k) == form_class.STEP}
        if at_person_step:
            assert _sorted(got) == _sorted(_as_door_sees(at_person_step, set(form_class.PATHS.values())))
        else:
            assert _sorted(got) == _sorted(expected)


def test_every_skipped_cell_says_why():
    case_ids = {case[0] for case in CASES}
    assert all(case in case_ids and door in ("api", "counter", "wizard") and reason
               for (case, door), reason in SKIPS.items())
