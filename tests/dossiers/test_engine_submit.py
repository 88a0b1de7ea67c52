"""Submission: the dossier, its legs, their clocks and the first log rows."""
from __future__ import annotations

import pytest

from dossiers import services
from dossiers.models import Dossier, Leg, Transition
from lienthong.errors import DomainError
from tests.dossiers.payloads import birth_payload, death_payload
from tests.factories import leg_of

pytestmark = pytest.mark.django_db


def test_birth_submission_opens_the_registration_and_parks_the_rest(eng):
    dossier = services.dossier_submit(data=birth_payload(), user=eng.citizen)
    assert dossier.status == "submitted"
    assert dossier.code.startswith("KS-")
    assert dossier.scope_unit.code == "29926" and dossier.scope_province.code == "82"
    birth = leg_of(dossier, "birth_registration")
    assert birth.status == "pending" and birth.agency == "justice" and birth.due_at is not None
    for service, agency in (("residence_registration", "police"), ("health_insurance_card", "social_insurance")):
        leg = leg_of(dossier, service)
        assert (leg.status, leg.agency, leg.depends_on_id, leg.due_at) == ("waiting", agency, birth.pk, None)
    assert dossier.due_at >= birth.due_at
    log = list(Transition.objects.filter(dossier=dossier).values_list("action", "to_state"))
    assert log[0] == ("submit", "submitted")
    assert ("create", "pending") in log and log.count(("create", "waiting")) == 2


def test_search_text_finds_names_without_diacritics(eng):
    dossier = services.dossier_submit(data=birth_payload(), user=eng.citizen)
    assert "tran minh khang" in dossier.search_text
    assert "nguyen thi hoa" in dossier.search_text
    assert dossier.code.lower() in dossier.search_text


def test_refused_submission_writes_nothing(eng):
    before = (Dossier.objects.count(), Leg.objects.count(), Transition.objects.count())
    with pytest.raises(DomainError) as exc:
        services.dossier_submit(data=birth_payload(services=["residence_registration"]), user=eng.citizen)
    assert exc.value.errors["services"] == ["Nhóm thủ tục liên thông luôn gồm thủ tục “Đăng ký khai sinh”."]
    assert (Dossier.objects.count(), Leg.objects.count(), Transition.objects.count()) == before


def test_death_submission_with_funeral_allowance_routes_to_social_insurance(eng):
    dossier = services.dossier_submit(data=death_payload(), user=eng.citizen)
    assert dossier.code.startswith("KT-")
    assert leg_of(dossier, "death_registration").status == "pending"
    assert leg_of(dossier, "funeral_allowance").agency == "social_insurance"
    assert leg_of(dossier, "residence_removal").agency == "police"


def test_submission_queues_the_appointment_slip_after_commit(eng, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.dossier_submit(data=birth_payload(), user=eng.citizen)
    # The submission notice and the appointment slip.
    assert len(callbacks) == 2
