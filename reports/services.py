"""Writes of the reports app: outside counts (one at a time or a whole CSV,
all or nothing), the daily-report snapshots and the reports' PDFs (rendered
by a worker on the reports lane, never in a request)."""
from __future__ import annotations

import csv
import io
import logging
import secrets
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.mail import EmailMessage
from django.db import DEFAULT_DB_ALIAS, IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from agencies import access
from agencies.models import AdminUnit, User
from agencies.selectors import resolve_unit
from lienthong import formatting, links
from lienthong.celery import RETRY_ON
from lienthong.errors import DomainError
from reports import exports, selectors
from reports.models import DailyReport, DifficultyReport, OutsideCount, ReportRecipient

log = logging.getLogger(__name__)
CSV_COLUMNS = ("unit", "date", "procedure", "count")
MAX_CSV_ROWS = 20000
MAX_COUNT = 2**31 - 1  # the column's range; a larger number is a typing error


@dataclass
class OutsideCountInput:
    unit: AdminUnit
    date: date
    procedure: str
    count: int


def _province_of(unit: AdminUnit) -> int | None:
    """The current province a unit (of either map) belongs to."""
    if unit.level == AdminUnit.Level.PROVINCE:
        return unit.pk if unit.is_current else unit.successor_id
    province = unit.province
    if province is None:
        return None
    return province.pk if province.is_current else province.successor_id


def outside_count_clean(data: dict[str, Any], *, user: User) -> OutsideCountInput:
    """Validate one outside count (API payload or CSV row); raise DomainError."""
    errors: dict[str, list[str]] = {}
    raw_date = str(data.get("date") or "").strip()
    day: date | None = None
    try:
        day = date.fromisoformat(raw_date)
    except ValueError:
        errors["date"] = [_("Ngày không hợp lệ; dùng dạng YYYY-MM-DD.")]
    if day is not None and day > timezone.localdate():
        errors["date"] = [_("Không nhập số liệu cho ngày trong tương lai.")]
    procedure = str(data.get("procedure") or "").strip()
    if procedure not in OutsideCount.Procedure.values:
        errors["procedure"] = [_("Thủ tục phải là residence_registration hoặc residence_removal.")]
    count_raw = data.get("count")
    count: int | None = None
    if isinstance(count_raw, bool):
        count_raw = None
    try:
        count = int(str(count_raw).strip())
        if count < 0 or count > MAX_COUNT or (isinstance(count_raw, float) and not count_raw.is_integer()):
            raise ValueError
    except (TypeError, ValueError):
        errors["count"] = [_("Số lượng phải là số nguyên không âm.")]
        count = None
    code = str(data.get("unit") or "").strip()
    # A NUL cannot be compared by PostgreSQL; no code holds one.
    unit = resolve_unit(code, at=day) if code and "\x00" not in code else None
    if unit is None:
        errors["unit"] = [_("Không tìm thấy đơn vị hành chính có mã này.")]
    elif unit.level == AdminUnit.Level.PROVINCE:
        errors["unit"] = [_("Nhập số liệu theo xã/phường hoặc quận/huyện (bản đồ cũ), không theo tỉnh.")]
    elif not access.sees_every_province(user):
        own = selectors.user_province(user)
        if own is None or _province_of(unit) != own.pk:
            errors["unit"] = [_("Đơn vị không thuộc tỉnh/thành phố bạn phụ trách.")]
    if errors:
        raise DomainError(errors)
    return OutsideCountInput(unit=unit, date=day, procedure=procedure, count=count)  # type: ignore[arg-type]


def _check_role(user: User) -> None:
    if not access.can_report_outside_counts(user):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied


@transaction.atomic
def outside_count_save(*, data: dict[str, Any], user: User) -> OutsideCount:
    """Create or replace the count of one unit, date and procedure."""
    _check_role(user)
    clean = outside_count_clean(data, user=user)
    row, _created = OutsideCount.objects.update_or_create(
        unit=clean.unit, date=clean.date, procedure=clean.procedure,
        defaults={"count": clean.count, "reported_by": user})
    return row


