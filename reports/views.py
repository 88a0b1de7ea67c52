"""Report pages for provincial viewers (and admins): dashboard, daily
reports, adoption rates, weekly/monthly commune summaries, outside counts.
Thin: resolve the province through access (404 outside scope), read through
selectors, render.

The figures come from the selectors, which read the reports' database
(reports.db.report_db(): the read replica when configured). What these views
read themselves stays on `default`: the province and drill-down scope checks
(access decisions), and the stored daily snapshots, which are shown straight
after the beat task or a rebuild wrote them."""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.db import DEFAULT_DB_ALIAS
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from agencies import access
from agencies.models import AdminUnit, AgencyKind
from agencies.selectors import by_name
from dossiers import selectors as dossier_selectors
from dossiers.models import Service
from lienthong import formatting
from lienthong.celery import BROKER_ERRORS
from lienthong.errors import DomainError
from lienthong.forms import DATE_INPUT_FORMATS
from lienthong.paging import PAGE_SIZE, pager_query
from reports import exports, forms, ranges, selectors, services, tasks
from reports.api import adoption_query
from reports.db import report_db
from reports.models import DailyReport, DifficultyReport

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _province(request: access.SignedInRequest, at: date | None = None) -> AdminUnit:
    """The province the page is about: ?province= or the user's own; admins
    without a unit get the first province. 404 outside the caller's scope."""
    code = request.GET.get("province")
    if not code and request.user.unit_id is None and access.sees_every_province(request.user):
        code = AdminUnit.objects.filter(map=AdminUnit.Map.CURRENT, level=AdminUnit.Level.PROVINCE
                                        ).order_by("code").values_list("code", flat=True).first()
    return selectors.province_resolve(code, user=request.user, at=at)


def _provinces_for(user) -> list[AdminUnit]:
    qs = AdminUnit.objects.filter(map=AdminUnit.Map.CURRENT, level=AdminUnit.Level.PROVINCE)
    return by_name([p for p in qs if access.can_view_province(user, p)]) if user.is_authenticated else []


def _range(request: access.SignedInRequest) -> tuple[date, date]:
    """The dashboard's period: 30 days up to `to` (today) by default."""
    labels = {"from": _("Từ ngày"), "to": _("Đến ngày")}
    last = ranges.parse_day(request.GET, "to", timezone.localdate(), label=labels["to"])
    return ranges.report_range(request.GET, last - timedelta(days=29), last, labels=labels)


def _drill_unit(request: access.SignedInRequest, province: AdminUnit) -> AdminUnit | None:
    """The unit of the drill-down (?unit=, an id): 404 outside the province.
    The scope check is an access decision: on default."""
    raw = request.GET.get("unit")
    if not raw:
        return None
    if not raw.isdigit() or len(raw) > 18:
        raise DomainError({"unit": [_("“%(field)s” phải là mã số của một đơn vị.") % {"field": "unit"}]})
    unit = AdminUnit.objects.using(DEFAULT_DB_ALIAS).filter(pk=int(raw)).select_related("parent").first()
    scoped = unit and selectors.UnitMap.objects.using(DEFAULT_DB_ALIAS).filter(
        unit=unit, current_province=province).exists()
    if not scoped:
        raise Http404
    return unit


@login_required
def dashboard(request: access.SignedInRequest) -> HttpResponse:
    # one read transaction on the reports' database for every figure of the page
    with selectors.report_query():
        return _dashboard(request)


