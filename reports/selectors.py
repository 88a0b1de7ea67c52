"""Reads for the reports: adoption rates, the daily report's figures and the
dashboard. Everything is aggregated in PostgreSQL (GROUP BY with conditional
counts); Python only shapes the few aggregated rows into the contract.

Periods are calendar days in Asia/Ho_Chi_Minh: a day D covers
[D 00:00, D+1 00:00) local time.

Database: the figures are read from `reports.db.report_db()` (the read
replica when REPLICA_DATABASE_URL is set): every query below that computes a
figure names it with `.using(db)` or `connections[db]`. The province a
report is about is resolved, and its access decided, on `default`
(province_resolve, user_province), like every access decision; the outside
counts list and the stored snapshots are read on `default` too, because they
are shown straight after they are written.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import Count, F, FloatField, Func, Q, QuerySet, Value
from django.db.models.functions import Extract, TruncDate
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies import access
from agencies.models import AdminUnit, AgencyKind, User
from agencies.selectors import CURRENT_MAP_FROM, by_name, unit_sort_key
from dossiers.models import Dossier, Leg, LegStatus, Rating, Satisfaction, Service
from dossiers.vocabulary import DONE_DOSSIER_STATES, Channel, DossierStatus
from reports import sql
from reports.db import report_db
from reports.models import DailyReport, DifficultyReport, OutsideCount, ReportSettings, UnitMap

GROUP_DISTRICT, GROUP_COMMUNE = "district", "commune"
OPEN_LEG = (LegStatus.PENDING, LegStatus.IN_PROGRESS, LegStatus.AWAITING_SUPPLEMENT)
# Service order of the daily report: the two bundles, legs in their order.
SERVICE_ORDER = [s.value for s in Service]


@contextmanager
def report_query(using: str | None = None) -> Iterator[str]:
    """A transaction on the reports' database (report_db(), or `using`) for
    the big aggregate queries with PostgreSQL's JIT off: compiling the
    expressions cost ~0.8 s per query on 1,000,000 dossiers, more than the
    query itself (docs/benchmarks.md). Yields the alias. Read-only, so it
    runs on a hot-standby replica as well."""
    db = using or report_db()
    with transaction.atomic(using=db):
        conn = connections[db]
        if conn.vendor == "postgresql":
            with conn.cursor() as cursor:
                cursor.execute("SET LOCAL jit = off")
        yield db


def day_bounds(first: date, last: date | None = None) -> tuple[datetime, datetime]:
    """[first 00:00, last+1 00:00) in the portal's time zone, as aware datetimes."""
    tz = timezone.get_default_timezone()
    last = last or first
    return (timezone.make_aware(datetime.combine(first, time.min), tz),
            timezone.make_aware(datetime.combine(last + timedelta(days=1), time.min), tz))


