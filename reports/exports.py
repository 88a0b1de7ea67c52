"""XLSX (openpyxl) and PDF (WeasyPrint) renderings of the reports, from the
already-aggregated figures."""
from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from typing import Any

from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from lienthong import formatting
from lienthong.spreadsheet import xlsx_cell
from reports.selectors import agency_label, service_label

THIN = Side(style="thin", color="888888")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
BOLD = Font(bold=True)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)


def _dmy(iso: str) -> str:
    return formatting.day(iso)


def _sheet_table(ws, start_row: int, header: list[str], rows: list[list[Any]], bold_last: bool = False) -> int:
    for j, h in enumerate(header, start=1):
        cell = xlsx_cell(ws, start_row, j, h)
        cell.font, cell.alignment, cell.border = BOLD, CENTER, BOX
    for i, values in enumerate(rows, start=start_row + 1):
        for j, v in enumerate(values, start=1):
            cell = xlsx_cell(ws, i, j, v)
            cell.border = BOX
            if bold_last and i == start_row + len(rows):
                cell.font = BOLD
    return start_row + len(rows) + 2


def _save(wb: Workbook) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def adoption_header() -> list[str]:
    return [_("STT"), _("Đơn vị"),
            _("Tổng số hồ sơ đăng ký thường trú lần đầu cho trẻ em"), _("Số hồ sơ qua liên thông (khai sinh)"),
            _("Tỷ lệ (%) liên thông khai sinh"),
            _("Tổng số hồ sơ xóa đăng ký thường trú do chết"), _("Số hồ sơ qua liên thông (khai tử)"),
            _("Tỷ lệ (%) liên thông khai tử")]


def adoption_xlsx(report: dict[str, Any], *, title: str, subtitle: str) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None  # a new workbook has its one sheet
    ws.title = _("Tỷ lệ liên thông")[:31]
    xlsx_cell(ws, 1, 1, title)
    xlsx_cell(ws, 2, 1, subtitle)
    ws["A1"].font = Font(bold=True, size=13)
    rows = [[i, r["name"], r["birth_total"], r["birth_linked"], r["birth_rate"], r["death_total"],
             r["death_linked"], r["death_rate"]] for i, r in enumerate(report["rows"], start=1)]
    t = report["total"]
    rows.append(["", _("Tổng cộng"), t["birth_total"], t["birth_linked"], t["birth_rate"], t["death_total"],
                 t["death_linked"], t["death_rate"]])
    _sheet_table(ws, 4, adoption_header(), rows, bold_last=True)
    for j, width in enumerate([6, 36, 18, 16, 12, 18, 16, 12], start=1):
        ws.column_dimensions[get_column_letter(j)].width = width
    ws.row_dimensions[4].height = 60
    return _save(wb)


def adoption_pdf(report: dict[str, Any], *, title: str, subtitle: str) -> bytes:
    html = render_to_string("reports/pdf/adoption.html",
                            {"report": report, "title": title, "subtitle": subtitle, "header": adoption_header()})
    return _pdf(html)


def daily_header() -> list[str]:
    return [_("Trực tuyến"), _("Một cửa"), _("Tiếp nhận"), _("Hoàn thành"), _("Đúng hạn"), _("Quá hạn"),
            _("Từ chối"), _("Chờ bổ sung")]


DAILY_KEYS = ("received_online", "received_one_stop", "received", "completed", "on_time", "overdue",
              "rejected", "awaiting_supplement")


def daily_xlsx(data: dict[str, Any]) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None  # a new workbook has its one sheet
    ws.title = _("Báo cáo ngày")[:31]
    xlsx_cell(ws, 1, 1, _("Báo cáo kết quả thực hiện liên thông ngày %(date)s – %(province)s") % {
        "date": _dmy(data["date"]), "province": data["province_name"]})
    ws["A1"].font = Font(bold=True, size=13)
    row = 3
    xlsx_cell(ws, row, 1, _("I. Theo thủ tục và cơ quan")).font = BOLD
    rows = [[service_label(s["service"]), agency_label(s["agency"]), *[s[k] for k in DAILY_KEYS]]
            for s in data["services"]]
    rows.append([_("Tổng cộng"), "", *[data["total"][k] for k in DAILY_KEYS]])
    row = _sheet_table(ws, row + 1, [_("Thủ tục"), _("Cơ quan"), *daily_header()], rows, bold_last=True)
    xlsx_cell(ws, row, 1, _("II. Theo đơn vị")).font = BOLD
    rows = []
    for u in data["units"]:
        for s in u["services"]:
            rows.append([u["name"], service_label(s["service"]), *[s[k] for k in DAILY_KEYS]])
    row = _sheet_table(ws, row + 1, [_("Đơn vị"), _("Thủ tục"), *daily_header()], rows)
    xlsx_cell(ws, row, 1, _("III. Lũy kế từ ngày %(date)s") % {
        "date": _dmy(data["cumulative_from"])}).font = BOLD
    cum = data["cumulative"]
    rows = [[service_label(s["service"]), agency_label(s["agency"]), s["received"], s["completed"],
             s["on_time"], s["rejected"]] for s in cum["services"]]
    rows.append([_("Tổng cộng"), "", cum["total"]["received"], cum["total"]["completed"],
                 cum["total"]["on_time"], cum["total"]["rejected"]])
    row = _sheet_table(ws, row + 1, [_("Thủ tục"), _("Cơ quan"), _("Tiếp nhận"), _("Hoàn thành"),
                                     _("Đúng hạn"), _("Từ chối")], rows, bold_last=True)
    xlsx_cell(ws, row, 1, _("IV. Vướng mắc chưa được giải quyết")).font = BOLD
    rows = [[d["name"], service_label(d["service"]) if d["service"] else "", d["description"], _dmy(d["since"])]
            for d in data["difficulties"]]
    _sheet_table(ws, row + 1, [_("Đơn vị"), _("Thủ tục"), _("Nội dung"), _("Phát sinh từ")], rows)
    ws.column_dimensions["A"].width = 36
    ws.column_dimensions["B"].width = 32
    for j in range(3, 11):
        ws.column_dimensions[get_column_letter(j)].width = 12
    return _save(wb)


