"""Writes on dossiers: submission, leg transitions, supplements, fan-out and
the periodic sweep (docs/domain.md §3–§6).

Every state change goes the same way: lock the dossier, then its leg
(`select_for_update`, always in that order so two writers never deadlock),
check that the django-fsm transition may proceed (else `Conflict`, HTTP 409),
call it, save with `update_fields`, write a `Transition` row in the same
transaction, and queue side effects (fan-out, notifications, documents) with
`transaction.on_commit`, so a rolled-back action sends nothing.
"""
from __future__ import annotations

import logging
import secrets
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime, timedelta
from functools import partial
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_fsm import can_proceed

from agencies import access
from agencies.models import AdminUnit, User
from dossiers import deadlines, results, rules
from dossiers.models import (
    FINAL_LEG_STATES,
    OPEN_DOSSIER_STATES,
    Attachment,
    Bundle,
    Dossier,
    DossierStatus,
    Leg,
    LegStatus,
    Notification,
    Service,
    Transition,
)
from lienthong.errors import Conflict, DomainError
from lienthong.text import nfc, nul_paths, search_key

logger = logging.getLogger(__name__)

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: codes are read aloud at the counter
CODE_PREFIX: dict[str, str] = {Bundle.BIRTH: "KS", Bundle.DEATH: "KT"}
MAX_REASON = 2000
# How long the sweep keeps retrying an unsent notification (a bad address
# must not be retried for ever).
NOTIFY_RETRY_WINDOW = timedelta(days=1)
# A document task the broker never took is queued again by the sweep after
# this (the normal path has had its chance; a second render is a no-op).
DOCUMENT_RETRY_AFTER = timedelta(minutes=2)
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


# What a broker that is down raises on publish (kombu wraps the connection
# error in its OperationalError after its own retries; redis-py and the
# socket errors are listed in case a transport lets them through).
def _broker_errors() -> tuple[type[BaseException], ...]:
    from kombu.exceptions import KombuError
    from redis.exceptions import RedisError

    return (KombuError, RedisError, OSError)


def _dispatch(task: Any, *args: Any) -> bool:
    """Publish a task after commit. A broker that is down must not turn an
    action already saved into a 500: the database holds the truth and the
    sweep re-sends what is missing (fan-out of final prerequisites, unsent
    notifications). Returns whether the message went out."""
    try:
        task.delay(*args)
    except _broker_errors():
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
    if notify and not _notifications_muted.get():
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


def _new_code(bundle: str, at: datetime) -> str:
    stamp = timezone.localtime(at).strftime("%y%m%d")
    while True:
        code = f"{CODE_PREFIX[bundle]}-{stamp}-{''.join(secrets.choice(CODE_ALPHABET) for _ in range(5))}"
        if not Dossier.objects.filter(code=code).exists():
            return code


def _scope(unit: AdminUnit) -> tuple[AdminUnit, AdminUnit]:
    """The current-map commune and province that decide who sees a dossier."""
    current = unit.successor if unit.map != AdminUnit.Map.CURRENT and unit.successor else unit
    province = current.province if current.province else current
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
    on = timezone.localtime(at).date()
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
    dossier.due_at = deadlines.due(at, deadlines.bundle_days(
        bundle=sub.bundle, services=[leg.service for leg in sub.legs],
        needs_verification=bool(sub.needs_verification), on=on), on=on)
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
        transaction.on_commit(partial(_queue_document, dossier.pk, "appointment_slip"))
    return dossier


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