def rate(part: int, whole: int) -> float | None:
    """Percent with one decimal, half up (26.35 → 26.4); None without a whole."""
    if not whole:
        return None
    value = (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return float(value)


# --- scope ------------------------------------------------------------------
def province_resolve(code: str | None, *, user: User, at: date | None = None, map_: str | None = None) -> AdminUnit:
    """The province a report asks for, on the map in force at `at` (legacy
    before 1/7/2025; codes repeat across the maps: "44" is Quảng Bình on the
    legacy map, Quảng Trị on the current one) unless `map_` names the map, or
    the caller's own; 404 when the caller may not see it. An access decision:
    read on `default`, never on the replica."""
    if not code:
        unit = user.unit
        if unit is not None and unit.level != AdminUnit.Level.PROVINCE:
            unit = unit.province
        if unit is None:
            raise Http404
        code, at = unit.code, None if unit.is_current else at
    preferred: str = AdminUnit.Map.LEGACY if at is not None and at < CURRENT_MAP_FROM else AdminUnit.Map.CURRENT
    if map_ in AdminUnit.Map.values:
        preferred = map_
    units = {u.map: u for u in AdminUnit.objects.using(DEFAULT_DB_ALIAS).filter(
        level=AdminUnit.Level.PROVINCE, code=str(code).strip())}
    province = units.get(preferred) or units.get(AdminUnit.Map.CURRENT) or units.get(AdminUnit.Map.LEGACY)
    if province is None or not access.can_view_province(user, province):
        raise Http404
    return province


def current_province(province: AdminUnit, *, using: str = DEFAULT_DB_ALIAS) -> AdminUnit:
    if province.is_current:
        return province
    assert province.successor_id is not None  # a legacy province has its successor
    return AdminUnit.objects.using(using).get(pk=province.successor_id)


def user_province(user: User) -> AdminUnit | None:
    unit = user.unit
    if unit is None:
        return None
    return unit if unit.level == AdminUnit.Level.PROVINCE else unit.province


# --- adoption rate (Công văn 5630/UBND-NC, phụ lục) -------------------------
# Written for PostgreSQL; the `{...}` fields are the few vendor-specific
# spellings (reports/sql.py), filled in by adoption_sql(). On PostgreSQL they
# give back the original text (same plans, docs/benchmarks.md).
ADOPTION_SQL = """
WITH per_unit AS (
    SELECT d.unit_id,
           COUNT(*) FILTER (WHERE {birth_linked}) AS birth_linked,
           COUNT(*) FILTER (WHERE {death_linked}) AS death_linked,
           {zero} AS birth_outside, {zero} AS death_outside
    FROM dossiers_dossier d
    WHERE d.scope_province_id = %(current_province)s
      AND d.submitted_at >= %(start)s AND d.submitted_at < %(end)s
      AND ({birth_linked} OR {death_linked})
    GROUP BY d.unit_id
    UNION ALL
    SELECT o.unit_id, 0, 0,
           COALESCE(SUM(o.count) FILTER (WHERE o.procedure = 'residence_registration'), 0),
           COALESCE(SUM(o.count) FILTER (WHERE o.procedure = 'residence_removal'), 0)
    FROM reports_outsidecount o
    WHERE o.unit_id IN (SELECT a.id FROM agencies_adminunit a WHERE {in_provinces})
      AND o.date BETWEEN %(first)s AND %(last)s
    GROUP BY o.unit_id
), grouped AS (
    -- a unit reported above the grouping level (a legacy district's own
    -- outside count in a commune table) keeps a row of its own
    SELECT COALESCE(m.{group_col}, p.unit_id) AS group_id,
           SUM(p.birth_linked) AS birth_linked, SUM(p.death_linked) AS death_linked,
           SUM(p.birth_linked + p.birth_outside) AS birth_total,
           SUM(p.death_linked + p.death_outside) AS death_total
    FROM per_unit p JOIN reports_unitmap m ON m.unit_id = p.unit_id
    WHERE {legacy_province} IS NULL OR m.legacy_province_id = %(legacy_province)s
    GROUP BY 1
)
SELECT u.code, u.name,
       {birth_total}, {birth_linked_total},
       {birth_rate} AS birth_rate,
       {death_total}, {death_linked_total},
       {death_rate} AS death_rate,
       u.id
FROM agencies_adminunit u
LEFT JOIN grouped g ON g.group_id = u.id
WHERE {in_rows} OR g.group_id IS NOT NULL
ORDER BY birth_rate DESC NULLS LAST, death_rate DESC NULLS LAST, u.code
"""


def adoption_sql(group_col: str, params: dict[str, Any], *, provinces: list[int], rows: list[int]) -> str:
    """ADOPTION_SQL for the connection's database; binds `provinces` and
    `rows` into `params`."""
    def rate_sql(part: str) -> str:
        return sql.cast(f"ROUND(100.0 * g.{part}_linked / NULLIF(g.{part}_total, 0), 1)", "float")

    return ADOPTION_SQL.format(
        group_col=group_col,
        birth_linked=sql.json_array_has("d.services", Service.RESIDENCE_REGISTRATION.value),
        death_linked=sql.json_array_has("d.services", Service.RESIDENCE_REMOVAL.value),
        zero=sql.cast("0", "bigint"),
        in_provinces=sql.in_list("a.province_id", "provinces", provinces, params),
        legacy_province=sql.nullable_param("legacy_province", "bigint"),
        birth_total=sql.cast("COALESCE(g.birth_total, 0)", "int"),
        birth_linked_total=sql.cast("COALESCE(g.birth_linked, 0)", "int"),
        birth_rate=rate_sql("birth"),
        death_total=sql.cast("COALESCE(g.death_total, 0)", "int"),
        death_linked_total=sql.cast("COALESCE(g.death_linked, 0)", "int"),
        death_rate=rate_sql("death"),
        in_rows=sql.in_list("u.id", "rows", rows, params),
    )
ADOPTION_KEYS = ("unit", "name", "birth_total", "birth_linked", "birth_rate",
                 "death_total", "death_linked", "death_rate")


@dataclass
class AdoptionQuery:
    province: AdminUnit  # as asked: legacy or current
    first: date
    last: date
    group_by: str = GROUP_DISTRICT


def adoption_row_units(q: AdoptionQuery, *, using: str) -> QuerySet[AdminUnit]:
    """The units that always get a row (even with nothing to count)."""
    legacy = AdminUnit.Map.LEGACY
    units = AdminUnit.objects.using(using)
    if q.group_by == GROUP_DISTRICT:
        provinces = ([q.province.pk] if not q.province.is_current
                     else units.filter(map=legacy, level=AdminUnit.Level.PROVINCE,
                                       successor=q.province).values("pk"))
        return units.filter(map=legacy, level=AdminUnit.Level.DISTRICT, province__in=provinces)
    return units.filter(map=q.province.map, level=AdminUnit.Level.COMMUNE, province=q.province)


def adoption_report(q: AdoptionQuery) -> dict[str, Any]:
    """docs/api.md `/api/v1/reports/adoption/`: rows sorted by birth rate (nulls
    last) and a total row.

    Grouping: `district` = the legacy district of the unit the dossier was
    filed at (legacy communes: their parent; current communes: the district
    of their representative predecessor, see UnitMap). `commune` = the
    commune on the map of the requested province (a legacy province code
    groups by legacy commune, a current one by current commune)."""
    db = report_db()
    cur = current_province(q.province, using=db)
    if q.group_by == GROUP_DISTRICT:
        group_col = "legacy_district_id"
    else:
        group_col = "current_commune_id" if q.province.is_current else "legacy_commune_id"
    start, end = day_bounds(q.first, q.last)
    # the current province and its legacy predecessors: outside counts are
    # filed against units of either map
    provinces = [cur.pk, *AdminUnit.objects.using(db).filter(
        map=AdminUnit.Map.LEGACY, level=AdminUnit.Level.PROVINCE, successor=cur).values_list("pk", flat=True)]
    params: dict[str, Any] = {
        "current_province": cur.pk, "start": start, "end": end, "first": q.first, "last": q.last,
        "legacy_province": None if q.province.is_current else q.province.pk,
    }
    query = adoption_sql(group_col, params, provinces=provinces,
                         rows=list(adoption_row_units(q, using=db).values_list("pk", flat=True)))
    with report_query(db), connections[db].cursor() as cursor:
        cursor.execute(query, params)
        raw = cursor.fetchall()
    rows = [dict(zip(ADOPTION_KEYS, r[:8], strict=True)) for r in raw]
    if not sql.is_postgresql():
        # SQLite rounds the float quotient, not an exact numeric: take the
        # rates from rate() (= PostgreSQL's numeric ROUND, half away from
        # zero) and sort again by them, as the ORDER BY above does
        for r in rows:
            r["birth_rate"] = rate(r["birth_linked"], r["birth_total"])
            r["death_rate"] = rate(r["death_linked"], r["death_total"])
    # ties in Vietnamese alphabetical order, not by code
    names = unit_labels([r[8] for r in raw], using=db)
    for r, row in zip(rows, raw, strict=True):
        r["_key"] = names[row[8]][1]
    rows.sort(key=lambda r: (r["birth_rate"] is None, -(r["birth_rate"] or 0),
                             r["death_rate"] is None, -(r["death_rate"] or 0), r.pop("_key")))
    total: dict[str, Any] = {k: sum(r[k] for r in rows) for k in
                             ("birth_total", "birth_linked", "death_total", "death_linked")}
    total["birth_rate"] = rate(total["birth_linked"], total["birth_total"])
    total["death_rate"] = rate(total["death_linked"], total["death_total"])
    ordered_total = {k: total[k] for k in ADOPTION_KEYS[2:]}
    return {"rows": rows, "total": ordered_total}


def unit_label(unit: AdminUnit) -> str:
    """A unit's name as listed: a commune with what tells it apart from its
    namesakes, its legacy district (legacy map) or its province (current
    map): "Xã Tân Hồng, Tỉnh Đồng Tháp". The caller select_related("parent")."""
    if unit.level == AdminUnit.Level.COMMUNE and unit.parent is not None:
        return f"{unit.name}, {unit.parent.name}"
    return unit.name


def unit_labels(ids: list[int], *, using: str) -> dict[int, tuple[str, tuple]]:
    """{id: (unit_label, unit_sort_key)} of the units listed on a page."""
    units = AdminUnit.objects.using(using).filter(pk__in=set(ids)).select_related("parent")
    return {u.pk: (unit_label(u), unit_sort_key(u)) for u in units}


# --- daily report (docs/domain.md §8) ---------------------------------------------
COUNT_KEYS = ("received_online", "received_one_stop", "received", "completed", "on_time",
              "overdue", "rejected", "awaiting_supplement")
CUMULATIVE_KEYS = ("received", "completed", "on_time", "rejected")


def cumulative_from(province: AdminUnit, day: date, *, using: str = DEFAULT_DB_ALIAS) -> date:
    """From the province's settings; by default the first day of the year."""
    row = ReportSettings.objects.using(using).filter(province=province).values_list("cumulative_from", flat=True).first()
    if row is not None and row <= day:
        return row
    return date(day.year, 1, 1)


def leg_counts_qs(*, day: date, since: date, provinces: list[int] | None, using: str) -> QuerySet:
    """Legs grouped by (province, current commune, service, agency) with the
    day's and the cumulative figures, one pass over the legs concerned.

    - received: legs of dossiers submitted on the day, by the dossier's channel;
    - completed / rejected: legs finished on the day in that state;
    - on_time: completed on the day no later than their due time;
    - overdue: overdue_q at the end of the day;
    - awaiting_supplement: legs waiting for a supplement requested before the
      end of the day.
    All from timestamps, so rebuilding a past day gives the snapshot's
    figures as long as nothing about those legs changed since."""
    start, end = day_bounds(day)
    cstart, _cend = day_bounds(since)
    on_day = Q(finished_at__gte=start, finished_at__lt=end)
    in_cum = Q(finished_at__gte=cstart, finished_at__lt=end)
    received_day = Q(dossier__submitted_at__gte=start, dossier__submitted_at__lt=end)
    received_cum = Q(dossier__submitted_at__gte=cstart, dossier__submitted_at__lt=end)
    on_time = Q(status=LegStatus.COMPLETED) & (Q(due_at__isnull=True) | Q(finished_at__lte=F("due_at")))
    qs = Leg.objects.using(using).all()
    if provinces is not None:
        qs = qs.filter(dossier__scope_province_id__in=provinces)
    # Only legs that can count anywhere: filed before the end of the day and
    # either filed in the cumulative window, still open, or finished in it.
    # The same on the dossier (a leg finished in the window belongs to a
    # dossier still open or closed in the window) lets PostgreSQL drop old
    # closed dossiers before it joins their legs.
    qs = qs.filter(dossier__submitted_at__lt=end).filter(
        received_cum | Q(finished_at__isnull=True) | Q(finished_at__gte=cstart)).filter(
        Q(dossier__submitted_at__gte=cstart) | Q(dossier__closed_at__isnull=True)
        | Q(dossier__closed_at__gte=cstart))
    return (qs.values(province_id=F("dossier__scope_province_id"), unit_id=F("dossier__scope_unit_id"),
                      svc=F("service"), ag=F("agency"))
            .annotate(
                received_online=Count("pk", filter=received_day & Q(dossier__channel=Channel.ONLINE)),
                received_one_stop=Count("pk", filter=received_day & Q(dossier__channel=Channel.ONE_STOP)),
                received=Count("pk", filter=received_day),
                completed=Count("pk", filter=on_day & Q(status=LegStatus.COMPLETED)),
                on_time=Count("pk", filter=on_day & on_time),
                overdue=Count("pk", filter=overdue_q(end)),
                rejected=Count("pk", filter=on_day & Q(status=LegStatus.REJECTED)),
                awaiting_supplement=Count("pk", filter=Q(status=LegStatus.AWAITING_SUPPLEMENT, paused_at__lt=end)),
                cum_received=Count("pk", filter=received_cum),
                cum_completed=Count("pk", filter=in_cum & Q(status=LegStatus.COMPLETED)),
                cum_on_time=Count("pk", filter=in_cum & on_time),
                cum_rejected=Count("pk", filter=in_cum & Q(status=LegStatus.REJECTED)),
            )
            .order_by())


def _zero(keys=COUNT_KEYS) -> dict[str, int]:
    return dict.fromkeys(keys, 0)


def _add(into: dict[str, int], row: dict[str, Any], keys=COUNT_KEYS, prefix: str = "") -> None:
    for k in keys:
        into[k] += row[prefix + k]


def service_label(service: str) -> str:
    return str(Service(service).label) if service in Service.values else service


def agency_label(agency: str) -> str:
    return str(AgencyKind(agency).label) if agency in AgencyKind.values else agency


def daily_report_data(province: AdminUnit, day: date, *, rows: list[dict] | None = None) -> dict[str, Any]:
    """The figures of one province's daily report for `day`, as stored in
    DailyReport.data (JSON). `rows` lets the beat task pass rows it already
    aggregated for every province in one query. Read on report_db(); the
    caller writes the snapshot on `default`."""
    db = report_db()
    since = cumulative_from(province, day, using=db)
    if rows is None:
        with report_query(db):
            rows = list(leg_counts_qs(day=day, since=since, provinces=[province.pk], using=db))
    units = {u.pk: u for u in AdminUnit.objects.using(db).filter(pk__in={r["unit_id"] for r in rows})}
    per_unit: dict[int, dict[str, Any]] = {}
    per_service: dict[tuple[str, str], dict[str, int]] = {}
    cum_service: dict[tuple[str, str], dict[str, int]] = {}
    total, cum_total = _zero(), _zero(CUMULATIVE_KEYS)
    for r in sorted(rows, key=lambda r: (unit_sort_key(units[r["unit_id"]]), SERVICE_ORDER.index(r["svc"])
                                         if r["svc"] in SERVICE_ORDER else 99)):
        key = (r["svc"], r["ag"])
        if any(r[k] for k in COUNT_KEYS):
            unit = per_unit.setdefault(r["unit_id"], {
                "unit": units[r["unit_id"]].code, "name": units[r["unit_id"]].name,
                "services": [], "total": _zero()})
            unit["services"].append({"service": r["svc"], "agency": r["ag"], **{k: r[k] for k in COUNT_KEYS}})
            _add(unit["total"], r)
        _add(per_service.setdefault(key, _zero()), r)
        _add(cum_service.setdefault(key, _zero(CUMULATIVE_KEYS)), r, CUMULATIVE_KEYS, "cum_")
        _add(total, r)
        _add(cum_total, r, CUMULATIVE_KEYS, "cum_")
    order = sorted(per_service, key=lambda k: (SERVICE_ORDER.index(k[0]) if k[0] in SERVICE_ORDER else 99, k[1]))
    difficulties = (DifficultyReport.objects.using(db)
                    .filter(unit__in=AdminUnit.objects.using(db).filter(Q(province=province) | Q(pk=province.pk)),
                            closed_at__isnull=True, since__lte=day)
                    .select_related("unit").order_by("since", "pk"))
    return {
        "province": province.code, "province_name": province.name, "date": day.isoformat(),
        "cumulative_from": since.isoformat(),
        "services": [{"service": s, "agency": a, **per_service[(s, a)]} for s, a in order],
        "units": list(per_unit.values()),
        "total": total,
        "cumulative": {
            "services": [{"service": s, "agency": a, **cum_service[(s, a)]} for s, a in order],
            "total": cum_total,
        },
        "difficulties": [{"unit": d.unit.code, "name": d.unit.name, "service": d.service, "agency": d.agency,
                          "description": d.description, "since": d.since.isoformat()} for d in difficulties],
    }


def provinces_for_daily_report(day: date) -> list[int]:
    """Current provinces with activity on `day` (a dossier filed or a leg
    finished) or with configured recipients."""

    db = report_db()
    start, end = day_bounds(day)
    filed = Dossier.objects.using(db).filter(submitted_at__gte=start, submitted_at__lt=end).values(
        "scope_province_id")
    finished = Leg.objects.using(db).filter(finished_at__gte=start, finished_at__lt=end).values(
        "dossier__scope_province_id")
    ids = set(AdminUnit.objects.using(db).filter(map=AdminUnit.Map.CURRENT, level=AdminUnit.Level.PROVINCE).filter(
        Q(pk__in=filed) | Q(pk__in=finished) | Q(report_recipients__isnull=False)).values_list("pk", flat=True))
    return sorted(ids)


def daily_snapshot(province: AdminUnit, day: date) -> dict[str, Any] | None:
    """The stored snapshot, on `default`: it may have been written a moment
    ago and not have reached the replica yet."""
    return DailyReport.objects.using(DEFAULT_DB_ALIAS).filter(province=province, date=day).values_list("data", flat=True).first()


# --- dashboard ----------------------------------------------------------------
class Percentile(Func):
    """percentile_cont(fraction) WITHIN GROUP (ORDER BY expression)."""

    function = "percentile_cont"
    contains_aggregate = True  # so Django groups by the other columns only

    def get_group_by_cols(self):
        return []
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression, fraction: float, **extra):
        super().__init__(expression, fraction=float(fraction), **extra)


