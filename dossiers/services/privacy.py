"""A data-subject request (docs/domain.md §9, §10): everything the portal holds
about one personal ID, as one JSON document, and the record that it was
exported (PersonalDataLog: who, when, the ID masked and keyed-hashed, never in
clear).

Who may ask is decided in agencies.access.can_export_personal_data; the
management command `export_personal_data` is for an operator on the server.
"""
from __future__ import annotations

import hashlib
import hmac
import re
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies import access
from agencies.models import User
from dossiers import identifiers
from dossiers.models import Dossier, DossierView, PersonalDataLog
from lienthong.errors import DomainError

FORMAT = "lienthong.personal-data-export/1"


def personal_id_clean(value: str) -> str:
    """The 12 digits of a personal ID as typed (spaces allowed), or a
    DomainError naming the field."""
    digits = re.sub(r"\s+", "", value or "")
    errors = identifiers.personal_id_errors(digits, sex=None, date_of_birth=None) if digits else [
        _("Nhập số định danh cá nhân.")]
    if errors:
        raise DomainError({"personal_id": errors})
    return digits


def personal_id_hash(personal_id: str) -> str:
    """Keyed hash of a personal ID: the same ID always gives the same value
    (so "was this ID exported?" can be answered), without storing the ID."""
    return hmac.new(settings.SECRET_KEY.encode(), personal_id.encode(), hashlib.sha256).hexdigest()


def _roles_q(personal_id: str) -> Q:
    return (Q(subject_personal_id=personal_id) | Q(subject__personal_id=personal_id)
            | Q(applicant__personal_id=personal_id) | Q(subject__mother__personal_id=personal_id)
            | Q(subject__father__personal_id=personal_id))


def _roles(dossier: Dossier, personal_id: str) -> list[str]:
    subject, applicant = dossier.subject or {}, dossier.applicant or {}
    found = []
    if personal_id in (dossier.subject_personal_id, subject.get("personal_id")):
        found.append("subject")
    if applicant.get("personal_id") == personal_id:
        found.append("applicant")
    for parent in ("mother", "father"):
        if (subject.get(parent) or {}).get("personal_id") == personal_id:
            found.append(parent)
    return found


def _when(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _viewer(row: DossierView) -> dict[str, Any]:
    user = row.user
    return {"at": _when(row.at), "full_data": row.full_data,
            "role": user.role if user else None, "agency": user.agency if user else None,
            "unit": user.unit.code if user and user.unit else None, "user_id": user.pk if user else None}


def _dossier(d: Dossier, personal_id: str) -> dict[str, Any]:
    return {
        "code": d.code, "roles": _roles(d, personal_id), "bundle": d.bundle, "services": d.services,
        "unit": d.unit.code, "channel": d.channel, "status": d.status,
        "submitted_at": _when(d.submitted_at), "due_at": _when(d.due_at), "closed_at": _when(d.closed_at),
        "returned_at": _when(d.returned_at),
        "applicant_name": d.applicant_name, "applicant_phone": d.applicant_phone,
        "applicant_email": d.applicant_email, "subject_name": d.subject_name,
        "subject_personal_id": d.subject_personal_id, "applicant": d.applicant, "subject": d.subject,
        "notices": d.notices,
        "legs": [{"service": leg.service, "agency": leg.agency, "status": leg.status, "due_at": _when(leg.due_at),
                  "finished_at": _when(leg.finished_at), "result": leg.result, "reason": leg.reason}
                 for leg in d.legs.order_by("id")],
        "attachments": [{"kind": a.kind, "name": a.original_name, "content_type": a.content_type, "size": a.size,
                         "sha256": a.sha256, "uploaded_at": _when(a.uploaded_at)}
                        for a in d.attachments.order_by("uploaded_at", "pk")],
        "documents": [{"kind": doc.kind, "issued_at": _when(doc.issued_at), "sha256": doc.sha256,
                       "summary": doc.summary} for doc in d.documents.order_by("created_at")],
        "history": [{"at": _when(t.at), "action": t.action, "from": t.from_state, "to": t.to_state,
                     "service": t.leg.service if t.leg_id and t.leg else None, "reason": t.reason}
                    for t in d.transitions.select_related("leg").order_by("at", "id")],
        "notifications": [{"channel": n.channel, "recipient": n.recipient, "subject": n.subject,
                           "sent_at": _when(n.sent_at)} for n in d.notifications.order_by("created_at")],
        "views": [_viewer(v) for v in d.views.select_related("user", "user__unit").order_by("at", "pk")],
    }


@transaction.atomic
def personal_data_export(*, personal_id: str, user: User | None, via: str = "admin") -> dict[str, Any]:
    """Every dossier that names `personal_id` (as the registered person, the
    applicant or a parent), with all it holds; logged. `user` None is an
    operator's command on the server (`via` says which door)."""
    if user is not None and not access.can_export_personal_data(user):
        raise DomainError({"personal_id": [_("Chỉ quản trị hệ thống được xuất dữ liệu cá nhân.")]})
    personal_id = personal_id_clean(personal_id)
    dossiers = list(Dossier.objects.filter(_roles_q(personal_id)).select_related("unit").order_by("submitted_at"))
    now = timezone.now()
    PersonalDataLog.objects.create(action=PersonalDataLog.Action.EXPORT, user=user,
                                   subject_masked=access.mask_personal_id(personal_id),
                                   subject_hash=personal_id_hash(personal_id), dossier_count=len(dossiers),
                                   details={"via": via})
    return {"format": FORMAT, "personal_id": personal_id, "exported_at": now.isoformat(),
            "dossiers": [_dossier(d, personal_id) for d in dossiers]}