def _dashboard(request: access.SignedInRequest) -> HttpResponse:
    province = selectors.current_province(_province(request))
    errors: dict[str, list[str]] = {}
    try:
        unit = _drill_unit(request, province)
    except DomainError as exc:
        errors.update(exc.errors)
        unit = None
    try:
        first, last = _range(request)
    except DomainError as exc:
        # the error on the page, and no figures: never another period's in
        # place of the one asked for
        errors.update(exc.errors)
        return render(request, "reports/dashboard.html", {
            "province": province, "provinces": _provinces_for(request.user), "unit": unit, "errors": errors,
            "raw_from": request.GET.get("from", ""), "raw_to": request.GET.get("to", "")}, status=400)
    kpis = selectors.dashboard_kpis(province, first, last, unit=unit)
    adoption = selectors.adoption_report(selectors.AdoptionQuery(
        province=province, first=first, last=last,
        group_by=selectors.GROUP_DISTRICT))["total"]
    trend = selectors.dashboard_trend(province, first, last, unit=unit)
    district = unit if unit is not None and unit.level == AdminUnit.Level.DISTRICT else None
    if unit is None:
        drill = adoption_by_district(province, first, last)
    else:
        drill = None
    ranking = selectors.commune_summary(province, first, last, district=district) if (
        unit is None or district is not None) else []
    context = {
        "province": province, "provinces": _provinces_for(request.user), "first": first, "last": last,
        "unit": unit, "kpis": kpis, "adoption": adoption, "trend": trend, "drill": drill,
        "ranking": ranking[:15] if unit is None else ranking,
        "district_of_unit": _district_of(unit),
        "ranking_tail": ranking[-5:] if unit is None and len(ranking) > 20 else [],
        "times": selectors.processing_times(province, first, last, unit=unit),
        "overdue": list(selectors.overdue_legs(province, last, unit=unit, limit=20)), "errors": errors,
        "figures": True, "raw_from": formatting.day(first), "raw_to": formatting.day(last),
        **_satisfaction(province, first, last, unit=unit),
    }
    return render(request, "reports/dashboard.html", context, status=400 if errors else 200)


def _district_of(unit: AdminUnit | None) -> AdminUnit | None:
    """The legacy district a commune of the drill-down rolls up to."""
    if unit is None or unit.level != AdminUnit.Level.COMMUNE:
        return None
    row = selectors.UnitMap.objects.using(report_db()).filter(unit=unit).select_related("legacy_district").first()
    return row.legacy_district if row else None


def adoption_by_district(province: AdminUnit, first: date, last: date) -> list[dict]:
    """Rows for the drill-down table: per legacy district, with its id."""
    report = selectors.adoption_report(selectors.AdoptionQuery(province=province, first=first, last=last,
                                                               group_by=selectors.GROUP_DISTRICT))
    ids = dict(AdminUnit.objects.using(report_db()).filter(
        map=AdminUnit.Map.LEGACY, level=AdminUnit.Level.DISTRICT,
        code__in=[r["unit"] for r in report["rows"]]).values_list("code", "pk"))
    return [{**r, "pk": ids.get(r["unit"])} for r in report["rows"]]


@login_required
def adoption(request: access.SignedInRequest) -> HttpResponseBase:
    params = request.GET.copy()
    if not params.get("province"):
        params["province"] = _province(request).code
    try:
        # the form sends dd/mm/yyyy, links ISO
        q = adoption_query(params, user=request.user, formats=DATE_INPUT_FORMATS,
                           labels={"from": _("Từ ngày"), "to": _("Đến ngày")})
    except DomainError as exc:
        q = None
        errors = exc.errors
    else:
        errors = {}
    if q and request.GET.get("format") == "pdf":
        report: dict[str, Any] = {"rows": [], "total": {}}  # the worker computes the PDF's figures
    else:
        report = selectors.adoption_report(q) if q else {"rows": [], "total": {}}
    title = _("Tỷ lệ hồ sơ thực hiện qua liên thông")
    subtitle = ""
    if q:
        subtitle = _("%(province)s · từ %(first)s đến %(last)s") % {
            "province": q.province.name, "first": formatting.day(q.first), "last": formatting.day(q.last)}
        fmt = request.GET.get("format")
        name = f"ty-le-lien-thong-{q.province.code}-{q.first:%Y%m%d}-{q.last:%Y%m%d}"
        if fmt == "xlsx":
            return _download(exports.adoption_xlsx(report, title=title, subtitle=subtitle), f"{name}.xlsx", XLSX)
        if fmt == "pdf":
            return _pdf_job(request, kind="adoption", province=q.province, filename=f"{name}.pdf", params={
                "first": q.first.isoformat(), "last": q.last.isoformat(), "group_by": q.group_by,
                "title": str(title), "subtitle": str(subtitle)})
    return render(request, "reports/adoption.html", {
        "q": q, "report": report, "errors": errors, "province": q.province if q else _province(request), "title": title, "subtitle": subtitle,
        "header": exports.adoption_header(), "provinces": _provinces_for(request.user),
        "query": request.GET.urlencode()}, status=400 if errors else 200)