def finished_between_q(start: datetime, end: datetime) -> Q:
    """Legs finished in [start, end), with the same bound on their dossier (a
    dossier closes only after its last leg) so PostgreSQL can start from the
    dossiers index instead of scanning every leg."""
    return (Q(finished_at__gte=start, finished_at__lt=end, dossier__submitted_at__lt=end)
            & (Q(dossier__closed_at__isnull=True) | Q(dossier__closed_at__gte=start)))


def overdue_q(at: datetime) -> Q:
    """THE definition of an overdue leg, for every report (dashboard card and
    list, commune ranking, daily report): at the moment `at`, a leg started
    and not yet finished whose due time had passed, unless it was waiting for
    the citizen (a supplement requested before `at` and still awaited: the
    deadline is paused, and extended when the citizen answers). The bound on
    the dossier (open at `at`) lets PostgreSQL start from the dossiers."""
    waiting_for_citizen = Q(status=LegStatus.AWAITING_SUPPLEMENT, paused_at__lt=at)
    return (Q(started_at__lt=at, due_at__lt=at) & (Q(finished_at__isnull=True) | Q(finished_at__gte=at))
            & ~Q(status__in=[LegStatus.WAITING, LegStatus.CANCELLED]) & ~waiting_for_citizen
            & Q(dossier__submitted_at__lt=at) & (Q(dossier__closed_at__isnull=True) | Q(dossier__closed_at__gte=at)))