def _attachment_save(dossier: Dossier, clean: Any, *, user: User | None, kind: str, leg: Leg | None = None,
                     note: str = "") -> Attachment:
    attachment = Attachment(dossier=dossier, leg=leg, kind=kind, original_name=clean.name[:255],
                            content_type=clean.content_type, size=clean.size, sha256=clean.sha256, note=note,
                            uploaded_by=_actor(user))
    attachment.file.save(clean.name[-100:], clean.file, save=False)
    attachment.save()
    return attachment


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
    due_by_service: dict[str, datetime] = {}
    for planned in sub.legs:
        # A dependant's clock starts when its prerequisite completes: at the
        # latest, the prerequisite's own due time.
        start = due_by_service.get(planned.depends_on, at) if planned.depends_on else at
        due_by_service[planned.service] = deadlines.due(start, int(planned.deadline_days), on=on)
        out["legs"].append({"service": planned.service, "agency": planned.agency,
                            "due_at": due_by_service[planned.service], "depends_on": planned.depends_on,
                            "automatic": bool(planned.automatic)})
    out["due_at"] = deadlines.due(at, deadlines.bundle_days(
        bundle=sub.bundle, services=[p.service for p in sub.legs], needs_verification=bool(sub.needs_verification),
        on=on), on=on)
    out["notices"] = list(sub.notices)
    out["is_late_registration"] = bool(sub.is_late_registration)
    return out


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


# --- leg transitions (officers) -----------------------------------------------
@transaction.atomic
def leg_accept(*, leg_id: int, user: User) -> Leg:
    dossier, leg = _lock_leg(user, leg_id)
    _require(leg.accept)
    now = timezone.now()
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
    now = timezone.now()
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
    return _leg_complete_locked(dossier, leg, actor=user, result=result, at=timezone.now())


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
    kinds: dict[str, str] = {Service.BIRTH_REGISTRATION: "birth_certificate", Service.DEATH_REGISTRATION: "death_extract"}
    kind = kinds.get(leg.service)
    if kind:
        transaction.on_commit(partial(_queue_document, dossier.pk, kind))
    if Leg.objects.filter(depends_on=leg, status=LegStatus.WAITING).exists():
        transaction.on_commit(partial(_queue_fan_out, leg.pk))
    _dossier_roll_up(dossier, actor=actor, at=at)
    return leg


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
    return _leg_reject_locked(dossier, leg, actor=user, reason=reason, at=timezone.now())


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


# --- citizen and clerk actions ------------------------------------------------
def _require_filer(user: User, dossier: Dossier) -> None:
    """Supplements, withdrawals and hand-over are for whoever may file at the
    dossier's counter (its citizen, the commune's clerk, an admin)."""
    from django.core.exceptions import PermissionDenied

    if not access.can_submit_for_unit(user, dossier.unit):
        raise PermissionDenied


@transaction.atomic
def dossier_supplement(*, code: str, user: User, note: str, files: Sequence = ()) -> Dossier:
    from dossiers import validation

    dossier = _lock_dossier(user, code)
    _require_filer(user, dossier)
    note = _clean_reason(note, field="note", required=not files)
    legs = list(Leg.objects.select_for_update().filter(dossier=dossier, status=LegStatus.AWAITING_SUPPLEMENT))
    if not legs:
        raise _changed(_("Hồ sơ không có thủ tục nào đang chờ bổ sung."))
    now = timezone.now()
    if any(leg.supplement_due_at and leg.supplement_due_at < now for leg in legs):
        raise _changed(_("Đã quá hạn bổ sung hồ sơ."))
    cleaned = []
    errors: dict[str, list[str]] = {}
    for i, upload in enumerate(files):
        try:
            cleaned.append(validation.attachment_clean(upload))
        except DomainError as exc:
            for key, messages in exc.errors.items():
                errors.setdefault(f"attachments.{i}" if key == "non_field_errors" else key, []).extend(messages)
    if errors:
        raise DomainError(errors)
    for clean in cleaned:
        _attachment_save(dossier, clean, user=user, kind="supplement", leg=legs[0], note=note)
    waited = 0
    for leg in legs:
        leg.dossier = dossier
        source = leg.status
        leg.supplement()
        days = deadlines.paused_working_days(leg.paused_at, now) if leg.paused_at else 0
        waited = max(waited, days)
        if leg.due_at:
            leg.due_at = deadlines.extend(leg.due_at, days)
        leg.paused_at = None
        leg.supplement_due_at = None
        leg.save(update_fields=["status", "due_at", "paused_at", "supplement_due_at", "updated_at"])
        _log(dossier=dossier, leg=leg, actor=user, action="supplement", source=source, target=leg.status,
             reason=note, at=now)
    if waited and dossier.due_at:
        # The days the citizen took are not the agencies' delay: the dossier's
        # own deadline moves with its legs'.
        dossier.due_at = deadlines.extend(dossier.due_at, waited)
        dossier.save(update_fields=["due_at", "updated_at"])
    return dossier