@dataclass
class CsvPreview:
    rows: list[dict[str, Any]] = field(default_factory=list)  # {"line", "values", "errors", "replaces"}
    errors: list[str] = field(default_factory=list)  # file-level

    @property
    def ok(self) -> bool:
        return not self.errors and all(not r["errors"] for r in self.rows)

    @property
    def error_count(self) -> int:
        return len(self.errors) + sum(1 for r in self.rows if r["errors"])


def outside_counts_csv_parse(content: bytes, *, user: User) -> tuple[CsvPreview, list[OutsideCountInput]]:
    """Check every row of a CSV (columns unit,date,procedure,count; UTF-8,
    comma or semicolon) without writing anything."""
    preview = CsvPreview()
    cleaned: list[OutsideCountInput] = []
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        preview.errors.append(_("Tệp phải được lưu ở bảng mã UTF-8."))
        return preview, cleaned
    sample = text[:2048]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in CSV_COLUMNS if c not in header]
    if missing:
        preview.errors.append(_("Thiếu cột: %(cols)s. Các cột cần có: unit, date, procedure, count.")
                              % {"cols": ", ".join(missing)})
        return preview, cleaned
    reader.fieldnames = header
    seen: dict[tuple, int] = {}
    for i, raw in enumerate(reader, start=2):
        if i - 1 > MAX_CSV_ROWS:
            preview.errors.append(_("Tệp có quá %(n)s dòng; hãy chia nhỏ.") % {"n": MAX_CSV_ROWS})
            break
        values = {c: (raw.get(c) or "").strip() for c in CSV_COLUMNS}
        if not any(values.values()):
            continue
        row: dict[str, Any] = {"line": i, "values": values, "errors": [], "replaces": None}
        try:
            clean = outside_count_clean(values, user=user)
        except DomainError as exc:
            row["errors"] = [f"{k}: {m}" for k, msgs in exc.errors.items() for m in msgs]
        else:
            key = (clean.unit.pk, clean.date, clean.procedure)
            if key in seen:
                row["errors"].append(_("Trùng với dòng %(line)s (cùng đơn vị, ngày và thủ tục).") % {"line": seen[key]})
            else:
                seen[key] = i
                existing = OutsideCount.objects.filter(unit=clean.unit, date=clean.date,
                                                       procedure=clean.procedure).values_list("count", flat=True).first()
                row["replaces"] = existing
                row["unit_name"] = clean.unit.name
                cleaned.append(clean)
        preview.rows.append(row)
    if not preview.rows and not preview.errors:
        preview.errors.append(_("Tệp không có dòng số liệu nào."))
    return preview, cleaned


@transaction.atomic
def outside_counts_import(*, content: bytes, user: User) -> int:
    """Import a whole CSV: every row or none (raises DomainError)."""
    _check_role(user)
    preview, cleaned = outside_counts_csv_parse(content, user=user)
    if not preview.ok:
        raise DomainError({"file": [_("Tệp có %(n)s lỗi; không dòng nào được nhập.") % {"n": preview.error_count}]})
    for c in cleaned:
        OutsideCount.objects.update_or_create(unit=c.unit, date=c.date, procedure=c.procedure,
                                              defaults={"count": c.count, "reported_by": user})
    return len(cleaned)


