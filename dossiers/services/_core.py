"""What every write on dossiers shares (private to `dossiers.services`).

Every state change goes the same way: lock the dossier, then its leg
(`select_for_update`, always in that order so two writers never deadlock),
check that the django-fsm transition may proceed (else `Conflict`, HTTP 409),
call it, save with `update_fields`, write a `Transition` row in the same
transaction, and queue side effects (fan-out, notifications, documents) with
`transaction.on_commit`, so a rolled-back action sends nothing. The locking,
the transition log, the publishing of tasks and the dossier's roll-up from its
legs live here, once; the use-case modules beside it call them.
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime
from functools import partial
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_fsm import can_proceed

from agencies import access
from agencies.models import User
from dossiers import notifications, results, vocabulary
from dossiers.models import (
    FINAL_LEG_STATES,
    OPEN_DOSSIER_STATES,
    Attachment,
    Dossier,
    DossierStatus,
    Leg,
    LegStatus,
    Service,
    Transition,
)
from lienthong.celery import BROKER_ERRORS
from lienthong.errors import Conflict, DomainError
from lienthong.text import nfc, nul_paths, search_key

logger = logging.getLogger("dossiers.services")

MAX_REASON = 2000

# Seeding demo data must not mail the (made-up) applicants.
_notifications_muted: ContextVar[bool] = ContextVar("notifications_muted", default=False)


@contextmanager
def notifications_muted() -> Iterator[None]:
    token = _notifications_muted.set(True)
    try:
        yield
    finally:
        _notifications_muted.reset(token)


# --- helpers ---------------------------------------------------------------
def _actor(user: User | None) -> User | None:
    return user if user is not None and getattr(user, "is_authenticated", False) else None


def _on(dossier: Dossier) -> date:
    """The date whose rules apply to the dossier: its submission date."""
    return timezone.localtime(dossier.submitted_at).date()


def _changed(message: str | None = None) -> Conflict:
    return Conflict({"non_field_errors": [message or _(
        "Hồ sơ đã thay đổi trạng thái; thao tác này không còn thực hiện được.")]})


def _require(method: Callable, message: str | None = None) -> None:
    if not can_proceed(method):
        raise _changed(message)


def _dispatch(task: Any, *args: Any) -> bool:
    """Publish a task after commit. A broker that is down must not turn an
    action already saved into a 500: the database holds the truth and the
    sweep re-sends what is missing (fan-out of final prerequisites, unsent
    notifications). Returns whether the message went out."""
    try:
        task.delay(*args)
    except BROKER_ERRORS:
        logger.warning("broker unavailable: %s%r left for the sweep", task.name, args, exc_info=True)
        return False
    return True


def _queue_notify(transition_id: int) -> None:
    from dossiers.notifications import transition_outbox
    from dossiers.tasks import notify_transition

    if not _dispatch(notify_transition, transition_id):
        # Keep the message in the database (unsent): the sweep sends it.
        transition_outbox(transition_id=transition_id)


def _queue_fan_out(leg_id: int) -> None:
    from dossiers.tasks import fan_out

    # Lost: the sweep's first step finds the legs still waiting on a final prerequisite.
    _dispatch(fan_out, leg_id)


def _queue_document(dossier_id: int, kind: str) -> None:
    from dossiers.document_tasks import render_document

    _dispatch(render_document, dossier_id, kind)


def _log(*, dossier: Dossier, leg: Leg | None = None, actor: User | None, action: str, source: str,
         target: str, reason: str = "", at: datetime, notify: bool = True) -> Transition:
    row = Transition.objects.create(dossier=dossier, leg=leg, actor=_actor(actor), action=action,
                                    from_state=source or "", to_state=target, reason=reason, at=at)
    # A transition that tells the applicant nothing (dossiers.notifications.channels) queues no task.
    if notify and not _notifications_muted.get() and notifications.channels(action, on_leg=leg is not None):
        transaction.on_commit(partial(_queue_notify, row.pk))
    return row


NUL_REFUSED = gettext_lazy("Không được chứa ký tự rỗng (NUL).")


def _refuse_nul(value: Any, field: str) -> None:
    """PostgreSQL stores no NUL in text or jsonb: refuse it by field, before writing."""
    paths = nul_paths(value, field)
    if paths:
        raise DomainError({path: [str(NUL_REFUSED)] for path in paths})


def _clean_reason(reason: Any, *, field: str = "reason", required: bool = True) -> str:
    _refuse_nul(reason, field)
    text = nfc(reason) if isinstance(reason, str) else ""
    if required and not text:
        message = _("Vui lòng ghi nội dung bổ sung hoặc đính kèm giấy tờ.") if field == "note" else _(
            "Vui lòng nêu lý do.")
        raise DomainError({field: [message]})
    if len(text) > MAX_REASON:
        raise DomainError({field: [_("Nội dung quá dài (tối đa %(n)s ký tự).") % {"n": MAX_REASON}]})
    return text


def _lock_leg(user: User | None, leg_id: int) -> tuple[Dossier, Leg]:
    """Access check (404 out of scope), then lock dossier and leg, in that order."""
    if user is not None:
        leg = access.get_leg_or_404(user, leg_id)
        dossier_id = leg.dossier_id
    else:
        dossier_id = Leg.objects.values_list("dossier_id", flat=True).get(pk=leg_id)
    dossier = Dossier.objects.select_for_update(of=("self",)).select_related("unit__province", "scope_province").get(
        pk=dossier_id)
    leg = Leg.objects.select_for_update().get(pk=leg_id)
    leg.dossier = dossier
    return dossier, leg


def _lock_dossier(user: User, code: str) -> Dossier:
    dossier = access.get_dossier_or_404(user, code)
    return Dossier.objects.select_for_update().get(pk=dossier.pk)


def _search_text(dossier: Dossier) -> str:
    subject, applicant = dossier.subject or {}, dossier.applicant or {}
    parts = [dossier.code, dossier.applicant_name, dossier.subject_name, dossier.subject_personal_id,
             applicant.get("personal_id", "")]
    for parent in ("mother", "father"):
        person = subject.get(parent) or {}
        parts += [person.get("full_name", ""), person.get("personal_id", "")]
    return search_key(" ".join(str(p) for p in parts if p))



def _attachment_save(dossier: Dossier, clean: Any, *, user: User | None, kind: str, leg: Leg | None = None,
                     note: str = "") -> Attachment:
    attachment = Attachment(dossier=dossier, leg=leg, kind=kind, original_name=clean.name[:255],
                            content_type=clean.content_type, size=clean.size, sha256=clean.sha256, note=note,
                            uploaded_by=_actor(user))
    attachment.file.save(clean.name[-100:], clean.file, save=False)
    attachment.save()
    return attachment


def _dispatch_document(dossier_id: int, kind: str) -> bool:
    from dossiers.document_tasks import render_document

    return _dispatch(render_document, dossier_id, kind)


# --- roll-up ------------------------------------------------------------------
def _dossier_roll_up(dossier: Dossier, *, actor: User | None, at: datetime) -> None:
    """Dossier status from its legs (docs/domain.md §5); the dossier is locked."""
    if dossier.status not in OPEN_DOSSIER_STATES:
        return
    legs = list(Leg.objects.filter(dossier=dossier))
    if legs and all(leg.status in FINAL_LEG_STATES for leg in legs):
        source = dossier.status
        prerequisites = [leg for leg in legs if leg.depends_on_id is None]
        if all(leg.status == LegStatus.COMPLETED for leg in legs):
            dossier.complete()
            action = "complete"
        elif any(leg.status != LegStatus.COMPLETED for leg in prerequisites):
            dossier.reject()
            action = "reject"
        else:
            dossier.complete_partially()
            action = "complete_partially"
        dossier.closed_at = at
        dossier.save(update_fields=["status", "closed_at", "updated_at"])
        _log(dossier=dossier, actor=actor, action=action, source=source, target=dossier.status, at=at)
    elif dossier.status == DossierStatus.SUBMITTED and any(
            leg.status not in (LegStatus.WAITING, LegStatus.PENDING) for leg in legs):
        dossier.start()
        dossier.save(update_fields=["status", "updated_at"])
        _log(dossier=dossier, actor=actor, action="start", source=DossierStatus.SUBMITTED,
             target=dossier.status, at=at)


def _cancel_dependants(leg: Leg, *, actor: User | None, at: datetime) -> None:
    """A prerequisite that will never complete cancels what waits for it."""
    reason = _("Thủ tục %(service)s không hoàn thành.") % {"service": Service(leg.service).label}
    for dependant in Leg.objects.select_for_update().filter(depends_on=leg, status=LegStatus.WAITING):
        dependant.dossier = leg.dossier
        dependant.cancel()
        dependant.finished_at = at
        dependant.reason = reason
        dependant.save(update_fields=["status", "finished_at", "reason", "updated_at"])
        _log(dossier=leg.dossier, leg=dependant, actor=actor, action="cancel", source=LegStatus.WAITING,
             target=dependant.status, reason=reason, at=at)
        _cancel_dependants(dependant, actor=actor, at=at)


def _leg_complete_locked(dossier: Dossier, leg: Leg, *, actor: User | None, result: dict | None,
                         at: datetime, reason: str = "") -> Leg:
    built = results.result_build(leg, result)
    source = leg.status
    leg.complete()
    leg.result = built
    leg.finished_at = at
    # Late completion stays visible in the reports ("on time" vs "overdue").
    leg.overdue = leg.overdue or bool(leg.due_at and at > leg.due_at)
    leg.save(update_fields=["status", "result", "finished_at", "overdue", "updated_at"])
    _log(dossier=dossier, leg=leg, actor=actor, action="complete", source=source, target=leg.status,
         reason=reason, at=at)
    if leg.service == Service.BIRTH_REGISTRATION and built.get("personal_id"):
        dossier.subject_personal_id = built["personal_id"]
        dossier.search_text = _search_text(dossier)
        dossier.save(update_fields=["subject_personal_id", "search_text", "updated_at"])
    kind = vocabulary.SERVICES[leg.service].document
    if kind:
        transaction.on_commit(partial(_queue_document, dossier.pk, kind))
    if Leg.objects.filter(depends_on=leg, status=LegStatus.WAITING).exists():
        transaction.on_commit(partial(_queue_fan_out, leg.pk))
    _dossier_roll_up(dossier, actor=actor, at=at)
    return leg


def _leg_reject_locked(dossier: Dossier, leg: Leg, *, actor: User | None, reason: str, at: datetime,
                       action: str = "reject") -> Leg:
    source = leg.status
    leg.reject()
    leg.reason = reason
    leg.finished_at = at
    leg.paused_at = None
    leg.supplement_due_at = None
    leg.save(update_fields=["status", "reason", "finished_at", "paused_at", "supplement_due_at", "updated_at"])
    _log(dossier=dossier, leg=leg, actor=actor, action=action, source=source, target=leg.status, reason=reason,
         at=at)
    _cancel_dependants(leg, actor=actor, at=at)
    _dossier_roll_up(dossier, actor=actor, at=at)
    return leg