@transaction.atomic
def dossier_withdraw(*, code: str, user: User, reason: str) -> Dossier:
    dossier = _lock_dossier(user, code)
    _require_filer(user, dossier)
    reason = _clean_reason(reason)
    legs = list(Leg.objects.select_for_update().filter(dossier=dossier))
    if dossier.status not in OPEN_DOSSIER_STATES or any(leg.status == LegStatus.COMPLETED for leg in legs):
        raise _changed(_("Chỉ rút được hồ sơ khi chưa có thủ tục nào hoàn thành."))
    now = timezone.now()
    for leg in legs:
        if leg.status in FINAL_LEG_STATES:
            continue
        leg.dossier = dossier
        source = leg.status
        leg.withdraw()
        leg.finished_at = now
        leg.reason = reason
        leg.save(update_fields=["status", "finished_at", "reason", "updated_at"])
        _log(dossier=dossier, leg=leg, actor=user, action="withdraw", source=source, target=leg.status,
             reason=reason, at=now, notify=False)
    source = dossier.status
    dossier.withdraw()
    dossier.closed_at = now
    dossier.save(update_fields=["status", "closed_at", "updated_at"])
    _log(dossier=dossier, actor=user, action="withdraw", source=source, target=dossier.status, reason=reason, at=now)
    return dossier


@transaction.atomic
def dossier_mark_returned(*, code: str, user: User) -> Dossier:
    """The one-stop shop handed the results to the applicant."""
    dossier = _lock_dossier(user, code)
    _require_filer(user, dossier)
    if dossier.status in OPEN_DOSSIER_STATES or dossier.status == DossierStatus.WITHDRAWN or dossier.returned_at:
        raise _changed(_("Hồ sơ chưa có kết quả để trả hoặc đã trả kết quả."))
    now = timezone.now()
    dossier.returned_at = now
    dossier.save(update_fields=["returned_at", "updated_at"])
    _log(dossier=dossier, actor=user, action="return", source=dossier.status, target=dossier.status, at=now)
    return dossier


