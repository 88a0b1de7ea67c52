"""The agencies' officers act on their legs: accept, ask for a supplement,
complete with a result, reject (docs/domain.md §4)."""
from __future__ import annotations

from django.db import transaction

from agencies.models import User
from dossiers import deadlines, rules
from dossiers.models import Leg, LegStatus
from dossiers.services._core import (
    _actor,
    _changed,
    _clean_reason,
    _dossier_roll_up,
    _leg_complete_locked,
    _leg_reject_locked,
    _lock_leg,
    _log,
    _on,
    _refuse_nul,
    _require,
)
from lienthong import clock


# --- leg transitions (officers) -----------------------------------------------
@transaction.atomic
def leg_accept(*, leg_id: int, user: User) -> Leg:
    dossier, leg = _lock_leg(user, leg_id)
    _require(leg.accept)
    now = clock.now()
    source = leg.status
    leg.accept()
    leg.assigned_to = _actor(user)
    leg.save(update_fields=["status", "assigned_to", "updated_at"])
    _log(dossier=dossier, leg=leg, actor=user, action="accept", source=source, target=leg.status, at=now)
    _dossier_roll_up(dossier, actor=user, at=now)
    return leg


@transaction.atomic
def leg_request_supplement(*, leg_id: int, user: User, reason: str) -> Leg:
    dossier, leg = _lock_leg(user, leg_id)
    _require(leg.request_supplement)
    reason = _clean_reason(reason)
    now = clock.now()
    source = leg.status
    leg.request_supplement()
    leg.paused_at = now
    leg.supplement_due_at = deadlines.supplement_due(now, on=_on(dossier))
    leg.reason = reason
    leg.save(update_fields=["status", "paused_at", "supplement_due_at", "reason", "updated_at"])
    _log(dossier=dossier, leg=leg, actor=user, action="request_supplement", source=source, target=leg.status,
         reason=reason, at=now)
    return leg


@transaction.atomic
def leg_complete(*, leg_id: int, user: User | None, result: dict | None = None) -> Leg:
    dossier, leg = _lock_leg(user, leg_id)
    _refuse_nul(result, "result")
    _require(leg.complete)
    return _leg_complete_locked(dossier, leg, actor=user, result=result, at=clock.now())



def _reason_label(service: str, reason: str) -> str:
    """An officer may send a reason code of the rule table's list: store its label."""
    for code, label in rules.rejection_reasons(service):
        if reason == code and code != "other":
            return str(label)
    return reason


@transaction.atomic
def leg_reject(*, leg_id: int, user: User, reason: str) -> Leg:
    dossier, leg = _lock_leg(user, leg_id)
    # Officers reject pending or in-progress legs; a leg waiting for a
    # supplement is rejected only by the expiry of the citizen's time.
    if leg.status not in (LegStatus.PENDING, LegStatus.IN_PROGRESS):
        raise _changed()
    _require(leg.reject)
    reason = _reason_label(leg.service, _clean_reason(reason))
    return _leg_reject_locked(dossier, leg, actor=user, reason=reason, at=clock.now())

