"""Everything held about one personal ID, as JSON (a data-subject request,
docs/domain.md §10). The export is logged (PersonalDataLog) like one from the
admin; `--by` names the administrator who asked for it."""
from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from agencies.models import User
from dossiers.services.privacy import personal_data_export
from lienthong.errors import DomainError


class Command(BaseCommand):
    help = "Xuất toàn bộ dữ liệu cổng đang lưu về một số định danh cá nhân (JSON); việc xuất được ghi nhật ký."

    def add_arguments(self, parser) -> None:
        parser.add_argument("personal_id", help="Số định danh cá nhân (12 chữ số).")
        parser.add_argument("--output", "-o", help="Ghi vào tệp này thay vì ra màn hình.")
        parser.add_argument("--by", help="Tên đăng nhập của quản trị viên yêu cầu xuất (ghi vào nhật ký).")

    def handle(self, *args, **options) -> None:
        user = None
        if options["by"]:
            user = User.objects.filter(username=options["by"]).first()
            if user is None:
                raise CommandError(f"--by: không có tài khoản {options['by']!r}.")
        try:
            data = personal_data_export(personal_id=options["personal_id"], user=user, via="command")
        except DomainError as exc:
            raise CommandError("; ".join(f"{k}: {' '.join(v)}" for k, v in exc.errors.items())) from exc
        text = json.dumps(data, ensure_ascii=False, indent=1)
        if options["output"]:
            Path(options["output"]).write_text(text + "\n", encoding="utf-8")
            self.stderr.write(f"{len(data['dossiers'])} hồ sơ → {options['output']}")
        else:
            self.stdout.write(text)