def as_of(last: date) -> datetime:
    """The moment a period's standing figures (in progress, overdue) are
    taken: the end of its last day, or now while that day is not over."""
    return min(day_bounds(last)[1], timezone.now())


def province_dossiers(province: AdminUnit, *, using: str) -> QuerySet[Dossier]:
    return Dossier.objects.using(using).filter(scope_province=current_province(province, using=using))


def dashboard_kpis(province: AdminUnit, first: date, last: date, *, unit: AdminUnit | None = None) -> dict[str, Any]:
    db = report_db()
    start, end = day_bounds(first, last)
    dossiers = province_dossiers(province, using=db)
    legs = Leg.objects.using(db).filter(dossier__scope_province=current_province(province, using=db))
    if unit is not None:
        dossiers = dossiers.filter(unit_scope_q(unit, using=db))
        legs = legs.filter(unit_scope_q(unit, "dossier__", using=db))
    at = as_of(last)
    closed = Q(closed_at__lt=at)
    # dossiers received in the period, as they stood at its end
    d = dossiers.filter(submitted_at__gte=start, submitted_at__lt=end).aggregate(
        received=Count("pk"),
        online=Count("pk", filter=Q(channel=Channel.ONLINE)),
        in_progress=Count("pk", filter=~closed | Q(closed_at__isnull=True)),
        completed=Count("pk", filter=closed & Q(status__in=DONE_DOSSIER_STATES)),
        rejected=Count("pk", filter=closed & Q(status=DossierStatus.REJECTED)),
    )
    lg = legs.filter(finished_between_q(start, end), status=LegStatus.COMPLETED).aggregate(
        completed=Count("pk"),
        on_time=Count("pk", filter=Q(due_at__isnull=True) | Q(finished_at__lte=F("due_at"))),
    )
    overdue = legs.filter(overdue_q(at)).count()
    return {**d, "legs_completed": lg["completed"], "on_time": lg["on_time"],
            "on_time_rate": rate(lg["on_time"], lg["completed"]), "overdue": overdue}


