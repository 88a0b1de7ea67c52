"""The periodic catch-up (beat, every minute): whatever a lost message or a
stopped worker left undone, found in the database and done again."""
from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from dossiers import rules, vocabulary
from dossiers.models import (
    FINAL_LEG_STATES,
    OPEN_DOSSIER_STATES,
    Bundle,
    Dossier,
    Leg,
    LegStatus,
    Notification,
    Service,
)
from dossiers.services._core import _dispatch, _dispatch_document, _dossier_roll_up, _leg_reject_locked, _lock_leg, _on
from dossiers.services.fan_out import _automatic_leg_finish, dossier_automatic_legs_ensure, leg_fan_out
from lienthong import clock

logger = logging.getLogger("dossiers.services")

# How long the sweep keeps retrying an unsent notification (a bad address
# must not be retried for ever).
NOTIFY_RETRY_WINDOW = timedelta(days=1)
# A document task the broker never took is queued again by the sweep after
# this (the normal path has had its chance; a second render is a no-op).
DOCUMENT_RETRY_AFTER = timedelta(minutes=2)


@transaction.atomic
def leg_expire_supplement(*, leg_id: int, now: datetime | None = None) -> bool:
    """Reject a leg whose supplement did not come in time (docs/domain.md §4)."""
    now = now or clock.now()
    try:
        dossier, leg = _lock_leg(None, leg_id)
    except (Leg.DoesNotExist, Dossier.DoesNotExist):
        return False
    if leg.status != LegStatus.AWAITING_SUPPLEMENT or not leg.supplement_due_at or leg.supplement_due_at >= now:
        return False
    days = rules.value("deadline.supplement_answer", _on(dossier))
    reason = _("Không bổ sung hồ sơ trong thời hạn %(days)s ngày làm việc (%(cite)s).") % {
        "days": days, "cite": rules.citation("deadline.supplement_answer", _on(dossier))}
    _leg_reject_locked(dossier, leg, actor=None, reason=reason, at=now, action="expire")
    return True



@transaction.atomic
def dossier_close_if_final(*, dossier_id: int) -> bool:
    dossier = Dossier.objects.select_for_update(skip_locked=True).filter(pk=dossier_id).first()
    if dossier is None or dossier.status not in OPEN_DOSSIER_STATES:
        return False
    before = dossier.status
    _dossier_roll_up(dossier, actor=None, at=clock.now())
    return dossier.status != before


def dossiers_sweep(*, now: datetime | None = None, documents_after: timedelta = DOCUMENT_RETRY_AFTER
                   ) -> dict[str, int]:
    """The periodic catch-up (beat, every minute). Each step is its own small
    transaction and safe to run twice or side by side with another sweep."""
    now = now or clock.now()
    counts = {"fan_out": 0, "overdue": 0, "expired": 0, "automatic": 0, "closed": 0}

    # 1. Fan-out a worker missed: something waits on a final prerequisite.
    prerequisites = set(Leg.objects.filter(status=LegStatus.WAITING, depends_on__status__in=FINAL_LEG_STATES)
                        .values_list("depends_on_id", flat=True))
    for leg_id in prerequisites:
        counts["fan_out"] += len(leg_fan_out(leg_id=leg_id))

    # 2. Overdue legs: a conditional update, nothing to lock.
    counts["overdue"] = Leg.objects.filter(
        status__in=[LegStatus.PENDING, LegStatus.IN_PROGRESS], due_at__lt=now, overdue=False).update(overdue=True)

    # 3. Supplements that did not come in time.
    for leg_id in Leg.objects.filter(status=LegStatus.AWAITING_SUPPLEMENT, supplement_due_at__lt=now).values_list(
            "pk", flat=True):
        counts["expired"] += leg_expire_supplement(leg_id=leg_id, now=now)

    # 4. Automatic residence removal: create what is missing, complete what is open.
    candidates = (Dossier.objects.filter(bundle=Bundle.DEATH, status__in=OPEN_DOSSIER_STATES,
                                         subject__had_permanent_residence=True)
                  .exclude(legs__service=Service.RESIDENCE_REMOVAL).values_list("pk", flat=True))
    for dossier_id in candidates:
        try:
            counts["automatic"] += dossier_automatic_legs_ensure(dossier_id=dossier_id) is not None
        except rules.RuleMissing:
            continue
    for leg_id in Leg.objects.filter(automatic=True, status__in=[LegStatus.PENDING, LegStatus.IN_PROGRESS]
                                     ).values_list("pk", flat=True):
        counts["automatic"] += _automatic_leg_finish(leg_id)

    # 5. Dossiers whose legs are all final but which were not closed.
    open_ids = Dossier.objects.filter(status__in=OPEN_DOSSIER_STATES).exclude(
        Q(legs__status__in=[s for s in LegStatus.values if s not in FINAL_LEG_STATES])).values_list("pk", flat=True)
    for dossier_id in open_ids:
        counts["closed"] += dossier_close_if_final(dossier_id=dossier_id)

    # 6. Notifications kept unsent (the broker was down when their task was
    # queued, or a send failed): queue them again. A message stays claimed
    # while it is being sent, so a second delivery never sends it twice.
    from dossiers.tasks import notify_transition

    pending = (Notification.objects.filter(sent_at=None, transition__isnull=False,
                                           created_at__gte=now - NOTIFY_RETRY_WINDOW)
               .values_list("transition_id", flat=True).distinct())
    requeued = sum(_dispatch(notify_transition, transition_id) for transition_id in pending)
    if requeued:
        logger.info("sweep: %s transitions' unsent notifications queued again", requeued)
    _documents_requeue(now=now, after=documents_after)
    return counts


def _documents_requeue(*, now: datetime, after: timedelta) -> int:
    """7. Documents whose task never reached the broker: a result or a live
    submission of the last day, older than `after`, with no document row at
    all (a render in progress or done has one). Rendering is idempotent."""
    from django.db.models import Exists, F, OuterRef

    from dossiers.models import Document

    since, until = now - NOTIFY_RETRY_WINDOW, now - after
    queued = 0
    for kind, service in vocabulary.DOCUMENT_SERVICE.items():
        missing = (Leg.objects.filter(service=service, status=LegStatus.COMPLETED, finished_at__gte=since,
                                      finished_at__lte=until)
                   .filter(~Exists(Document.objects.filter(dossier=OuterRef("dossier_id"), kind=kind)))
                   .values_list("dossier_id", flat=True))
        queued += sum(_dispatch_document(dossier_id, kind) for dossier_id in missing)
    # Imports carry an earlier submitted_at and get no slip: only dossiers
    # submitted live (within a minute of their row's creation).
    slips = (Dossier.objects.filter(created_at__gte=since, created_at__lte=until,
                                    submitted_at__gte=F("created_at") - timedelta(minutes=1))
             .filter(~Exists(Document.objects.filter(dossier=OuterRef("pk"), kind=Document.Kind.APPOINTMENT_SLIP)))
             .values_list("pk", flat=True))
    queued += sum(_dispatch_document(dossier_id, Document.Kind.APPOINTMENT_SLIP) for dossier_id in slips)
    if queued:
        logger.info("sweep: %s documents queued again", queued)
    return queued

