"""Citizens' accounts and drafts: sign-up confirmed by a one-time code,
password reset by code, and the wizard's server-side drafts. The dossier
itself is validated and written by the engine (`dossiers.validation`,
`dossiers.services`)."""
from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from agencies.auth import users_by_contact
from agencies.models import Role, User
from citizens.models import OneTimeCode, SubmissionDraft, SubmissionDraftFile
from dossiers import notifications
from dossiers.models import Channel
from dossiers.validation import attachment_clean
from lienthong.errors import DomainError

# The wizard's steps, in order (slugs of its URLs).
STEPS = ["noi-nop", "nguoi", "thu-tuc", "giay-to", "xac-nhan"]

# --- one-time codes -----------------------------------------------------------

CODE_TTL = timedelta(minutes=10)
CODE_MAX_ATTEMPTS = 5
CODE_RESEND_AFTER = timedelta(seconds=60)
CODE_MAX_PER_HOUR = 5


def _code_hash(user: User, purpose: str, code: str) -> str:
    return salted_hmac("lienthong.otp", f"{user.pk}:{purpose}:{code}").hexdigest()


def one_time_code_send(*, user: User, purpose: str, to: str) -> None:
    """Send a fresh 6-digit code to `to` (a phone number or an address);
    earlier codes of the same purpose stop working."""
    now = timezone.now()
    recent = OneTimeCode.objects.filter(user=user, purpose=purpose, created_at__gte=now - timedelta(hours=1))
    if recent.filter(created_at__gte=now - CODE_RESEND_AFTER).exists() or recent.count() >= CODE_MAX_PER_HOUR:
        raise DomainError({"code": [_("Mã vừa được gửi. Vui lòng chờ một phút rồi thử lại.")]})
    code = f"{secrets.randbelow(10**6):06d}"
    with transaction.atomic():
        OneTimeCode.objects.filter(user=user, purpose=purpose, used_at=None).update(used_at=now)
        OneTimeCode.objects.create(user=user, purpose=purpose, code_hash=_code_hash(user, purpose, code),
                                   sent_to=to, expires_at=now + CODE_TTL)
    minutes = int(CODE_TTL.total_seconds() // 60)
    body = _("Mã xác nhận Liên thông của bạn là %(code)s (hiệu lực %(minutes)d phút). "
             "Không chia sẻ mã này cho bất kỳ ai.") % {"code": code, "minutes": minutes}
    if "@" in to:
        notifications.send_email(to, _("Mã xác nhận Liên thông"), body)
    else:
        notifications.send_sms(to, body)


def one_time_code_check(*, user: User, purpose: str, code: str) -> None:
    """Consume the code or raise DomainError (wrong, expired, too many tries).

    Not atomic on purpose: a wrong try must stay counted although the caller
    sees an error; the conditional updates keep two tries from racing."""
    otp = OneTimeCode.objects.filter(user=user, purpose=purpose, used_at=None).order_by("-created_at").first()
    wrong = DomainError({"code": [_("Mã xác nhận không đúng hoặc đã hết hạn.")]})
    if otp is None or otp.expires_at < timezone.now() or otp.attempts >= CODE_MAX_ATTEMPTS:
        raise wrong
    if not constant_time_compare(otp.code_hash, _code_hash(user, purpose, (code or "").strip())):
        OneTimeCode.objects.filter(pk=otp.pk).update(attempts=F("attempts") + 1)
        raise wrong
    used = OneTimeCode.objects.filter(pk=otp.pk, used_at=None, attempts__lt=CODE_MAX_ATTEMPTS).update(
        used_at=timezone.now())
    if used != 1:
        raise wrong


# --- accounts -------------------------------------------------------------------

CONTACT_TAKEN = gettext_lazy("Số điện thoại hoặc thư điện tử này đã có tài khoản. Hãy đăng nhập hoặc dùng chức năng quên mật khẩu.")
CONTACT_DISABLED = gettext_lazy("Tài khoản gắn với số điện thoại hoặc thư điện tử này đã bị quản trị hệ thống khóa; đăng ký lại "
                     "không mở khóa được. Vui lòng liên hệ bộ phận một cửa của xã hoặc quản trị hệ thống.")


@transaction.atomic
def citizen_signup(*, full_name: str, contact: tuple[str, str], password: str) -> User:
    """An inactive citizen account waiting for the code sent to the contact.
    Signing up again before confirming reuses that same account; a contact
    with an account (active, or disabled by an administrator) is refused."""
    kind, value = contact
    known = list(users_by_contact(value).select_for_update())
    if any(not u.is_active and not u.signup_pending for u in known):
        raise DomainError({"contact": [str(CONTACT_DISABLED)]})
    if any(not (u.signup_pending and u.role == Role.CITIZEN) for u in known):
        raise DomainError({"contact": [str(CONTACT_TAKEN)]})
    user = known[0] if known else User(username=value, role=Role.CITIZEN, is_active=False, signup_pending=True)
    user.full_name = full_name
    user.phone = value if kind == "phone" else ""
    user.email = value if kind == "email" else ""
    user.set_password(password)
    user.save()
    return user


def signup_waiting(pk: Any) -> User | None:
    """The account of a sign-up in progress (never one an admin disabled)."""
    return User.objects.filter(pk=pk or 0, is_active=False, signup_pending=True, role=Role.CITIZEN).first()


def citizen_signup_confirm(*, user: User, code: str) -> None:
    """Check the sign-up code and activate the account it was sent for (not
    atomic, like one_time_code_check: a wrong try stays counted)."""
    one_time_code_check(user=user, purpose="signup", code=code)
    activated = User.objects.filter(pk=user.pk, is_active=False, signup_pending=True).update(
        is_active=True, signup_pending=False)
    if activated != 1:
        raise DomainError({"code": [_("Mã xác nhận không đúng hoặc đã hết hạn.")]})
    user.is_active, user.signup_pending = True, False


def contact_of(user: User) -> str:
    return user.phone or user.email


# --- draft services -------------------------------------------------------------------

def draft_create(*, user: User) -> SubmissionDraft:
    applicant = {"full_name": user.full_name, "phone": user.phone, "email": user.email}
    return SubmissionDraft.objects.create(user=user, data={"channel": Channel.ONLINE, "applicant": applicant})


def draft_save(*, draft: SubmissionDraft, data: dict[str, Any], step: str) -> SubmissionDraft:
    draft.data = data
    draft.bundle = data.get("bundle") or ""
    # Remember the furthest step reached, so "resume" goes back there.
    if STEPS.index(step) > STEPS.index(draft.step if draft.step in STEPS else STEPS[0]):
        draft.step = step
    draft.save(update_fields=["data", "bundle", "step", "updated_at"])
    return draft


def draft_file_add(*, draft: SubmissionDraft, upload) -> SubmissionDraftFile:
    """Check an upload as the submission will (content, not name) and keep it."""
    clean = attachment_clean(upload)
    content_type, size = clean.content_type, clean.size
    upload.seek(0)
    return SubmissionDraftFile.objects.create(draft=draft, file=upload, original_name=upload.name[-255:],
                                              content_type=content_type, size=size)


def draft_delete(*, draft: SubmissionDraft) -> None:
    for item in draft.files.all():
        item.file.delete(save=False)
    draft.delete()