def unit_scope_q(unit: AdminUnit, prefix: str = "", *, using: str) -> Q:
    """Dossiers inside a drill-down unit: a legacy district (filed at one of
    its communes or at a current commune it rolls up to) or a commune."""
    if unit.level == AdminUnit.Level.DISTRICT:
        # the ids once (a few dozen), not the roll-up view inside every query
        ids = list(UnitMap.objects.using(using).filter(legacy_district=unit).values_list("unit_id", flat=True))
        return Q(**{f"{prefix}unit_id__in": ids})
    if unit.is_current:
        return Q(**{f"{prefix}scope_unit": unit})
    return Q(**{f"{prefix}unit": unit})


def dashboard_trend(province: AdminUnit, first: date, last: date, *, unit: AdminUnit | None = None,
                    ) -> list[dict[str, Any]]:
    """Per day: dossiers received, and dossiers finished (completed or partly)."""
    db = report_db()
    start, end = day_bounds(first, last)
    tz = timezone.get_default_timezone()
    qs = province_dossiers(province, using=db)
    if unit is not None:
        qs = qs.filter(unit_scope_q(unit, using=db))
    received = dict(qs.filter(submitted_at__gte=start, submitted_at__lt=end)
                    .annotate(day=TruncDate("submitted_at", tzinfo=tz)).values("day")
                    .annotate(n=Count("pk")).values_list("day", "n"))
    closed = dict(qs.filter(closed_at__gte=start, closed_at__lt=end,
                            status__in=DONE_DOSSIER_STATES)
                  .annotate(day=TruncDate("closed_at", tzinfo=tz)).values("day")
                  .annotate(n=Count("pk")).values_list("day", "n"))
    out, d = [], first
    while d <= last:  # days of the range, not dossiers
        out.append({"date": d.isoformat(), "received": received.get(d, 0), "completed": closed.get(d, 0)})
        d += timedelta(days=1)
    return out


