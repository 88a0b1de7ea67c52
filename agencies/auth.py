"""Logging in: with a username, a phone number (any common spelling) or an
email address. Citizens sign up with a phone or a mailbox, so those are the
names they remember."""
from __future__ import annotations

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import Q
from django.utils.translation import gettext as _

from agencies.models import User
from agencies.phones import PHONE_INVALID, phone_is_valid, phone_normalize
from lienthong.errors import DomainError


def contact_parse(value: str) -> tuple[str, str]:
    """("phone", "0912345678") or ("email", "hoa@example.vn"); DomainError
    when it is neither. Phones follow the one rule of agencies.phones."""
    value = (value or "").strip()
    if "@" in value:
        try:
            validate_email(value)
        except ValidationError:
            raise DomainError({"contact": [_("Địa chỉ thư điện tử không hợp lệ.")]}) from None
        return "email", value.lower()
    phone = phone_normalize(value)
    if not phone_is_valid(phone):
        raise DomainError({"contact": [str(PHONE_INVALID)]})
    return "phone", phone


def users_by_contact(value: str):
    """Users known by that username, phone number or email address."""
    value = (value or "").strip()
    query = Q(username__iexact=value)
    try:
        kind, normal = contact_parse(value)
    except DomainError:
        return User.objects.filter(query)
    query |= Q(username__iexact=normal) | (Q(phone=normal) if kind == "phone" else Q(email__iexact=normal))
    return User.objects.filter(query)


class ContactBackend(ModelBackend):
    """Log in with a username, a phone number (any common spelling) or an
    email address. Proposed for settings.AUTHENTICATION_BACKENDS."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if not username or password is None:
            return None
        candidates = list(users_by_contact(username)[:2])
        if len(candidates) != 1:
            # Unknown, or ambiguous: run the hasher anyway so timing says nothing.
            User().set_password(password)
            return None
        user = candidates[0]
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None


def login_identity(request, credentials: dict | None = None) -> str:
    """What the log-in lock-out counts failures against (AXES_USERNAME_CALLABLE):
    the account the typed name resolves to, so "LOCKME3", "+84911222333" and
    "0911 222 333" are one account, not three fresh counters. A name that
    matches no single account counts in its normal form (lower case, a phone
    without its spelling)."""
    if credentials:
        name = credentials.get("username")
    else:
        name = getattr(request, "data", None) and request.data.get("username")
        name = name or (request.POST.get("username") if request is not None else None)
    name = (name or "").strip()
    if not name:
        return ""
    candidates = list(users_by_contact(name).values_list("username", flat=True)[:2])
    if len(candidates) == 1:
        return candidates[0]
    try:
        return contact_parse(name)[1]
    except DomainError:
        return name.lower()
