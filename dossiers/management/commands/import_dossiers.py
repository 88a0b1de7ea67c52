"""Import historical dossiers from JSON Lines, one POST /api/v1/dossiers/
payload per line (with `submitted_at`), for migrating old records.

Each line is all-or-nothing (one transaction per line) and gets a line in
the report; a bad line never stops the others.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from agencies.models import Role, User
from lienthong.errors import DomainError


class Command(BaseCommand):
    # Lazy, so `--help` speaks the active language; Django only ever str()s it.
    help = gettext_lazy("Nhập hồ sơ lịch sử từ tệp JSON Lines (mỗi dòng một hồ sơ, cùng cấu trúc với API).")  # type: ignore[assignment]

    def add_arguments(self, parser) -> None:
        parser.add_argument("path", help=_("Tệp .jsonl, hoặc - để đọc từ đầu vào chuẩn."))
        parser.add_argument("--user", help=_("Tài khoản quản trị thực hiện việc nhập (mặc định: quản trị đầu tiên)."))
        parser.add_argument("--dry-run", action="store_true", help=_("Chỉ kiểm tra, không ghi gì."))

    def _user(self, username: str | None) -> User:
        admins = User.objects.filter(Q(role=Role.ADMIN) | Q(is_superuser=True), is_active=True)
        user = admins.filter(username=username).first() if username else admins.order_by("pk").first()
        if user is None:
            raise CommandError(_("Cần một tài khoản quản trị đang hoạt động (--user)."))
        return user

    def handle(self, *args, **options) -> None:
        from dossiers import services, validation

        user = self._user(options.get("user"))
        source = sys.stdin if options["path"] == "-" else Path(options["path"]).open(encoding="utf-8")
        created = failed = 0
        with source:
            for number, line in enumerate(source, start=1):
                if not line.strip():
                    continue
                try:
                    data = json.loads(line)
                    if options["dry_run"]:
                        validation.submission_clean(data, user=user)
                        self.stdout.write(_("Dòng %(n)s: hợp lệ") % {"n": number})
                    else:
                        dossier = services.dossier_submit(data=data, user=user)
                        self.stdout.write(_("Dòng %(n)s: đã tạo %(code)s") % {"n": number, "code": dossier.code})
                    created += 1
                except json.JSONDecodeError as exc:
                    failed += 1
                    self.stdout.write(_("Dòng %(n)s: lỗi: JSON không hợp lệ (%(msg)s, cột %(col)s)")
                                      % {"n": number, "msg": exc.msg, "col": exc.colno})
                except DomainError as exc:
                    failed += 1
                    detail = "; ".join(f"{field}: {' '.join(messages)}" for field, messages in exc.errors.items())
                    self.stdout.write(_("Dòng %(n)s: lỗi: %(detail)s") % {"n": number, "detail": detail})
        template = (_("%(ok)s hồ sơ hợp lệ, %(bad)s dòng lỗi.") if options["dry_run"]
                    else _("%(ok)s hồ sơ đã nhập, %(bad)s dòng lỗi."))
        summary = template % {"ok": created, "bad": failed}
        if failed:
            raise CommandError(summary)
        self.stdout.write(self.style.SUCCESS(summary))
