"""Seed or refresh the rule table from fixtures/rules.json (idempotent upsert)."""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from dossiers import rules
from dossiers.models import Rule

DEFAULT_FILE = Path(settings.BASE_DIR) / "fixtures" / "rules.json"
FIELDS = ["value", "citation", "unconfirmed", "note"]


class Command(BaseCommand):
    help = "Nạp bảng quy tắc pháp lý (thời hạn, mức tiền, điều kiện) từ fixtures/rules.json."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--file", default=str(DEFAULT_FILE), help="Tệp JSON các quy tắc.")

    def handle(self, *args, **options) -> None:
        try:
            rows = json.loads(Path(options["file"]).read_text(encoding="utf-8"))
            objs = [Rule(key=r["key"], valid_from=date.fromisoformat(r["valid_from"]), value=r["value"],
                         citation=r["citation"], unconfirmed=bool(r.get("unconfirmed", False)),
                         note=r.get("note", "")) for r in rows]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise CommandError(f"Tệp quy tắc không hợp lệ: {exc}") from exc
        # One statement: INSERT … ON CONFLICT (key, valid_from) DO UPDATE. Rows
        # an admin added that are not in the file are kept.
        with transaction.atomic():
            Rule.objects.bulk_create(objs, update_conflicts=True, unique_fields=["key", "valid_from"],
                                     update_fields=FIELDS)
        rules.clear_cache()
        if options["verbosity"]:
            self.stdout.write(self.style.SUCCESS(f"Đã nạp {len(objs)} quy tắc."))
