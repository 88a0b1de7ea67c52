"""A table of bad payloads POSTed to /api/v1/dossiers/: each gets a 400 naming
the offending field (dotted path), and no dossiers_* table changes. Garbage
of any shape gets a 400 too, never a 500."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from agencies.models import AdminUnit, Role, User
from tests.dossiers.payloads import REMOVE, UNIT, birth_payload, death_payload

pytestmark = pytest.mark.django_db

URL = "/api/v1/dossiers/"


def _days(n: int) -> str:
    return (timezone.localdate() + timedelta(days=n)).isoformat()


def _elsewhere() -> str:
    return AdminUnit.objects.filter(map=AdminUnit.Map.CURRENT, level=AdminUnit.Level.COMMUNE).exclude(
        code=UNIT).order_by("code").values_list("code", flat=True).first()


# (id, payload factory, expected error key, who posts)
CASES = [
    ("bundle-unknown", lambda: birth_payload(bundle="marriage"), "bundle", "citizen"),
    ("bundle-missing", lambda: birth_payload(bundle=REMOVE), "bundle", "citizen"),
    ("bundle-a-list", lambda: birth_payload(bundle=["birth"]), "bundle", "citizen"),
    ("services-empty", lambda: birth_payload(services=[]), "services", "citizen"),
    ("services-a-string", lambda: birth_payload(services="birth_registration"), "services", "citizen"),
    ("services-unknown", lambda: birth_payload(services=["birth_registration", "passport"]), "services", "citizen"),
    ("services-other-bundle", lambda: birth_payload(services=["birth_registration", "residence_removal"]),
     "services", "citizen"),
    ("services-no-birth-registration", lambda: birth_payload(services=["residence_registration"]), "services",
     "citizen"),
    ("services-birth-alone", lambda: birth_payload(services=["birth_registration"]), "services", "citizen"),
    ("services-duplicated", lambda: birth_payload(services=["birth_registration", "health_insurance_card",
                                                            "health_insurance_card"]), "services", "citizen"),
    ("services-thousand", lambda: birth_payload(services=["birth_registration"] * 1000), "services", "citizen"),
    ("unit-unknown", lambda: birth_payload(unit="99999"), "unit", "citizen"),
    ("unit-a-province", lambda: birth_payload(unit="82"), "unit", "citizen"),
    ("unit-an-object", lambda: birth_payload(unit={"code": UNIT}), "unit", "citizen"),
    ("unit-not-the-parents-commune", lambda: birth_payload(unit=_elsewhere()), "unit", "citizen"),
    ("channel-unknown", lambda: birth_payload(channel="fax"), "channel", "citizen"),
    ("channel-citizen-at-counter", lambda: birth_payload(channel="one_stop"), "channel", "citizen"),
    ("applicant-missing", lambda: birth_payload(applicant=REMOVE), "applicant", "citizen"),
    ("applicant-a-string", lambda: birth_payload(applicant="Nguyễn Thị Hoa"), "applicant", "citizen"),
    ("applicant-name-markup", lambda: birth_payload(applicant__full_name="<b>Hoa</b>"), "applicant.full_name",
     "citizen"),
    ("applicant-phone", lambda: birth_payload(applicant__phone="12345"), "applicant.phone", "citizen"),
    ("applicant-email", lambda: birth_payload(applicant__email="hoa@"), "applicant.email", "citizen"),
    ("applicant-id-11-digits", lambda: birth_payload(applicant__personal_id="08219000123"), "applicant.personal_id",
     "citizen"),
    ("applicant-relationship", lambda: birth_payload(applicant__relationship="neighbour"),
     "applicant.relationship", "citizen"),
    ("applicant-name-fullwidth", lambda: birth_payload(applicant__full_name="Ｎｇｕｙễｎ Thị Hoa"),
     "applicant.full_name", "citizen"),
    ("subject-a-list", lambda: birth_payload(subject=[1, 2]), "subject", "citizen"),
    ("subject-name-math-letters", lambda: birth_payload(subject__full_name="𝐓𝐫𝐚𝐧 Minh Khang"),
     "subject.full_name", "citizen"),
    ("mother-name-cyrillic-mix", lambda: birth_payload(subject__mother__full_name="Nguyễn Тhị Hоa"),
     "subject.mother.full_name", "citizen"),
    ("father-name-greek-mix", lambda: birth_payload(subject__father__full_name="Trần Văn Μinh"),
     "subject.father.full_name", "citizen"),
    ("subject-name-digits", lambda: birth_payload(subject__full_name="Khang 2026"), "subject.full_name", "citizen"),
    ("subject-name-100k", lambda: birth_payload(subject__full_name="A" * 100_000), "subject.full_name", "citizen"),
    ("subject-sex", lambda: birth_payload(subject__sex="unknown"), "subject.sex", "citizen"),
    ("birth-in-the-future", lambda: birth_payload(subject__date_of_birth=_days(1)), "subject.date_of_birth",
     "citizen"),
    ("birth-date-format", lambda: birth_payload(subject__date_of_birth="10/11/2026"), "subject.date_of_birth",
     "citizen"),
    ("birth-date-a-number", lambda: birth_payload(subject__date_of_birth=20261110), "subject.date_of_birth",
     "citizen"),
    ("mother-id-of-a-man", lambda: birth_payload(subject__mother__personal_id="082088004321"),
     "subject.mother.personal_id", "citizen"),
    ("father-id-bad-province", lambda: birth_payload(subject__father__personal_id="099088004321"),
     "subject.father.personal_id", "citizen"),
    ("father-not-identified", lambda: birth_payload(subject__father=None), "subject.father", "citizen"),
    ("special-case-abandoned", lambda: birth_payload(subject__special_case="abandoned"), "subject.special_case",
     "citizen"),
    ("special-case-unknown", lambda: birth_payload(subject__special_case="twins"), "subject.special_case",
     "citizen"),
    ("collective-household-residence", lambda: birth_payload(subject__residence__household_type="collective"),
     "services", "citizen"),
    ("household-type-unknown", lambda: birth_payload(subject__residence__household_type="hotel"),
     "subject.residence.household_type", "citizen"),
    ("address-control-chars", lambda: birth_payload(subject__residence__address="Ấp 1\x07\x1b[31m"),
     "subject.residence.address", "citizen"),
    ("card-not-first", lambda: birth_payload(subject__first_health_insurance_card=False), "services", "citizen"),
    ("card-72-months", lambda: birth_payload(subject__date_of_birth=_days(-7 * 366)), "services", "citizen"),
    ("nationality-word", lambda: birth_payload(subject__nationality="Vietnam"), "subject.nationality", "citizen"),
    ("death-before-birth", lambda: death_payload(subject__date_of_death="1951-01-01"), "subject.date_of_death",
     "citizen"),
    ("death-in-the-future", lambda: death_payload(subject__date_of_death=_days(2)), "subject.date_of_death",
     "citizen"),
    ("deceased-id-wrong-sex", lambda: death_payload(subject__sex="female"), "subject.personal_id", "citizen"),
    ("death-wrong-benefit", lambda: death_payload(services=["death_registration", "funeral_support"]), "services",
     "citizen"),
    ("death-two-benefits", lambda: death_payload(services=["death_registration", "funeral_allowance",
                                                           "funeral_support"]), "services", "citizen"),
    ("removal-without-residence", lambda: death_payload(subject__had_permanent_residence=False), "services",
     "citizen"),
    ("benefit-category-unknown", lambda: death_payload(subject__benefit_category="veteran"),
     "subject.benefit_category", "citizen"),
    ("months-negative", lambda: death_payload(subject__compulsory_months=-1), "subject.compulsory_months",
     "citizen"),
    ("months-words", lambda: death_payload(subject__compulsory_months="twelve"), "subject.compulsory_months",
     "citizen"),
    ("social-insurance-9-digits", lambda: death_payload(subject__social_insurance_number="451234567"),
     "subject.social_insurance_number", "citizen"),
    ("residence-flag-maybe", lambda: death_payload(subject__had_permanent_residence="maybe"),
     "subject.had_permanent_residence", "citizen"),
    ("age-at-death-wrong", lambda: death_payload(subject__age_at_death=12), "subject.age_at_death", "citizen"),
    ("death-subject-of-a-birth", lambda: death_payload(subject=birth_payload()["subject"]), "subject.date_of_death",
     "citizen"),
    ("submitted-at-by-citizen", lambda: birth_payload(submitted_at="2024-08-01T09:00:00+07:00"), "submitted_at",
     "citizen"),
    ("submitted-at-garbage", lambda: birth_payload(submitted_at="last tuesday"), "submitted_at", "admin"),
    ("submitted-at-before-linking", lambda: birth_payload(submitted_at="2023-07-01T09:00:00+07:00"),
     "submitted_at", "admin"),
]


def _counts() -> dict[str, int]:
    tables = [t for t in connection.introspection.table_names() if t.startswith("dossiers_")]
    with connection.cursor() as cursor:
        out = {}
        for table in tables:
            cursor.execute(f'SELECT COUNT(*) FROM "{table}"')  # noqa: S608 - names from introspection
            out[table] = cursor.fetchone()[0]
    return out


@pytest.fixture
def clients(db) -> dict[str, APIClient]:
    out = {}
    for kind, role in (("citizen", Role.CITIZEN), ("admin", Role.ADMIN)):
        # No password: the token is the credential (and hashing one per test is slow).
        user = User.objects.create(username=f"bad-{kind}", role=role)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
        out[kind] = client
    return out


def test_the_table_is_big_enough():
    assert len(CASES) >= 30
    assert len({case[0] for case in CASES}) == len(CASES)


def test_a_valid_payload_is_created_and_the_counts_see_it(clients):
    before = _counts()
    response = clients["citizen"].post(URL, birth_payload(), format="json")
    assert response.status_code == 201, response.content
    assert _counts()["dossiers_dossier"] == before["dossiers_dossier"] + 1


@pytest.mark.parametrize("case_id, make, key, who", CASES, ids=[c[0] for c in CASES])
def test_bad_payload_is_refused_with_its_field_and_writes_nothing(clients, case_id, make, key, who):
    before = _counts()
    response = clients[who].post(URL, make(), format="json")
    assert response.status_code == 400, (response.status_code, response.content[:500])
    body = response.json()
    assert key in body, body
    assert all(isinstance(m, str) and m for messages in body.values() for m in messages)
    assert _counts() == before


@pytest.mark.parametrize("raw", [
    "[]", "null", '"birth"', "123", "true", "{", "{\"bundle\": }", json.dumps([birth_payload()]),
    json.dumps({"bundle": None, "services": None, "unit": None, "channel": None, "applicant": None,
                "subject": None}),
    json.dumps({"bundle": "death", "subject": {"date_of_birth": {"$gt": ""}}}),
    json.dumps(birth_payload(subject__mother=["Hoa"], subject__residence=7)),
    json.dumps({"bundle": "birth", "services": [[]], "unit": 29926.5, "channel": True, "applicant": [],
                "subject": "x" * 200_000}),
    "\udcff".encode("utf-8", "surrogatepass").decode("latin-1"),
])
def test_garbage_bodies_get_400_not_500(clients, raw):
    before = _counts()
    response = clients["citizen"].post(URL, raw, content_type="application/json")
    assert response.status_code == 400, (response.status_code, response.content[:500])
    assert isinstance(response.json(), dict) and response.json()
    assert _counts() == before


def test_multipart_with_a_disguised_file_is_refused(clients):
    before = _counts()
    fake = SimpleUploadedFile("giay-chung-sinh.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    response = clients["citizen"].post(URL, {"payload": json.dumps(birth_payload()), "attachments": [fake]},
                                       format="multipart")
    assert response.status_code == 400
    assert response.json()["attachments"] == [
        "Tệp “giay-chung-sinh.pdf” không phải PDF, JPEG hay PNG (kiểm tra theo nội dung tệp)."]
    assert _counts() == before


def test_multipart_with_broken_payload_json(clients):
    response = clients["citizen"].post(URL, {"payload": "{not json"}, format="multipart")
    assert response.status_code == 400
    assert response.json() == {"payload": ["Trường payload phải là JSON hợp lệ."]}


@pytest.mark.parametrize("raw", ['{"a":' * 5000 + "1" + "}" * 5000, "[" * 100_000 + "]" * 100_000],
                         ids=["deep-object", "deep-list"])
def test_deeply_nested_json_gets_400_not_500(clients, raw):
    before = _counts()
    response = clients["citizen"].post(URL, raw, content_type="application/json")
    assert response.status_code == 400
    assert _counts() == before