def _download(content: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- PDFs: rendered by the reports' worker, never in a request -------------------
def _pdf_page(request: access.SignedInRequest, *, status: str, filename: str, open_file) -> HttpResponseBase:
    """The file when it is ready; else the waiting page, which polls this
    same address (htmx) and turns into a download link once the file is there."""
    if status == "ready" and not request.htmx:
        return FileResponse(open_file(), as_attachment=True, filename=filename, content_type="application/pdf")
    back = request.GET.copy()
    for key in ("format", "job"):
        back.pop(key, None)
    return render(request, "reports/pdf_pending.html", {
        "status": status, "filename": filename, "url": request.get_full_path(),
        "back": f"{request.path}?{back.urlencode()}" if back else request.path})


def _broker_down(request: HttpRequest, back: str | None = None) -> HttpResponse:
    messages.error(request, _("Chưa gửi được yêu cầu tạo tệp PDF; vui lòng thử lại sau ít phút."))
    if back is None:
        query = request.GET.copy()
        query.pop("format", None)
        back = f"{request.path}?{query.urlencode()}"
    return redirect(back)


def _pdf_job(request: access.SignedInRequest, *, kind: str, province: AdminUnit, params: dict,
             filename: str) -> HttpResponseBase:
    """First visit: queue the rendering and come back with its job token
    (?job=); later visits: wait for it, then offer the file."""
    job = request.GET.get("job")
    if not job:
        try:
            job = services.report_pdf_request(kind=kind, province=province, params=params)
        except BROKER_ERRORS:
            return _broker_down(request)
        query = request.GET.copy()
        query["job"] = job
        return redirect(f"{request.path}?{query.urlencode()}")
    status = services.report_pdf_status(province_code=province.code, job=job)
    paths = services.report_pdf_paths(province_code=province.code, job=job)
    return _pdf_page(request, status=status, filename=filename,
                     open_file=lambda: default_storage.open(paths["pdf"], "rb"))


@login_required
def daily_list(request: access.SignedInRequest) -> HttpResponse:
    province = selectors.current_province(_province(request))
    yesterday = timezone.localdate() - timedelta(days=1)
    _yesterday_ensure(province, yesterday)
    # snapshots on default: the list is opened right after they are built
    reports = (DailyReport.objects.using(DEFAULT_DB_ALIAS).filter(province=province)
               .only("pk", "date", "generated_at", "sent_at", "data"))
    return render(request, "reports/daily_list.html", {
        "province": province, "provinces": _provinces_for(request.user), "reports": reports[:120],
        "yesterday": yesterday, "has_yesterday": reports.filter(date=yesterday).exists()})


def _yesterday_ensure(province: AdminUnit, yesterday: date) -> None:
    """Without a broker (`make run`: tasks run in-process, no beat) nothing
    builds yesterday's report at the scheduled hour: the first visit does,
    through the beat's own task. With a broker the beat builds it."""
    if not settings.CELERY_TASK_ALWAYS_EAGER:
        return
    if not DailyReport.objects.using(DEFAULT_DB_ALIAS).filter(province=province, date=yesterday).exists():
        tasks.build_daily_report.delay(yesterday.isoformat())


def _daily_report_or_404(request: access.SignedInRequest, pk: int) -> DailyReport:
    report = get_object_or_404(DailyReport.objects.using(DEFAULT_DB_ALIAS).select_related("province"), pk=pk)
    if not access.can_view_province(request.user, report.province):
        raise Http404
    return report


@login_required
def daily_detail(request: access.SignedInRequest, pk: int) -> HttpResponse:
    report = _daily_report_or_404(request, pk)
    return render(request, "reports/daily_detail.html", {
        "report": report, "data": exports.daily_context(report.data), "province": report.province,
        "snapshot": True})


@login_required
def daily_file(request: access.SignedInRequest, pk: int, kind: str) -> HttpResponseBase:
    report = _daily_report_or_404(request, pk)
    stored = report.pdf if kind == "pdf" else report.xlsx
    name = exports.daily_filename(report.province.code, report.date, kind)
    if kind == "pdf":
        # A snapshot whose PDF failed when it was built: the worker renders it.
        if not stored and not request.htmx:
            try:
                services.daily_report_pdf_request(report=report)
            except BROKER_ERRORS:
                return _broker_down(request, reverse("reports:daily_detail", args=[report.pk]))
            report.refresh_from_db(fields=["pdf"])  # eager mode: rendered already
        return _pdf_page(request, status="ready" if report.pdf else "pending", filename=name,
                         open_file=lambda: report.pdf.open("rb"))
    if stored:
        return FileResponse(stored.open("rb"), as_attachment=True, filename=name)
    return _download(exports.daily_xlsx(report.data), name, XLSX)


@login_required
def daily_preview(request: access.SignedInRequest) -> HttpResponseBase:
    """Any past date on demand; the stored snapshot when there is one. A date
    that is not a date, or has no report yet (today, the future), is said
    so: never another day's report in its place."""
    province = selectors.current_province(_province(request))
    yesterday = timezone.localdate() - timedelta(days=1)
    raw = (request.GET.get("date") or "").strip()
    try:
        day = ranges.parse_day(request.GET, "date", yesterday, label=_("Xem báo cáo của ngày"))
    except DomainError as exc:
        error, status = " ".join(m for msgs in exc.errors.values() for m in msgs), 400
    else:
        error, status = "", 200
        if day > yesterday:
            error, status = _("“Xem báo cáo của ngày”: chưa có báo cáo ngày %(date)s; báo cáo của một ngày được "
                              "lập sau khi ngày đó kết thúc.") % {"date": formatting.day(day)}, 404
    if error:
        return render(request, "reports/daily_missing.html", {
            "province": province, "provinces": _provinces_for(request.user), "error": error, "raw": raw,
            "yesterday": yesterday}, status=status)
    _yesterday_ensure(province, yesterday)
    snap = DailyReport.objects.using(DEFAULT_DB_ALIAS).filter(province=province, date=day).first()
    if snap is not None:
        return redirect("reports:daily_detail", pk=snap.pk)
    fmt = request.GET.get("format")
    if fmt == "pdf":
        return _pdf_job(request, kind="daily", province=province, params={"day": day.isoformat()},
                        filename=exports.daily_filename(province.code, day, "pdf"))
    data = selectors.daily_report_data(province, day)
    if fmt == "xlsx":
        return _download(exports.daily_xlsx(data), exports.daily_filename(province.code, day, "xlsx"), XLSX)
    return render(request, "reports/daily_detail.html", {
        "report": None, "data": exports.daily_context(data), "province": province, "snapshot": False,
        "day": day})


@login_required
def summary(request: access.SignedInRequest) -> HttpResponse:
    """Weekly or monthly summary per commune, ranked (thi đua)."""
    province = selectors.current_province(_province(request))
    period = request.GET.get("period") if request.GET.get("period") in ("week", "month") else "week"
    errors: dict[str, list[str]] = {}
    try:
        day = ranges.parse_day(request.GET, "date", timezone.localdate(), label=_("Ngày trong kỳ"))
    except DomainError as exc:  # the error, never another period's figures
        return render(request, "reports/summary.html", {
            "province": province, "provinces": _provinces_for(request.user), "period": period,
            "errors": exc.errors, "raw_date": request.GET.get("date", "")}, status=400)
    first, last = selectors.week_bounds(day) if period == "week" else selectors.month_bounds(day)
    prev = first - timedelta(days=1)
    nxt = last + timedelta(days=1)
    return render(request, "reports/summary.html", {
        "province": province, "provinces": _provinces_for(request.user), "period": period,
        "first": first, "last": last, "prev": prev, "next": nxt if nxt <= timezone.localdate() else None,
        "rows": selectors.commune_summary(province, first, last), "errors": errors, "figures": True,
        **_satisfaction(province, first, last)}, status=400 if errors else 200)


def _satisfaction(province: AdminUnit, first: date, last: date, *, unit: AdminUnit | None = None) -> dict[str, Any]:
    """The citizens' ratings and their two tables (per commune, per agency)."""
    figures = selectors.satisfaction(province, first, last, unit=unit)
    return {"satisfaction": figures, "satisfaction_tables": [
        (_("Theo xã/phường"), figures["by_unit"], _("Xã/phường")),
        (_("Theo cơ quan"), figures["by_agency"], _("Cơ quan"))]}


@login_required
def outside_counts(request: access.SignedInRequest) -> HttpResponse:
    """Outside counts of the province, and the CSV upload: preview with
    row-level errors, then an all-or-nothing import."""
    if not access.can_report_outside_counts(request.user):
        raise PermissionDenied
    # a commune's police officer enters counts for the own province without
    # being able to read the province's reports
    own = selectors.user_province(request.user)
    if own is not None and not access.can_view_province(request.user, own):
        province = own
    else:
        province = selectors.current_province(_province(request))
    preview = None
    csv_text = ""
    if request.method == "POST":
        if request.POST.get("confirm") and request.POST.get("csv_text"):
            csv_text = request.POST["csv_text"]
            try:
                n = services.outside_counts_import(content=csv_text.encode("utf-8"), user=request.user)
            except DomainError as exc:
                preview, _cleaned = services.outside_counts_csv_parse(csv_text.encode("utf-8"), user=request.user)
                for msgs in exc.errors.values():
                    for m in msgs:
                        messages.error(request, m)
            else:
                messages.success(request, _("Đã nhập %(n)s dòng số liệu.") % {"n": n})
                return redirect(f"{request.path}?province={province.code}")
        else:
            upload = request.FILES.get("file")
            if upload is None:
                messages.error(request, _("Hãy chọn tệp CSV."))
            elif (upload.size or 0) > 5 * 1024 * 1024:
                messages.error(request, _("Tệp quá lớn (tối đa 5 MB)."))
            else:
                content = upload.read()
                preview, _cleaned = services.outside_counts_csv_parse(content, user=request.user)
                csv_text = content.decode("utf-8-sig", errors="replace")
    rows = selectors.outside_counts_for(province)[:100]
    return render(request, "reports/outside_counts.html", {
        "province": province, "preview": preview, "csv_text": csv_text, "rows": rows,
        "provinces": _provinces_for(request.user)})


# --- difficulty reports: filed by communes and agencies, closed by the province ---
def _visible_difficulties(user):
    return DifficultyReport.objects.filter(access.difficulty_q(user)).select_related(
        "unit", "reported_by", "closed_by")


@access.staff_required
@require_http_methods(["GET", "POST"])
def difficulties(request: access.SignedInRequest) -> HttpResponse:
    can_file = access.can_file_difficulty(request.user)
    form = forms.DifficultyForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if not can_file:
            raise PermissionDenied
        if form.is_valid():
            services.difficulty_create(user=request.user, service=form.cleaned_data["service"],
                              description=form.cleaned_data["description"], since=form.cleaned_data["since"])
            messages.success(request, _("Đã gửi vướng mắc lên cấp tỉnh."))
            return redirect("staff:difficulties")
        status = 400
    show = request.GET.get("show") or "open"
    qs = _visible_difficulties(request.user)
    if show == "open":
        qs = qs.filter(closed_at__isnull=True)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    service_labels, agency_labels = dict(Service.choices), dict(AgencyKind.choices)
    for report in page:
        report.service_label = service_labels.get(report.service, report.service)
        report.agency_label = agency_labels.get(report.agency, report.agency)
    return render(request, "staff/difficulties.html", {
        "form": form, "page": page, "show": show, "can_file": can_file, "query": pager_query(request),
        "can_close": access.can_close_difficulties(request.user)}, status=status)


@access.staff_required
@require_POST
def difficulty_close(request: access.SignedInRequest, pk: int) -> HttpResponse:
    if not access.can_close_difficulties(request.user):
        raise PermissionDenied
    report = _visible_difficulties(request.user).filter(pk=pk).first()
    if report is None:
        raise Http404
    form = forms.DifficultyCloseForm(request.POST)
    if not form.is_valid():
        for msgs in form.errors.values():
            for m in msgs:
                messages.error(request, str(m))
        return redirect("staff:difficulties")
    if services.difficulty_close(report_id=report.pk, user=request.user, resolution=form.cleaned_data["resolution"]):
        messages.success(request, _("Đã đóng vướng mắc."))
    else:
        messages.warning(request, _("Vướng mắc này đã được người khác đóng trước."))
    return redirect("staff:difficulties")


# --- unusual access to personal data (docs/domain.md §2) ---------------------------------
@access.staff_required
@require_GET
def unusual_access(request: access.SignedInRequest) -> HttpResponse:
    """Officers who opened more than settings.UNUSUAL_ACCESS_PER_DAY dossiers
    outside their queue in one day: for administrators and the provincial
    office (their province's dossiers only). Names are shown here: reviewing
    a named officer's access is the point of the page."""
    if not access.can_review_access(request.user):
        raise Http404
    today = timezone.localdate()
    first, last = today - timedelta(days=6), today
    form = forms.AccessReviewForm(request.GET or None, initial={"date_from": first, "date_to": last})
    rows: list[dict[str, Any]] = []
    if request.GET and form.is_valid():
        first, last = form.cleaned_data["date_from"], form.cleaned_data["date_to"]
    if not form.errors:
        rows = dossier_selectors.unusual_access(user=request.user, first=first, last=last,
                                                threshold=settings.UNUSUAL_ACCESS_PER_DAY)
    return render(request, "reports/unusual_access.html", {
        "form": form, "rows": rows, "threshold": settings.UNUSUAL_ACCESS_PER_DAY, "first": first, "last": last},
        status=400 if form.errors else 200)