def daily_pdf(data: dict[str, Any]) -> bytes:
    html = render_to_string("reports/pdf/daily.html", {"data": daily_context(data), "pdf": True})
    return _pdf(html)


def daily_context(data: dict[str, Any]) -> dict[str, Any]:
    """Labels and ordered cells for templates (page and PDF)."""
    def cells(d: dict[str, Any]) -> list[int]:
        return [d[k] for k in DAILY_KEYS]

    return {
        **data,
        "date_display": _dmy(data["date"]),
        "cumulative_from_display": _dmy(data["cumulative_from"]),
        "header": daily_header(),
        "service_rows": [{"service": service_label(s["service"]), "agency": agency_label(s["agency"]),
                          "cells": cells(s)} for s in data["services"]],
        "total_cells": cells(data["total"]),
        "unit_rows": [{"name": u["name"], "code": u["unit"], "total": cells(u["total"]),
                       "services": [{"service": service_label(s["service"]), "agency": agency_label(s["agency"]),
                                     "cells": cells(s)} for s in u["services"]]} for u in data["units"]],
        "cumulative_rows": [{"service": service_label(s["service"]), "agency": agency_label(s["agency"]),
                             "cells": [s["received"], s["completed"], s["on_time"], s["rejected"]]}
                            for s in data["cumulative"]["services"]],
        "cumulative_total": [data["cumulative"]["total"][k] for k in ("received", "completed", "on_time",
                                                                        "rejected")],
        "difficulty_rows": [{**d, "service_label": service_label(d["service"]) if d["service"] else "",
                             "since_display": _dmy(d["since"])} for d in data["difficulties"]],
        "official": daily_official(data),
    }


def daily_official(data: dict[str, Any]) -> dict[str, Any]:
    """The parts of an administrative document (Nghị định 30/2020/NĐ-CP,
    Phụ lục I): issuing body, number and symbol, place and date, subject,
    legal basis, recipients ("Nơi nhận") and signature block. The number is
    the report's day of the year (one daily report a day and province);
    the date is the day the figures were fixed."""
    from agencies.models import AdminUnit
    from dossiers import rules
    from reports.db import report_db
    from reports.models import ReportRecipient

    day = date.fromisoformat(data["date"])
    made = datetime.fromisoformat(data["generated_at"]).date() if data.get("generated_at") else (
        day + timedelta(days=1))
    province = data["province_name"]
    place = province.removeprefix("Tỉnh ").removeprefix("Thành phố ")
    # configuration beside the figures: on the reports' database like them
    recipients = [r.name or r.email for r in ReportRecipient.objects.using(report_db()).filter(
        province__code=data["province"], province__map=AdminUnit.Map.CURRENT).order_by("name", "email")]
    return {
        "body_parent": _("ỦY BAN NHÂN DÂN"), "body": province.upper(),
        "number": _("Số: %(n)s/BC-UBND") % {"n": day.timetuple().tm_yday},
        "place_date": _("%(place)s, ngày %(d)02d tháng %(m)02d năm %(y)d") % {
            "place": place, "d": made.day, "m": made.month, "y": made.year},
        "subject": _("Kết quả thực hiện liên thông các thủ tục hành chính ngày %(date)s") % {"date": _dmy(data["date"])},
        "basis": _("Căn cứ %(citation)s.") % {"citation": rules.citation("citation.report.daily", day)},
        "recipients": recipients,
    }


def _pdf(html: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=html).write_pdf()


def daily_filename(province_code: str, day: date, ext: str) -> str:
    """What a daily report's file is called for people (downloads, e-mail
    attachments); stored files have random names (lienthong/files.py)."""
    return f"bao-cao-ngay-{province_code}-{day:%Y%m%d}.{ext}"