def processing_times(province: AdminUnit, first: date, last: date, *, unit: AdminUnit | None = None,
                     ) -> list[dict[str, Any]]:
    """Per agency and service: median and 90th percentile of the hours from
    a leg's start to its completion, for legs completed in the period."""
    db = report_db()
    start, end = day_bounds(first, last)
    qs = Leg.objects.using(db).filter(finished_between_q(start, end),
                                      dossier__scope_province=current_province(province, using=db),
                                      status=LegStatus.COMPLETED, started_at__isnull=False)
    if unit is not None:
        qs = qs.filter(unit_scope_q(unit, "dossier__", using=db))
    if sql.is_postgresql():
        hours = Extract(F("finished_at") - F("started_at"), "epoch") / Value(3600.0)
        rows: Any = (qs.values("agency", "service").annotate(
            n=Count("pk"), median=Percentile(hours, 0.5), p90=Percentile(hours, 0.9))
            .order_by("agency", "service"))
    else:
        rows = _processing_times_python(qs)
    return [{**r, "agency_label": agency_label(r["agency"]), "service_label": service_label(r["service"]),
             "median": round(r["median"], 1), "p90": round(r["p90"], 1)} for r in rows]


def _processing_times_python(qs: QuerySet[Leg]) -> list[dict[str, Any]]:
    """processing_times' aggregate for SQLite only (the zero-setup demo,
    a few dozen legs): SQLite has no percentile_cont, so the legs' durations
    are grouped and interpolated in Python exactly as percentile_cont does.
    Never used on PostgreSQL, where it would read every leg of the period."""
    groups: dict[tuple[str, str], list[float]] = {}
    for agency, service, started, finished in qs.values_list("agency", "service", "started_at", "finished_at"):
        assert started is not None and finished is not None  # the caller's legs are finished
        groups.setdefault((agency, service), []).append((finished - started).total_seconds() / 3600)
    return [{"agency": a, "service": s, "n": len(h),
             "median": sql.percentile_cont(h, 0.5), "p90": sql.percentile_cont(h, 0.9)}
            for (a, s), h in sorted(groups.items())]


