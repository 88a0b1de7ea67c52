"""`manage.py import_dossiers`: JSON Lines of API payloads, all-or-nothing per line."""
from __future__ import annotations

import json
from datetime import datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command

from dossiers.models import Dossier, Leg, Transition
from tests.dossiers.payloads import birth_payload, death_payload

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def _lines(tmp_path, *rows) -> str:
    path = tmp_path / "old.jsonl"
    path.write_text("\n".join(r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in rows) + "\n",
                    encoding="utf-8")
    return str(path)


def test_each_line_is_imported_or_reported_on_its_own(eng, tmp_path):
    good_birth = birth_payload(submitted_at="2024-03-01T09:00:00+07:00", subject__date_of_birth="2024-02-20")
    bad = birth_payload(submitted_at="2024-03-01T09:00:00+07:00", subject__date_of_birth="2024-02-20",
                        services=["health_insurance_card"])
    good_death = death_payload(submitted_at="2026-05-05T14:00:00+07:00", subject__date_of_death="2026-05-03",
                               subject__age_at_death=74)
    path = _lines(tmp_path, good_birth, bad, "{not json", "", good_death)
    out = StringIO()
    with pytest.raises(CommandError) as exc:
        call_command("import_dossiers", path, user=eng.admin.username, stdout=out)
    assert "2 hồ sơ đã nhập, 2 dòng lỗi" in str(exc.value)
    report = out.getvalue()
    assert "Dòng 1: đã tạo KS-240301-" in report
    assert "Dòng 2: lỗi: services:" in report
    assert "Dòng 3: lỗi: JSON không hợp lệ" in report
    assert "Dòng 5: đã tạo KT-260505-" in report
    old = Dossier.objects.get(code__startswith="KS-240301-")
    assert old.submitted_at == datetime(2024, 3, 1, 9, tzinfo=TZ)
    assert old.unit.map == "legacy" and old.scope_unit.code == "29926"
    assert Transition.objects.get(dossier=old, action="submit").at == old.submitted_at
    assert Dossier.objects.count() == 2


def test_dry_run_writes_nothing(eng, tmp_path):
    path = _lines(tmp_path, birth_payload(submitted_at="2026-11-02T09:00:00+07:00",
                                          subject__date_of_birth="2026-10-30"))
    out = StringIO()
    call_command("import_dossiers", path, "--dry-run", user=eng.admin.username, stdout=out)
    assert "Dòng 1: hợp lệ" in out.getvalue()
    assert (Dossier.objects.count(), Leg.objects.count()) == (0, 0)


def test_needs_an_admin(eng, tmp_path):
    path = _lines(tmp_path, birth_payload())
    with pytest.raises(CommandError):
        call_command("import_dossiers", path, user=eng.clerk.username, stdout=StringIO())
