"""Dossier status from its legs (docs/domain.md §5)."""
from __future__ import annotations

import pytest

from dossiers import services
from tests.dossiers.payloads import birth_payload
from tests.factories import leg_of, story

pytestmark = pytest.mark.django_db


def _through_birth(eng, dossier):
    birth = leg_of(dossier, "birth_registration")
    services.leg_accept(leg_id=birth.pk, user=eng.justice)
    services.leg_complete(leg_id=birth.pk, user=eng.justice)
    services.leg_fan_out(leg_id=birth.pk)


def test_all_legs_completed_completes_the_dossier(eng):
    dossier = services.dossier_submit(data=birth_payload(), user=eng.citizen)
    _through_birth(eng, dossier)
    for service, officer in (("residence_registration", eng.police), ("health_insurance_card", eng.bhxh)):
        leg = leg_of(dossier, service)
        services.leg_accept(leg_id=leg.pk, user=officer)
        services.leg_complete(leg_id=leg.pk, user=officer)
    dossier.refresh_from_db()
    assert dossier.status == "completed" and dossier.closed_at
    assert story(dossier)[-1] == ("dossier", "complete", "in_progress", "completed")


def test_first_leg_rejected_rejects_the_dossier_and_cancels_the_rest(eng):
    dossier = services.dossier_submit(data=birth_payload(), user=eng.citizen)
    services.leg_reject(leg_id=leg_of(dossier, "birth_registration").pk, user=eng.justice,
                        reason="Không thuộc thẩm quyền")
    dossier.refresh_from_db()
    assert dossier.status == "rejected"
    assert leg_of(dossier, "residence_registration").status == "cancelled"
    assert leg_of(dossier, "health_insurance_card").status == "cancelled"
    assert ("dossier", "reject", "submitted", "rejected") in story(dossier)


def test_a_rejected_dependant_makes_it_partially_completed(eng):
    dossier = services.dossier_submit(data=birth_payload(), user=eng.citizen)
    _through_birth(eng, dossier)
    services.leg_reject(leg_id=leg_of(dossier, "residence_registration").pk, user=eng.police,
                        reason="collective_household")
    dossier.refresh_from_db()
    assert dossier.status == "in_progress"  # the card is still open
    card = leg_of(dossier, "health_insurance_card")
    services.leg_accept(leg_id=card.pk, user=eng.bhxh)
    services.leg_complete(leg_id=card.pk, user=eng.bhxh)
    dossier.refresh_from_db()
    assert dossier.status == "partially_completed"


def test_closed_dossier_does_not_change_again(eng):
    dossier = services.dossier_submit(data=birth_payload(), user=eng.citizen)
    services.leg_reject(leg_id=leg_of(dossier, "birth_registration").pk, user=eng.justice, reason="Sai xã")
    counts = services.dossiers_sweep()
    assert counts["closed"] == 0
    dossier.refresh_from_db()
    assert dossier.status == "rejected"
