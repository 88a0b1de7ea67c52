"""The citizen's satisfaction rating, once per dossier, after the result:
online on the citizen's dossier page, or at the counter when the clerk hands
the result over (recorded in the same transaction as the hand-over)."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies import access
from agencies.models import User
from dossiers.models import Channel, Dossier, DossierStatus, Rating, Satisfaction
from dossiers.services._core import _actor, _changed, _lock_dossier, _refuse_nul
from dossiers.vocabulary import DONE_DOSSIER_STATES
from lienthong.errors import DomainError
from lienthong.text import nfc

# A result is ready or the dossier was refused: both are an outcome to rate.
RATEABLE_STATES = (*DONE_DOSSIER_STATES, DossierStatus.REJECTED)
MAX_COMMENT = 1000


def rating_clean(level: Any, comment: Any) -> tuple[str, str]:
    """Both fields checked together; errors name the field."""
    _refuse_nul(comment, "comment")
    errors: dict[str, list[str]] = {}
    if level not in Satisfaction.values:
        errors["level"] = [_("Vui lòng chọn một mức độ hài lòng: hài lòng, bình thường hoặc không hài lòng.")]
    text = nfc(comment) if isinstance(comment, str) else ""
    if comment not in (None, "") and not isinstance(comment, str):
        errors["comment"] = [_("Góp ý phải là văn bản.")]
    elif len(text) > MAX_COMMENT:
        errors["comment"] = [_("Góp ý quá dài (tối đa %(n)s ký tự).") % {"n": MAX_COMMENT}]
    if errors:
        raise DomainError(errors)
    return str(level), text


def _rating_save_locked(dossier: Dossier, *, user: User, level: Any, comment: Any, at: datetime) -> Rating:
    """The dossier is locked: a second rating, even a simultaneous one, is refused."""
    if not access.can_rate_dossier(user, dossier):
        raise PermissionDenied
    level, comment = rating_clean(level, comment)
    if dossier.status not in RATEABLE_STATES:
        raise _changed(_("Chỉ đánh giá được khi hồ sơ đã có kết quả."))
    if Rating.objects.filter(dossier=dossier).exists():
        raise _changed(_("Hồ sơ %(code)s đã được đánh giá; mỗi hồ sơ chỉ được đánh giá một lần.") % {
            "code": dossier.code})
    channel = Channel.ONLINE if access.is_citizen(user) else Channel.ONE_STOP
    try:
        with transaction.atomic():
            return Rating.objects.create(dossier=dossier, level=level, comment=comment, channel=channel,
                                         recorded_by=_actor(user), at=at)
    except IntegrityError:  # the one-to-one: another writer got there first
        raise _changed(_("Hồ sơ %(code)s đã được đánh giá; mỗi hồ sơ chỉ được đánh giá một lần.") % {
            "code": dossier.code}) from None


@transaction.atomic
def dossier_rate(*, code: str, user: User, level: Any, comment: Any = "") -> Rating:
    dossier = _lock_dossier(user, code)
    return _rating_save_locked(dossier, user=user, level=level, comment=comment, at=timezone.now())