# --- worker side: fan-out, automatic legs, sweep ------------------------------
@transaction.atomic
def leg_fan_out(*, leg_id: int) -> list[int]:
    """Open (or cancel) what waits for leg `leg_id`. Idempotent: a second run
    finds nothing waiting. Returns the ids of the legs it changed."""
    try:
        dossier, prerequisite = _lock_leg(None, leg_id)
    except (Leg.DoesNotExist, Dossier.DoesNotExist):
        return []
    now = timezone.now()
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
    system records it (Nghị định 58/2026/NĐ-CP)."""
    reason = _("Xóa đăng ký thường trú tự động sau khi đăng ký khai tử (Nghị định 58/2026/NĐ-CP).")
    if leg.status == LegStatus.PENDING:
        leg.accept()
        leg.save(update_fields=["status", "updated_at"])
        _log(dossier=dossier, leg=leg, actor=None, action="accept", source=LegStatus.PENDING, target=leg.status,
             reason=reason, at=at, notify=False)
    if leg.status == LegStatus.IN_PROGRESS:
        _leg_complete_locked(dossier, leg, actor=None, result=None, at=at, reason=reason)


@transaction.atomic
def leg_expire_supplement(*, leg_id: int, now: datetime | None = None) -> bool:
    """Reject a leg whose supplement did not come in time (docs/domain.md §4)."""
    now = now or timezone.now()
    try:
        dossier, leg = _lock_leg(None, leg_id)
    except (Leg.DoesNotExist, Dossier.DoesNotExist):
        return False
    if leg.status != LegStatus.AWAITING_SUPPLEMENT or not leg.supplement_due_at or leg.supplement_due_at >= now:
        return False
    days = rules.value("deadline.supplement_answer", _on(dossier))
    reason = _("Không bổ sung hồ sơ trong thời hạn %(days)s ngày làm việc (Nghị định 63/2024/NĐ-CP, Điều 8).") % {
        "days": days}
    _leg_reject_locked(dossier, leg, actor=None, reason=reason, at=now, action="expire")
    return True


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
    now = timezone.now()
    leg = Leg(dossier=dossier, service=Service.RESIDENCE_REMOVAL, agency="police", status=LegStatus.WAITING,
              scope_unit_id=dossier.scope_unit_id, scope_province_id=dossier.scope_province_id,
              automatic=True, depends_on=prerequisite,
              deadline_days=int(rules.value("deadline.residence_removal", _on(dossier))))
    leg.save()
    dossier.services = [*dossier.services, Service.RESIDENCE_REMOVAL]
    dossier.save(update_fields=["services", "updated_at"])
    _log(dossier=dossier, leg=leg, actor=None, action="create", source="", target=leg.status, at=now,
         reason=_("Xóa đăng ký thường trú tự động (Nghị định 58/2026/NĐ-CP)."), notify=False)
    if prerequisite.status == LegStatus.COMPLETED:
        transaction.on_commit(partial(_queue_fan_out, prerequisite.pk))
    return leg


@transaction.atomic
def dossier_close_if_final(*, dossier_id: int) -> bool:
    dossier = Dossier.objects.select_for_update(skip_locked=True).filter(pk=dossier_id).first()
    if dossier is None or dossier.status not in OPEN_DOSSIER_STATES:
        return False
    before = dossier.status
    _dossier_roll_up(dossier, actor=None, at=timezone.now())
    return dossier.status != before


def dossiers_sweep(*, now: datetime | None = None, documents_after: timedelta = DOCUMENT_RETRY_AFTER
                   ) -> dict[str, int]:
    """The periodic catch-up (beat, every minute). Each step is its own small
    transaction and safe to run twice or side by side with another sweep."""
    now = now or timezone.now()
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
    for service, kind in ((Service.BIRTH_REGISTRATION, "birth_certificate"),
                          (Service.DEATH_REGISTRATION, "death_extract")):
        missing = (Leg.objects.filter(service=service, status=LegStatus.COMPLETED, finished_at__gte=since,
                                      finished_at__lte=until)
                   .filter(~Exists(Document.objects.filter(dossier=OuterRef("dossier_id"), kind=kind)))
                   .values_list("dossier_id", flat=True))
        queued += sum(_dispatch_document(dossier_id, kind) for dossier_id in missing)
    # Imports carry an earlier submitted_at and get no slip: only dossiers
    # submitted live (within a minute of their row's creation).
    slips = (Dossier.objects.filter(created_at__gte=since, created_at__lte=until,
                                    submitted_at__gte=F("created_at") - timedelta(minutes=1))
             .filter(~Exists(Document.objects.filter(dossier=OuterRef("pk"), kind="appointment_slip")))
             .values_list("pk", flat=True))
    queued += sum(_dispatch_document(dossier_id, "appointment_slip") for dossier_id in slips)
    if queued:
        logger.info("sweep: %s documents queued again", queued)
    return queued


def _dispatch_document(dossier_id: int, kind: str) -> bool:
    from dossiers.document_tasks import render_document

    return _dispatch(render_document, dossier_id, kind)


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
    _leg_auto_complete(dossier, locked, at=timezone.now())
    return True