# --- daily report snapshots ----------------------------------------------------
def daily_report_create(*, province: AdminUnit, day: date, rows: list[dict] | None = None) -> DailyReport:
    """Store the snapshot of one province and day, once: a second call (a
    task delivered twice, two workers) returns the existing snapshot untouched.

    The figures are read on the reports' database (the replica when
    configured, see reports/db.py); the snapshot is looked up and written on
    `default`, never on the replica, which may not have it yet."""
    existing = DailyReport.objects.using(DEFAULT_DB_ALIAS).filter(province=province, date=day).first()
    if existing is not None:
        return existing
    data = selectors.daily_report_data(province, day, rows=rows)
    data["generated_at"] = timezone.localtime().isoformat(timespec="seconds")

    try:
        with transaction.atomic():
            report = DailyReport.objects.create(province=province, date=day, generated_at=timezone.now(), data=data)
    except IntegrityError:
        return DailyReport.objects.using(DEFAULT_DB_ALIAS).get(province=province, date=day)
    report.xlsx.save(exports.daily_filename(province.code, day, "xlsx"), ContentFile(exports.daily_xlsx(data)),
                     save=False)
    try:
        report.pdf.save(exports.daily_filename(province.code, day, "pdf"), ContentFile(exports.daily_pdf(data)),
                        save=False)
    except Exception:  # noqa: BLE001 - the figures are kept even if the PDF engine fails
        log.exception("daily report PDF failed for %s %s", province.code, day)
    DailyReport.objects.filter(pk=report.pk).update(xlsx=report.xlsx.name, pdf=report.pdf.name)
    return report


def daily_report_send(*, report_id: int) -> int:
    """Email the snapshot to the province's recipients, once (conditional
    update claims the sending)."""
    claimed = DailyReport.objects.filter(pk=report_id, sent_at__isnull=True).update(sent_at=timezone.now())
    if not claimed:
        return 0
    report = DailyReport.objects.select_related("province").get(pk=report_id)
    to = list(ReportRecipient.objects.filter(province=report.province).values_list("email", flat=True))
    if not to:
        return 0
    subject = _("Báo cáo kết quả liên thông ngày %(date)s – %(province)s") % {
        "date": formatting.day(report.date), "province": report.province.name}
    total = report.data["total"]
    body = _("Kính gửi,\n\nBáo cáo kết quả thực hiện liên thông ngày %(date)s: tiếp nhận %(received)s, "
             "hoàn thành %(completed)s (đúng hạn %(on_time)s), quá hạn %(overdue)s, từ chối %(rejected)s, "
             "chờ bổ sung %(awaiting)s.\nChi tiết trong tệp đính kèm và tại %(url)s\n") % {
        "date": formatting.day(report.date), "received": total["received"], "completed": total["completed"],
        "on_time": total["on_time"], "overdue": total["overdue"], "rejected": total["rejected"],
        "awaiting": total["awaiting_supplement"],
        "url": links.absolute_url(reverse("reports:daily_detail", args=[report.pk]))}
    message = EmailMessage(subject, body, to=to)
    for f, ext, mime in ((report.pdf, "pdf", "application/pdf"),
                         (report.xlsx, "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")):
        if f:
            with f.open("rb") as fh:
                # The stored name is random; the province reads this one.
                message.attach(exports.daily_filename(report.province.code, report.date, ext), fh.read(), mime)
    try:
        message.send()
    except Exception:
        DailyReport.objects.filter(pk=report_id).update(sent_at=None)  # let a retry send it
        raise
    return len(to)


# --- difficulty reports (vướng mắc) ---------------------------------------------
@transaction.atomic
def difficulty_create(*, user: User, service: str, description: str, since: date) -> DifficultyReport:
    """A unit's staff report a difficulty; it goes into the daily report."""
    if not access.can_file_difficulty(user):
        raise DomainError(_("Tài khoản này không gửi vướng mắc."))
    assert user.unit is not None  # can_file_difficulty: staff of a unit
    return DifficultyReport.objects.create(unit=user.unit, service=service or "", agency=access.difficulty_agency(user),
                                           description=description, since=since, reported_by=user)


def difficulty_close(*, report_id: int, user: User, resolution: str) -> bool:
    """Close an open difficulty report. A conditional update: when two
    officers close it at once, the first closer is kept and the second is told
    (False)."""
    return bool(DifficultyReport.objects.filter(pk=report_id, closed_at__isnull=True).update(
        closed_at=timezone.now(), closed_by=user, resolution=resolution))