def overdue_legs(province: AdminUnit, last: date, *, unit: AdminUnit | None = None, limit: int = 50,
                 ) -> QuerySet[Leg]:
    """The legs overdue at the end of the period (overdue_q)."""
    db = report_db()
    qs = Leg.objects.using(db).filter(overdue_q(as_of(last)),
                                      dossier__scope_province=current_province(province, using=db))
    if unit is not None:
        qs = qs.filter(unit_scope_q(unit, "dossier__", using=db))
    return qs.select_related("dossier", "dossier__scope_unit", "dossier__scope_unit__parent").order_by("due_at")[:limit]


def commune_summary(province: AdminUnit, first: date, last: date, *, district: AdminUnit | None = None,
                    ) -> list[dict[str, Any]]:
    """Per current commune for a period (a week, a month, any range): the
    ranking of communes for emulation (thi đua). Every column counts legs
    (thủ tục), never dossiers: received = legs of the dossiers received in
    the period; completed, on time, rejected = legs finished in it; overdue
    = overdue_q at its end. Ranked by the share of legs completed on time,
    then by the legs received; communes with nothing to rank come last, ties
    in Vietnamese alphabetical order."""
    db = report_db()
    start, end = day_bounds(first, last)
    cur = current_province(province, using=db)
    communes = AdminUnit.objects.using(db).filter(map=AdminUnit.Map.CURRENT, level=AdminUnit.Level.COMMUNE,
                                                  province=cur)
    if district is not None:
        communes = communes.filter(pk__in=list(UnitMap.objects.using(db).filter(legacy_district=district)
                                               .values_list("current_commune_id", flat=True)))
    received = dict(Leg.objects.using(db).filter(dossier__scope_province=cur, dossier__submitted_at__gte=start,
                                                 dossier__submitted_at__lt=end)
                    .values(unit_id=F("dossier__scope_unit_id")).annotate(n=Count("pk")).values_list("unit_id", "n"))
    legs = {r["unit_id"]: r for r in Leg.objects.using(db).filter(finished_between_q(start, end),
                                                                  dossier__scope_province=cur)
        .values(unit_id=F("dossier__scope_unit_id")).annotate(
            completed=Count("pk", filter=Q(status=LegStatus.COMPLETED)),
            on_time=Count("pk", filter=Q(status=LegStatus.COMPLETED)
                          & (Q(due_at__isnull=True) | Q(finished_at__lte=F("due_at")))),
            rejected=Count("pk", filter=Q(status=LegStatus.REJECTED))).order_by()}
    overdue = dict(Leg.objects.using(db).filter(overdue_q(as_of(last)), dossier__scope_province=cur)
                   .values(unit_id=F("dossier__scope_unit_id")).annotate(n=Count("pk"))
                   .values_list("unit_id", "n"))
    rows = []
    for c in communes.select_related("parent"):  # communes of the province, not dossiers
        lg = legs.get(c.pk, {"completed": 0, "on_time": 0, "rejected": 0})
        rows.append({"pk": c.pk, "unit": c.code, "name": unit_label(c), "key": unit_sort_key(c),
                     "received": received.get(c.pk, 0),
                     "completed": lg["completed"], "on_time": lg["on_time"], "rejected": lg["rejected"],
                     "overdue": overdue.get(c.pk, 0), "on_time_rate": rate(lg["on_time"], lg["completed"])})
    rows.sort(key=lambda r: (r["on_time_rate"] is None, -(r["on_time_rate"] or 0), -r["received"], r["key"]))
    rank = 0
    for r in rows:
        if r["on_time_rate"] is not None or r["received"]:
            rank += 1
            r["rank"] = rank
        else:
            r["rank"] = None
    return rows


