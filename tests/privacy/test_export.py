"""A data-subject request (docs/domain.md §10): everything held about one
personal ID as a JSON file, from the Django admin or `manage.py
export_personal_data`, and a log row that names who exported and when, with
the ID masked and hashed, never in clear."""
from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command

from dossiers.models import PersonalDataLog
from dossiers.services import personal_data_export
from lienthong.errors import DomainError
from tests import factories as f

pytestmark = pytest.mark.django_db
MOTHER, FATHER, OTHER = "082190001234", "082088004321", "082180004567"
URL = "/admin/dossiers/personaldatalog/xuat/"


@pytest.fixture
def held():
    """The mother files a birth (applicant and mother); a death dossier names
    someone else only."""
    birth = f.dossier_make()
    death = f.dossier_make("death")
    return birth, death


def _no_clear_id(personal_id: str) -> None:
    for row in PersonalDataLog.objects.values():
        assert personal_id not in json.dumps(row, default=str), row


def test_the_command_exports_every_dossier_naming_the_id_and_logs_it(held, tmp_path):
    birth, death = held
    admin = f.UserFactory(username="dpo", role="admin", is_staff=True, is_superuser=True)
    out = tmp_path / "export.json"
    call_command("export_personal_data", MOTHER, "--output", str(out), "--by", "dpo")
    data = json.loads(out.read_text(encoding="utf-8"))
    assert [d["code"] for d in data["dossiers"]] == [birth.code]
    exported = data["dossiers"][0]
    assert exported["roles"] == ["applicant", "mother"]
    assert exported["subject"]["mother"]["personal_id"] == MOTHER
    assert {leg["service"] for leg in exported["legs"]} == set(birth.services)
    assert exported["history"] and exported["views"] == []
    # The father finds the same dossier; someone named nowhere finds none.
    assert [d["roles"] for d in personal_data_export(personal_id=FATHER, user=None)["dossiers"]] == [["father"]]
    assert personal_data_export(personal_id="001099000001", user=None)["dossiers"] == []

    first = PersonalDataLog.objects.order_by("at", "pk").first()
    assert (first.action, first.user, first.subject_masked, first.dossier_count, first.details) == (
        "export", admin, "082******234", 1, {"via": "command"})
    assert len(first.subject_hash) == 64
    assert PersonalDataLog.objects.filter(action="export").count() == 3
    for pid in (MOTHER, FATHER):
        _no_clear_id(pid)


def test_a_wrong_id_is_refused_naming_the_field(held):
    with pytest.raises(CommandError, match="personal_id"):
        call_command("export_personal_data", "12345")
    assert not PersonalDataLog.objects.exists()


def test_only_administrators_may_export(held):
    users = f.engine_users_make("ex")
    for user in (users.viewer, users.clerk, users.justice, users.citizen):
        with pytest.raises(DomainError):
            personal_data_export(personal_id=MOTHER, user=user)
    assert not PersonalDataLog.objects.exists()


def test_the_admin_page_answers_a_json_file_and_logs_it(held, client):
    birth, _death = held
    users = f.engine_users_make("ex2")
    client.force_login(users.admin)
    assert client.get(URL).status_code == 200
    assert URL in client.get("/admin/dossiers/personaldatalog/").content.decode()
    refused = client.post(URL, {"personal_id": "0821900"})
    assert refused.status_code == 400 and "12 chữ số" in refused.content.decode()
    response = client.post(URL, {"personal_id": "0821 9000 1234"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;") and MOTHER not in response["Content-Disposition"]
    assert [d["code"] for d in json.loads(response.content)["dossiers"]] == [birth.code]
    log = PersonalDataLog.objects.get()
    assert (log.user, log.subject_masked, log.details) == (users.admin, "082******234", {"via": "admin"})
    # An admin-site account that is not a portal administrator is refused.
    clerk_with_admin = users.clerk
    clerk_with_admin.is_staff = True
    clerk_with_admin.save(update_fields=["is_staff"])
    client.force_login(clerk_with_admin)
    assert client.post(URL, {"personal_id": MOTHER}).status_code == 403
    assert PersonalDataLog.objects.count() == 1
