from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from agencies.services import user_create_or_update
from lienthong.errors import DomainError


class Command(BaseCommand):
    help = "Tạo hoặc cập nhật người dùng (docs/api.md, Authentication)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--username", required=True)
        parser.add_argument("--password", required=True)
        parser.add_argument("--role", required=True)
        parser.add_argument("--unit")
        parser.add_argument("--agency")
        parser.add_argument("--full-name", default="")
        parser.add_argument("--email", default="")
        parser.add_argument("--phone", default="")

    def handle(self, *args, **o) -> None:
        try:
            user = user_create_or_update(username=o["username"], password=o["password"], role=o["role"],
                                         unit_code=o["unit"], agency=o["agency"], full_name=o["full_name"],
                                         email=o["email"], phone=o["phone"])
        except DomainError as exc:
            raise CommandError("; ".join(f"{k}: {' '.join(v)}" for k, v in exc.errors.items())) from exc
        self.stdout.write(self.style.SUCCESS(f"{user.username}: {user.get_role_display()}"))