def drill_units(province: AdminUnit, unit: AdminUnit | None) -> list[AdminUnit]:
    """Children for the drill-down: the legacy districts of the province's
    legacy predecessors, or the communes of a legacy district."""
    db = report_db()
    cur = current_province(province, using=db)
    if unit is None:
        return by_name(AdminUnit.objects.using(db).filter(map=AdminUnit.Map.LEGACY, level=AdminUnit.Level.DISTRICT,
                                                          province__successor=cur))
    return []


def week_bounds(day: date) -> tuple[date, date]:
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)


def month_bounds(day: date) -> tuple[date, date]:
    first = day.replace(day=1)
    nxt = (first + timedelta(days=32)).replace(day=1)
    return first, nxt - timedelta(days=1)


def outside_counts_for(province: AdminUnit) -> QuerySet[OutsideCount]:
    """The counts entered for the province, on `default`: the page lists
    them straight after an import (read-your-writes)."""
    cur = current_province(province)
    provinces = [cur.pk, *AdminUnit.objects.using(DEFAULT_DB_ALIAS).filter(
        map=AdminUnit.Map.LEGACY, level=AdminUnit.Level.PROVINCE, successor=cur).values_list("pk", flat=True)]
    return (OutsideCount.objects.using(DEFAULT_DB_ALIAS).filter(unit__province_id__in=provinces)
            .select_related("unit").order_by("-date", "unit__code", "procedure"))


def labels() -> dict[str, Any]:
    return {"services": {s.value: str(s.label) for s in Service},
            "agencies": {a.value: str(a.label) for a in AgencyKind}, "title": _("Báo cáo")}


def satisfaction(province: AdminUnit, first: date, last: date, *, unit: AdminUnit | None = None,
                 ) -> dict[str, Any]:
    """The citizens' ratings given in the period (by the day they rated):
    the total, per current commune (where the dossier was handled) and per
    agency (each agency that decided a leg of the rated dossier). Rates are
    the share of ratings at each level."""
    db = report_db()
    start, end = day_bounds(first, last)
    cur = current_province(province, using=db)
    ratings = Rating.objects.using(db).filter(dossier__scope_province=cur, at__gte=start, at__lt=end)
    if unit is not None:
        ratings = ratings.filter(unit_scope_q(unit, "dossier__", using=db))

    def counts(prefix: str = "", distinct: bool = False) -> dict[str, Any]:
        target = f"{prefix}pk" if not prefix else f"{prefix}id"
        out: dict[str, Any] = {level: Count(target, distinct=distinct, filter=Q(**{f"{prefix}level": level}))
                               for level in Satisfaction.values}
        out["total"] = Count(target, distinct=distinct)
        return out

    def shaped(row: dict[str, Any]) -> dict[str, Any]:
        for level in Satisfaction.values:
            row[f"{level}_rate"] = rate(row[level], row["total"])
        return row

    total = shaped(ratings.aggregate(**counts()))
    by_unit = [shaped(r) for r in ratings.values(unit_pk=F("dossier__scope_unit_id")).annotate(**counts()).order_by()]
    units = unit_labels([r["unit_pk"] for r in by_unit], using=db)
    for r in by_unit:
        r["name"] = units[r["unit_pk"]][0]
    by_unit.sort(key=lambda r: units[r["unit_pk"]][1])
    by_agency = [shaped({**r, "label": agency_label(r["agency"])}) for r in
                 Leg.objects.using(db).filter(dossier__rating__in=ratings,
                                              status__in=[LegStatus.COMPLETED, LegStatus.REJECTED])
                 .values("agency").annotate(**counts("dossier__rating__", distinct=True)).order_by("agency")]
    return {"total": total, "by_unit": by_unit, "by_agency": by_agency}
