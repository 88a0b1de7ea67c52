"""What whoever filed the dossier does afterwards, the citizen online or the
clerk at the counter: bring a supplement, withdraw, take the results."""
from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.utils.translation import gettext as _

from agencies import access
from agencies.models import User
from dossiers import deadlines
from dossiers.models import FINAL_LEG_STATES, OPEN_DOSSIER_STATES, Dossier, DossierStatus, Leg, LegStatus
from dossiers.services._core import _attachment_save, _changed, _clean_reason, _lock_dossier, _log
from lienthong import clock
from lienthong.errors import DomainError


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
    now = clock.now()
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
    now = clock.now()
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
def dossier_mark_returned(*, code: str, user: User, rating: str = "", comment: str = "") -> Dossier:
    """The one-stop shop handed the results to the applicant, who may rate
    the handling there and then (`rating`; "" when they decline)."""
    from dossiers.services.rating import _rating_save_locked

    dossier = _lock_dossier(user, code)
    _require_filer(user, dossier)
    if dossier.status in OPEN_DOSSIER_STATES or dossier.status == DossierStatus.WITHDRAWN or dossier.returned_at:
        raise _changed(_("Hồ sơ chưa có kết quả để trả hoặc đã trả kết quả."))
    now = clock.now()
    dossier.returned_at = now
    dossier.save(update_fields=["returned_at", "updated_at"])
    if rating or comment:
        _rating_save_locked(dossier, user=user, level=rating, comment=comment, at=now)
    _log(dossier=dossier, actor=user, action="return", source=dossier.status, target=dossier.status, at=now)
    return dossier
