"""Reference data plus a demo province (Đồng Tháp, code 82) with one demo user
per role and demo dossiers. Idempotent: `make run` calls it on every start."""
from __future__ import annotations

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from agencies.models import AdminUnit, Agency, AgencyKind, ContactPoint, Role
from agencies.services import user_create_or_update
from dossiers.demo import demo_dossiers_ensure

DEMO_PASSWORD = "LienThong@2026"
DEMO_PROVINCE = "82"       # Tỉnh Đồng Tháp
DEMO_COMMUNE = "29926"     # Xã Tân Hồng
DEMO_USERS = [
    # username, role, unit, agency, full name
    ("congdan", Role.CITIZEN, None, None, "Nguyễn Thị Hoa"),
    ("motcua.tanhong", Role.ONE_STOP_CLERK, DEMO_COMMUNE, None, "Lê Thị Mai"),
    ("tuphap.tanhong", Role.OFFICER, DEMO_COMMUNE, AgencyKind.JUSTICE, "Phạm Văn Đức"),
    ("congan.tanhong", Role.OFFICER, DEMO_COMMUNE, AgencyKind.POLICE, "Trần Quốc Tuấn"),
    ("bhxh.dongthap", Role.OFFICER, DEMO_PROVINCE, AgencyKind.SOCIAL_INSURANCE, "Võ Thị Lan"),
    ("laodong.dongthap", Role.OFFICER, DEMO_PROVINCE, AgencyKind.LABOUR, "Huỳnh Văn Sơn"),
    ("tinh.dongthap", Role.PROVINCIAL_VIEWER, DEMO_PROVINCE, None, "Đặng Minh Châu"),
    ("quantri", Role.ADMIN, None, None, "Quản trị hệ thống"),
]
CONTACTS: dict[str, tuple[str, str, str]] = {
    AgencyKind.ONE_STOP: ("Lê Thị Mai", "Công chức Văn phòng - Thống kê", "0277 3800 101"),
    AgencyKind.JUSTICE: ("Phạm Văn Đức", "Công chức Tư pháp - Hộ tịch", "0277 3800 102"),
    AgencyKind.POLICE: ("Trần Quốc Tuấn", "Cán bộ quản lý cư trú", "0277 3800 103"),
    AgencyKind.SOCIAL_INSURANCE: ("Võ Thị Lan", "Phòng Quản lý thu và sổ, thẻ", "0277 3851 234"),
    AgencyKind.LABOUR: ("Huỳnh Văn Sơn", "Phòng Bảo trợ xã hội", "0277 3851 567"),
    AgencyKind.HEALTH: ("Ngô Thị Thu", "Phòng Nghiệp vụ Y", "0277 3851 890"),
}


class Command(BaseCommand):
    help = "Nạp dữ liệu danh mục, tỉnh minh họa (Đồng Tháp), tài khoản và hồ sơ minh họa."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--no-dossiers", action="store_true")

    def handle(self, *args, **options) -> None:
        call_command("load_admin_units", stdout=self.stdout)
        call_command("load_agencies", stdout=self.stdout)
        call_command("load_rules", stdout=self.stdout)
        with transaction.atomic():
            for username, role, unit, kind, full_name in DEMO_USERS:
                # The demo password is printed below for anyone to try, and the
                # password rules refuse it (too close to the @demo.lienthong.vn
                # e-mails): the seed bypasses them explicitly, through a keyword
                # `manage.py create_user` does not expose.
                user_create_or_update(username=username, password=DEMO_PASSWORD, role=role, unit_code=unit,
                                      agency=kind, full_name=full_name, email=f"{username}@demo.lienthong.vn",
                                      password_rules=False)
            units = AdminUnit.objects.filter(map=AdminUnit.Map.CURRENT, code__in=[DEMO_COMMUNE, DEMO_PROVINCE])
            for agency in Agency.objects.filter(unit__in=units):
                name, position, phone = CONTACTS[agency.kind]
                ContactPoint.objects.get_or_create(agency=agency, full_name=name,
                                                   defaults={"position": position, "phone": phone,
                                                             "email": f"daumoi.{agency.kind}@demo.lienthong.vn"})
        if not options["no_dossiers"]:
            self.stdout.write(f"{demo_dossiers_ensure()} hồ sơ minh họa.")
        self.stdout.write(self.style.SUCCESS(f"Tài khoản minh họa: {', '.join(u[0] for u in DEMO_USERS)} "
                                             f"(mật khẩu {DEMO_PASSWORD})."))
