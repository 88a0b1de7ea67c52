"""Submission: the counter's and the citizen's live preview, and the
submission itself (docs/domain.md §3)."""
from __future__ import annotations

import logging
import secrets
from collections.abc import Sequence
from datetime import datetime
from functools import partial
from typing import Any

from django.db import transaction
from django.utils import timezone

from agencies.models import AdminUnit, User
from dossiers import deadlines
from dossiers.models import Bundle, Document, Dossier, DossierStatus, Leg, LegStatus
from dossiers.services._core import _actor, _attachment_save, _log, _on, _queue_document, _search_text
from lienthong.errors import DomainError

logger = logging.getLogger("dossiers.services")

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: codes are read aloud at the counter
CODE_PREFIX: dict[str, str] = {Bundle.BIRTH: "KS", Bundle.DEATH: "KT"}


def _new_code(bundle: str, at: datetime) -> str:
    stamp = timezone.localtime(at).strftime("%y%m%d")
    while True:
        code = f"{CODE_PREFIX[bundle]}-{stamp}-{''.join(secrets.choice(CODE_ALPHABET) for _ in range(5))}"
        if not Dossier.objects.filter(code=code).exists():
            return code


def _scope(unit: AdminUnit) -> tuple[AdminUnit, AdminUnit]:
    """The current-map commune and province that decide who sees a dossier."""
    current = unit.successor if unit.map != AdminUnit.Map.CURRENT and unit.successor else unit
    province = current.province or current
    return current, province


# --- submission ---------------------------------------------------------------
@transaction.atomic
def dossier_submit(*, data: dict, user: User, files: Sequence = ()) -> Dossier:
    """Validate completely (nothing is written on refusal), then create the
    dossier, its legs and the first transitions."""
    from dossiers import validation

    submission = validation.submission_clean(data, user=user, files=files)
    historical = bool(isinstance(data, dict) and data.get("submitted_at"))
    return _dossier_create(submission, user=user, historical=historical)


def _dossier_create(sub: Any, *, user: User, historical: bool) -> Dossier:
    at = sub.submitted_at
    scope_unit, scope_province = _scope(sub.unit)
    applicant, subject = dict(sub.applicant), dict(sub.subject)
    dossier = Dossier(
        code=_new_code(sub.bundle, at), bundle=sub.bundle, services=list(sub.services), unit=sub.unit,
        scope_unit=scope_unit, scope_province=scope_province, channel=sub.channel,
        applicant=applicant, subject=subject,
        applicant_name=applicant.get("full_name", "")[:120], applicant_phone=applicant.get("phone", "") or "",
        applicant_email=applicant.get("email", "") or "", subject_name=subject.get("full_name", "")[:120],
        subject_personal_id=subject.get("personal_id", "") or "", submitted_by=_actor(user), submitted_at=at,
        is_late_registration=bool(sub.is_late_registration), needs_verification=bool(sub.needs_verification),
        notices=list(sub.notices),
    )
    dossier.due_at = _dossier_due(sub)
    dossier.search_text = _search_text(dossier)
    dossier.save()
    notify = not historical
    _log(dossier=dossier, actor=user, action="submit", source="", target=DossierStatus.SUBMITTED, at=at,
         notify=notify)

    by_service: dict[str, Leg] = {}
    for planned in sub.legs:
        prerequisite = by_service.get(planned.depends_on) if planned.depends_on else None
        leg = _leg_build(dossier, service=planned.service, agency=planned.agency, prerequisite=prerequisite,
                         automatic=bool(planned.automatic), days=int(planned.deadline_days), at=at)
        by_service[leg.service] = leg
        # Leg creation is part of the submission message: no separate notice.
        _log(dossier=dossier, leg=leg, actor=user, action="create", source="", target=leg.status, at=at,
             notify=False)

    for clean in getattr(sub, "files", []) or []:
        _attachment_save(dossier, clean, user=user, kind="submission")
    if not historical:
        transaction.on_commit(partial(_queue_document, dossier.pk, Document.Kind.APPOINTMENT_SLIP))
    return dossier


def _dossier_due(sub: Any) -> datetime:
    """The whole dossier's due time: the one the preview shows and the slip prints."""
    at = sub.submitted_at
    on = timezone.localtime(at).date()
    return deadlines.due(at, deadlines.bundle_days(
        bundle=sub.bundle, services=[leg.service for leg in sub.legs],
        needs_verification=bool(sub.needs_verification), on=on), on=on)


def _leg_build(dossier: Dossier, *, service: str, agency: str, prerequisite: Leg | None, automatic: bool,
               days: int, at: datetime) -> Leg:
    if prerequisite is None:
        leg = Leg(dossier=dossier, service=service, agency=agency, status=LegStatus.PENDING, automatic=automatic,
                  scope_unit_id=dossier.scope_unit_id, scope_province_id=dossier.scope_province_id,
                  deadline_days=days, started_at=at, due_at=deadlines.due(at, days, on=_on(dossier)))
    else:
        leg = Leg(dossier=dossier, service=service, agency=agency, status=LegStatus.WAITING, automatic=automatic,
                  scope_unit_id=dossier.scope_unit_id, scope_province_id=dossier.scope_province_id,
                  deadline_days=days, depends_on=prerequisite)
    leg.save()
    return leg



def dossier_preview(*, data: dict, user: User) -> dict:
    """What the counter shows while the form is filled: legs with their due
    times, the dossier's due time, field errors and per-service verdicts.
    Writes nothing."""
    from dossiers import eligibility, validation

    out: dict[str, Any] = {"legs": [], "due_at": None, "errors": {}, "verdicts": []}
    on = timezone.localdate()
    try:
        out["verdicts"] = eligibility.explain(data, on=on)
    except DomainError as exc:
        out["errors"].update(exc.errors)
    except (TypeError, ValueError, AttributeError, KeyError):
        logger.debug("preview: verdicts unavailable for an incomplete form", exc_info=True)
    try:
        sub = validation.submission_clean(data, user=user)
    except DomainError as exc:
        out["errors"].update(exc.errors)
        return out
    at = sub.submitted_at
    on = timezone.localtime(at).date()
    for planned in sub.legs:
        # What the appointment slip prints: a leg that waits for another has
        # its working days, counted from that one's result; the others a
        # due time, computed as _leg_build does.
        due = None if planned.depends_on else deadlines.due(at, int(planned.deadline_days), on=on)
        out["legs"].append({"service": planned.service, "agency": planned.agency, "due_at": due,
                            "deadline_days": int(planned.deadline_days), "depends_on": planned.depends_on,
                            "automatic": bool(planned.automatic)})
    out["due_at"] = _dossier_due(sub)
    out["notices"] = list(sub.notices)
    out["is_late_registration"] = bool(sub.is_late_registration)
    return out
