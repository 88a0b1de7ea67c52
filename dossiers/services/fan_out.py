"""Worker side: a prerequisite finished, so open (or cancel) what waited for
it; automatic legs (residence removal after a death, rule residence_removal.automatic)."""
from __future__ import annotations

from datetime import datetime
from functools import partial

from django.db import transaction
from django.utils.translation import gettext as _

from dossiers import deadlines, rules, vocabulary
from dossiers.models import OPEN_DOSSIER_STATES, Bundle, Dossier, Leg, LegStatus, Service
from dossiers.services._core import (
    _cancel_dependants,
    _dossier_roll_up,
    _leg_complete_locked,
    _lock_leg,
    _log,
    _on,
    _queue_fan_out,
)
from lienthong import clock


# --- worker side: fan-out, automatic legs, sweep ------------------------------
@transaction.atomic
def leg_fan_out(*, leg_id: int) -> list[int]:
    """Open (or cancel) what waits for leg `leg_id`. Idempotent: a second run
    finds nothing waiting. Returns the ids of the legs it changed."""
    try:
        dossier, prerequisite = _lock_leg(None, leg_id)
    except (Leg.DoesNotExist, Dossier.DoesNotExist):
        return []
    now = clock.now()
    if prerequisite.status in (LegStatus.REJECTED, LegStatus.CANCELLED):
        ids = list(Leg.objects.filter(depends_on=prerequisite, status=LegStatus.WAITING).values_list("pk", flat=True))
        _cancel_dependants(prerequisite, actor=None, at=now)
        _dossier_roll_up(dossier, actor=None, at=now)
        return ids
    if prerequisite.status != LegStatus.COMPLETED:
        return []
    started = prerequisite.finished_at or now
    changed = []
    for leg in Leg.objects.select_for_update().filter(depends_on=prerequisite, status=LegStatus.WAITING):
        leg.dossier = dossier
        leg.open()
        # The clock starts with the prerequisite's result, not with the worker.
        leg.started_at = started
        leg.due_at = deadlines.due(started, leg.deadline_days or 0, on=_on(dossier))
        leg.save(update_fields=["status", "started_at", "due_at", "updated_at"])
        _log(dossier=dossier, leg=leg, actor=None, action="open", source=LegStatus.WAITING, target=leg.status,
             at=now)
        changed.append(leg.pk)
        if leg.automatic:
            _leg_auto_complete(dossier, leg, at=now)
    _dossier_roll_up(dossier, actor=None, at=now)
    return changed


def _leg_auto_complete(dossier: Dossier, leg: Leg, *, at: datetime) -> None:
    """Residence removal after a death from 15/3/2026: no application, the
    system records it (rule residence_removal.automatic)."""
    reason = _("Xóa đăng ký thường trú tự động sau khi đăng ký khai tử (%(cite)s).") % {
        "cite": rules.citation("residence_removal.automatic", at)}
    if leg.status == LegStatus.PENDING:
        leg.accept()
        leg.save(update_fields=["status", "updated_at"])
        _log(dossier=dossier, leg=leg, actor=None, action="accept", source=LegStatus.PENDING, target=leg.status,
             reason=reason, at=at, notify=False)
    if leg.status == LegStatus.IN_PROGRESS:
        _leg_complete_locked(dossier, leg, actor=None, result=None, at=at, reason=reason)



@transaction.atomic
def dossier_automatic_legs_ensure(*, dossier_id: int) -> Leg | None:
    """A death from 15/3/2026 with a permanent residence gets its automatic
    residence-removal leg even when none was planned (imports, old rows)."""
    dossier = Dossier.objects.select_for_update(skip_locked=True).filter(pk=dossier_id).first()
    if dossier is None or dossier.status not in OPEN_DOSSIER_STATES or dossier.bundle != Bundle.DEATH:
        return None
    if not (dossier.subject or {}).get("had_permanent_residence"):
        return None
    if not rules.value("residence_removal.automatic", _on(dossier)):
        return None
    legs = {leg.service: leg for leg in Leg.objects.select_for_update().filter(dossier=dossier)}
    if Service.RESIDENCE_REMOVAL in legs or Service.DEATH_REGISTRATION not in legs:
        return None
    prerequisite = legs[Service.DEATH_REGISTRATION]
    if prerequisite.status in (LegStatus.REJECTED, LegStatus.CANCELLED):
        return None
    now = clock.now()
    leg = Leg(dossier=dossier, service=Service.RESIDENCE_REMOVAL, agency=vocabulary.agency_of(Service.RESIDENCE_REMOVAL), status=LegStatus.WAITING,
              scope_unit_id=dossier.scope_unit_id, scope_province_id=dossier.scope_province_id,
              automatic=True, depends_on=prerequisite,
              deadline_days=int(rules.value("deadline.residence_removal", _on(dossier))))
    leg.save()
    dossier.services = [*dossier.services, Service.RESIDENCE_REMOVAL]
    dossier.save(update_fields=["services", "updated_at"])
    _log(dossier=dossier, leg=leg, actor=None, action="create", source="", target=leg.status, at=now,
         reason=_("Xóa đăng ký thường trú tự động (%(cite)s).") % {
             "cite": rules.citation("residence_removal.automatic", _on(dossier))}, notify=False)
    if prerequisite.status == LegStatus.COMPLETED:
        transaction.on_commit(partial(_queue_fan_out, prerequisite.pk))
    return leg



@transaction.atomic
def _automatic_leg_finish(leg_id: int) -> bool:
    leg = Leg.objects.filter(pk=leg_id).values("dossier_id").first()
    if leg is None:
        return False
    dossier = Dossier.objects.select_for_update(skip_locked=True).filter(pk=leg["dossier_id"]).first()
    if dossier is None:
        return False
    locked = Leg.objects.select_for_update().get(pk=leg_id)
    if not locked.automatic or locked.status not in (LegStatus.PENDING, LegStatus.IN_PROGRESS):
        return False
    locked.dossier = dossier
    _leg_auto_complete(dossier, locked, at=clock.now())
    return True