# --- PDFs: rendered by the reports' worker, offered when ready -------------------
PDF_KINDS = ("adoption", "daily")
PDF_DIR = "reports/pdf"


def report_pdf_paths(*, province_code: str, job: str) -> dict[str, str]:
    """Where a requested PDF is written: the file, then a marker saying it is
    complete (or that rendering failed). Under the province's code: the page
    that offers it checks access to that province first."""
    base = f"{PDF_DIR}/{province_code}/{job}"
    return {"pdf": f"{base}.pdf", "ready": f"{base}.ready", "failed": f"{base}.failed"}


def report_pdf_status(*, province_code: str, job: str) -> str:
    """"ready", "failed" or "pending"."""
    if not job.isalnum():  # only the tokens report_pdf_request makes
        return "failed"
    paths = report_pdf_paths(province_code=province_code, job=job)
    if default_storage.exists(paths["ready"]):
        return "ready"
    return "failed" if default_storage.exists(paths["failed"]) else "pending"


def report_pdf_request(*, kind: str, province: AdminUnit, params: dict[str, Any]) -> str:
    """Queue the rendering of a report's PDF; returns the job token the page
    polls with. Without a broker (eager mode) it is rendered here."""
    from reports.tasks import render_report_pdf

    if kind not in PDF_KINDS:
        raise ValueError(kind)
    job = secrets.token_hex(16)
    render_report_pdf.delay(kind, {**params, "province": province.pk, "language": translation.get_language()}, job)
    return job


def daily_report_pdf_request(*, report: DailyReport) -> None:
    """A snapshot without its PDF (the engine failed when it was built):
    render it in the worker and store it on the snapshot."""
    from reports.tasks import render_report_pdf

    render_report_pdf.delay("daily_snapshot", {"report": report.pk, "language": translation.get_language()}, "")


def report_pdf_render(*, kind: str, params: dict[str, Any], job: str) -> str | None:
    """Worker side: render and store. Safe to run twice (a finished job, or
    a snapshot that has its PDF, is left as it is). Returns the file's name."""

    with translation.override(params.get("language") or settings.LANGUAGE_CODE):
        if kind == "daily_snapshot":
            report = DailyReport.objects.select_related("province").filter(pk=params["report"]).first()
            if report is None or report.pdf:
                return report.pdf.name if report else None
            name = exports.daily_filename(report.province.code, report.date, "pdf")
            report.pdf.save(name, ContentFile(exports.daily_pdf(report.data)), save=False)
            DailyReport.objects.filter(pk=report.pk, pdf="").update(pdf=report.pdf.name)
            return report.pdf.name
        province = AdminUnit.objects.get(pk=params["province"])
        paths = report_pdf_paths(province_code=province.code, job=job)
        if default_storage.exists(paths["ready"]):
            return paths["pdf"]
        try:
            if kind == "adoption":
                query = selectors.AdoptionQuery(province=province, first=date.fromisoformat(params["first"]),
                                                last=date.fromisoformat(params["last"]), group_by=params["group_by"])
                content = exports.adoption_pdf(selectors.adoption_report(query), title=params["title"],
                                               subtitle=params["subtitle"])
            elif kind == "daily":
                content = exports.daily_pdf(selectors.daily_report_data(province, date.fromisoformat(params["day"])))
            else:
                raise ValueError(kind)
        except Exception as exc:
            if not isinstance(exc, RETRY_ON):
                # Will not heal by retrying: tell the waiting page.
                default_storage.save(paths["failed"], ContentFile(b""))
            raise
        if default_storage.exists(paths["pdf"]):  # a second delivery half-way through
            default_storage.delete(paths["pdf"])
        stored = default_storage.save(paths["pdf"], ContentFile(content))
        default_storage.save(paths["ready"], ContentFile(b""))
        return stored
