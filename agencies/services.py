"""Writes on reference data: users and agencies."""
from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from agencies.models import OFFICER_AGENCIES, AdminUnit, Agency, AgencyKind, Role, User
from agencies.selectors import resolve_unit
from lienthong.errors import DomainError

# Agencies every current commune has, and those every current province has.
COMMUNE_AGENCIES = [AgencyKind.ONE_STOP, AgencyKind.JUSTICE, AgencyKind.POLICE]
PROVINCE_AGENCIES = [AgencyKind.JUSTICE, AgencyKind.POLICE, AgencyKind.SOCIAL_INSURANCE,
                     AgencyKind.LABOUR, AgencyKind.HEALTH]
AGENCY_NAME: dict[tuple[str, str], str] = {
    (AgencyKind.ONE_STOP, AdminUnit.Level.COMMUNE): "Bộ phận Một cửa {}",
    (AgencyKind.JUSTICE, AdminUnit.Level.COMMUNE): "Công chức Tư pháp - Hộ tịch {}",
    (AgencyKind.POLICE, AdminUnit.Level.COMMUNE): "Công an {}",
    (AgencyKind.JUSTICE, AdminUnit.Level.PROVINCE): "Sở Tư pháp {}",
    (AgencyKind.POLICE, AdminUnit.Level.PROVINCE): "Công an {}",
    (AgencyKind.SOCIAL_INSURANCE, AdminUnit.Level.PROVINCE): "Bảo hiểm xã hội {}",
    (AgencyKind.LABOUR, AdminUnit.Level.PROVINCE): "Sở Nội vụ (lĩnh vực Lao động - Xã hội) {}",
    (AgencyKind.HEALTH, AdminUnit.Level.PROVINCE): "Sở Y tế {}",
}


def agencies_ensure() -> int:
    """Create the agencies of every current commune and province (idempotent)."""
    rows = []
    for unit in AdminUnit.objects.filter(map=AdminUnit.Map.CURRENT).only("pk", "level", "name"):
        kinds = COMMUNE_AGENCIES if unit.level == AdminUnit.Level.COMMUNE else PROVINCE_AGENCIES
        for kind in kinds:
            rows.append(Agency(kind=kind, unit=unit, name=AGENCY_NAME[(kind, unit.level)].format(unit.name)))
    Agency.objects.bulk_create(rows, batch_size=5000, ignore_conflicts=True)
    return len(rows)


@transaction.atomic
def user_create_or_update(*, username: str, password: str, role: str, unit_code: str | None = None,
                          agency: str | None = None, full_name: str = "", email: str = "",
                          phone: str = "", password_rules: bool = True) -> User:
    """Create or update one account (`manage.py create_user`). The password
    must pass settings.AUTH_PASSWORD_VALIDATORS; only code that ships its own
    known password (the demo seed) may pass `password_rules=False`, which the
    command does not expose."""
    errors: dict[str, list[str]] = {}
    if role not in Role.values:
        errors["role"] = [_("Vai trò không hợp lệ: %(role)s.") % {"role": role}]
    unit = None
    if unit_code:
        unit = resolve_unit(unit_code)
        if unit is None:
            errors["unit"] = [_("Không tìm thấy đơn vị hành chính có mã %(code)s.") % {"code": unit_code}]
    elif role in (Role.ONE_STOP_CLERK, Role.OFFICER, Role.PROVINCIAL_VIEWER):
        errors["unit"] = [_("Vai trò này cần đơn vị (--unit).")]
    if role == Role.OFFICER and agency not in OFFICER_AGENCIES:
        errors["agency"] = [_("Cán bộ chuyên môn cần cơ quan (--agency), một trong: %(list)s.")
                            % {"list": ", ".join(OFFICER_AGENCIES)}]
    if role == Role.PROVINCIAL_VIEWER and unit is not None and unit.level != AdminUnit.Level.PROVINCE:
        errors["unit"] = [_("Cán bộ theo dõi cấp tỉnh phải gắn với một tỉnh/thành phố.")]
    if role == Role.ONE_STOP_CLERK and unit is not None and unit.level != AdminUnit.Level.COMMUNE:
        errors["unit"] = [_("Cán bộ một cửa phải gắn với một xã/phường.")]
    user = User.objects.filter(username=username).first() or User(username=username)
    user.full_name = full_name or user.full_name
    user.email = email or user.email
    user.phone = phone or user.phone
    if password_rules:
        # Checked against the account as it will be (a password close to its
        # user name or e-mail is refused).
        try:
            validate_password(password, user)
        except ValidationError as exc:
            errors["password"] = [_("Mật khẩu (--password) chưa đạt yêu cầu: %(reasons)s") % {
                "reasons": " ".join(exc.messages)}]
    if errors:
        raise DomainError(errors)
    user.role = role
    user.unit = unit
    user.agency = (agency or "") if role == Role.OFFICER else ""
    user.is_staff = user.is_superuser = role == Role.ADMIN
    user.set_password(password)
    user.save()
    return user
