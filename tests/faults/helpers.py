"""Dossier shortcuts of the fault tests (services called in the test process,
tasks going to the test's own queue)."""
from __future__ import annotations

import re

from dossiers import services
from dossiers.models import Dossier, Leg, Notification, Transition
from tests.dossiers.payloads import birth_payload
from tests.factories import leg_of

DEPENDANTS = ("residence_registration", "health_insurance_card")


def birth_registered(eng) -> tuple[Dossier, Leg]:
    """A birth dossier whose birth registration is completed: its two
    dependants wait for the fan-out."""
    dossier = services.dossier_submit(data=birth_payload(), user=eng.citizen)
    birth = leg_of(dossier, "birth_registration")
    services.leg_accept(leg_id=birth.pk, user=eng.justice)
    services.leg_complete(leg_id=birth.pk, user=eng.justice)
    return dossier, birth


def opens(dossier: Dossier) -> dict[str, int]:
    """How many times each dependant was opened."""
    return {service: Transition.objects.filter(dossier=dossier, leg__service=service, action="open").count()
            for service in DEPENDANTS}


def all_open(dossiers: list[Dossier]) -> bool:
    return not Leg.objects.filter(dossier__in=dossiers, service__in=DEPENDANTS, status="waiting").exists()


def sent_for(transitions) -> list[tuple[int, str]]:
    return sorted(Notification.objects.filter(transition__in=transitions, sent_at__isnull=False)
                  .values_list("transition_id", "channel"))


def succeeded(log: str, task_id: str) -> bool:
    return re.search(rf"\[{re.escape(task_id)}\] succeeded", log) is not None
