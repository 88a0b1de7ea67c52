#!/usr/bin/env python
"""Benchmark of the reports (not a test): build N realistic dossiers in a
separate PostgreSQL database with COPY, then time the adoption report and the
daily report for one province and for the whole country next to a plain
COUNT(*) over the same rows, in the same run.

    .venv/bin/python bench/reports.py --dossiers 1000000          # build + time
    .venv/bin/python bench/reports.py --dossiers 1000000 --reuse  # time only

The database (default bench_lienthong) is created and migrated by the script
on the PostgreSQL of DATABASE_URL (or 127.0.0.1:5432); it never touches the
development or test databases. Figures go to stdout as a Markdown table.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
from common import create_database, database_url  # noqa: E402

COVER_INDEX = "bench_dossier_report_cover"


def setup_django(name: str) -> None:
    os.environ["DATABASE_URL"] = database_url(name)
    os.environ.pop("TEST_DATABASE_NAME", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lienthong.settings")
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, check=True, env=os.environ)
    import django

    django.setup()


# --- data generation ---------------------------------------------------------
BIRTH_SERVICES = [
    (["birth_registration", "residence_registration", "health_insurance_card"], 0.5),
    (["birth_registration", "health_insurance_card"], 0.3),
    (["birth_registration", "residence_registration"], 0.2),
]
DEATH_SERVICES = [
    (["death_registration", "residence_removal", "funeral_allowance"], 0.35),
    (["death_registration", "residence_removal", "funeral_support"], 0.15),
    (["death_registration", "residence_removal"], 0.4),
    (["death_registration", "funeral_allowance"], 0.1),
]
AGENCY = {"birth_registration": "justice", "residence_registration": "police",
          "health_insurance_card": "social_insurance", "death_registration": "justice",
          "residence_removal": "police", "funeral_allowance": "social_insurance", "funeral_support": "labour"}
DEADLINE_DAYS = {"birth_registration": 1, "residence_registration": 2, "health_insurance_card": 2,
                 "death_registration": 1, "residence_removal": 5, "funeral_allowance": 10, "funeral_support": 5}
SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ"]
GIVEN = ["Minh Khang", "Thị Hoa", "Văn Bình", "Gia Hân", "Bảo Ngọc", "Quốc Huy", "Thanh Tâm", "Anh Thư"]


def pick(options, rnd: random.Random):
    x, acc = rnd.random(), 0.0
    for value, weight in options:
        acc += weight
        if x < acc:
            return value
    return options[-1][0]


def leg_plan(status: str, services: list[str], rnd: random.Random) -> list[str]:
    """A consistent status per leg for a dossier status (docs/domain.md §5)."""
    rest = services[1:]
    if status == "completed":
        return ["completed"] * len(services)
    if status == "rejected":
        return ["rejected"] + ["cancelled"] * len(rest)
    if status == "partially_completed":
        return ["completed"] + ["rejected"] + ["completed"] * (len(rest) - 1)
    if status == "withdrawn":
        return ["cancelled"] + ["cancelled"] * len(rest)
    if status == "submitted":
        return ["pending"] + ["waiting"] * len(rest)
    # in progress: the registration is done, the others are moving
    return ["completed"] + [rnd.choice(["pending", "in_progress", "awaiting_supplement", "completed"])
                            for _ in rest]


def generate(n: int, seed: int = 2026) -> dict:
    import psycopg
    from django.db import connection

    from agencies.models import AdminUnit
    from dossiers.models import Dossier, Leg
    from reports.models import OutsideCount

    rnd = random.Random(seed)
    now = datetime.now().astimezone()
    today = now.date()
    start = today - timedelta(days=5 * 365)
    switch = date(2025, 7, 1)
    current = list(AdminUnit.objects.filter(map="current", level="commune").values_list("pk", "province_id"))
    legacy = list(AdminUnit.objects.filter(map="legacy", level="commune", successor__isnull=False)
                  .values_list("pk", "successor_id", "successor__province_id"))
    districts = list(AdminUnit.objects.filter(map="legacy", level="district").values_list("pk", flat=True))
    tz = now.tzinfo

    d_fields = [f for f in Dossier._meta.concrete_fields if f.name != "id"]
    l_fields = [f for f in Leg._meta.concrete_fields if f.name != "id"]
    d_cols = ["id"] + [f.column for f in d_fields]
    l_cols = [f.column for f in l_fields]

    def default(f):
        v = f.get_default()
        if isinstance(v, (dict, list)):
            return json.dumps(v)
        return v

    d_defaults = {f.column: default(f) for f in d_fields}
    l_defaults = {f.column: default(f) for f in l_fields}
    first_id = (Dossier.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    t0 = time.perf_counter()
    legs_written = 0
    raw = connection.connection if connection.connection else None
    if raw is None:
        connection.ensure_connection()
        raw = connection.connection
    assert isinstance(raw, psycopg.Connection)
    with raw.cursor() as cur:
        with cur.copy(f"COPY dossiers_dossier ({', '.join(d_cols)}) FROM STDIN") as dcopy:
            legs_buffer: list[tuple] = []
            for i in range(n):
                pk = first_id + i
                day = start + timedelta(days=int(rnd.random() ** 0.8 * (today - start).days))
                day = min(day, today)
                submitted = datetime(day.year, day.month, day.day, rnd.randint(7, 16), rnd.randint(0, 59),
                                     tzinfo=tz)
                if submitted > now:
                    submitted = now - timedelta(minutes=rnd.randint(1, 600))
                if day < switch:
                    unit, scope_unit, scope_province = rnd.choice(legacy)
                else:
                    unit, scope_province = rnd.choice(current)
                    scope_unit = unit
                bundle = "birth" if rnd.random() < 0.62 else "death"
                services = pick(BIRTH_SERVICES if bundle == "birth" else DEATH_SERVICES, rnd)
                age = (today - day).days
                if age > 30:
                    status = pick([("completed", 0.86), ("partially_completed", 0.05), ("rejected", 0.04),
                                   ("withdrawn", 0.02), ("in_progress", 0.03)], rnd)
                else:
                    status = pick([("submitted", 0.15), ("in_progress", 0.4), ("completed", 0.38),
                                   ("partially_completed", 0.02), ("rejected", 0.03), ("withdrawn", 0.02)], rnd)
                plan = leg_plan(status, services, rnd)
                due = submitted + timedelta(days=7 if bundle == "birth" else 14)
                finished_times = []
                name = f"{rnd.choice(SURNAMES)} {rnd.choice(GIVEN)}"
                reg_finished = submitted + timedelta(hours=rnd.uniform(0.5, 30))
                for k, (svc, leg_status) in enumerate(zip(services, plan, strict=True)):
                    started = submitted if k == 0 else (reg_finished if leg_status != "waiting" else None)
                    if leg_status == "cancelled":
                        started = None
                    leg_due = started + timedelta(days=DEADLINE_DAYS[svc] * 1.4) if started else None
                    finished = None
                    if leg_status in ("completed", "rejected"):
                        finished = (started or submitted) + timedelta(hours=rnd.lognormvariate(3.0, 1.0))
                        if finished > now:
                            finished = now - timedelta(minutes=rnd.randint(1, 60))
                        finished_times.append(finished)
                    elif leg_status == "cancelled":
                        finished = submitted + timedelta(hours=rnd.uniform(1, 48))
                    values = dict(l_defaults)
                    values.update({
                        "dossier_id": pk, "service": svc, "agency": AGENCY[svc], "status": leg_status,
                        # the dossier's scope, as Leg.save() copies it (officers' queues read it)
                        "scope_unit_id": scope_unit, "scope_province_id": scope_province,
                        "automatic": False, "deadline_days": DEADLINE_DAYS[svc], "started_at": started,
                        "due_at": leg_due, "finished_at": finished,
                        "paused_at": (started + timedelta(hours=5)) if leg_status == "awaiting_supplement" else None,
                        "overdue": bool(finished and leg_due and finished > leg_due),
                        "updated_at": finished or submitted, "depends_on_id": None,
                        "result": None, "reason": "", "assigned_to_id": None, "supplement_due_at": None,
                    })
                    legs_buffer.append(tuple(values.get(c) for c in l_cols))
                closed = max(finished_times) if status in ("completed", "partially_completed", "rejected") \
                    and finished_times else None
                values = dict(d_defaults)
                values.update({
                    "code": f"B{pk:09d}", "bundle": bundle, "services": json.dumps(services), "unit_id": unit,
                    "scope_unit_id": scope_unit, "scope_province_id": scope_province,
                    "channel": "online" if rnd.random() < 0.45 else "one_stop", "status": status,
                    "applicant": "{}", "subject": "{}", "applicant_name": name, "applicant_phone": "",
                    "applicant_email": "", "subject_name": name, "subject_personal_id": "",
                    "search_text": "", "submitted_by_id": None, "submitted_at": submitted, "due_at": due,
                    "closed_at": closed, "returned_at": None, "is_late_registration": False,
                    "needs_verification": False, "notices": "[]", "created_at": submitted,
                    "updated_at": closed or submitted,
                })
                dcopy.write_row((pk, *[values.get(c) for c in d_cols[1:]]))
            # legs after the dossiers (foreign keys are checked per row)
        with cur.copy(f"COPY dossiers_leg ({', '.join(l_cols)}) FROM STDIN") as lcopy:
            for row in legs_buffer:
                lcopy.write_row(row)
            legs_written = len(legs_buffer)
        cur.execute("SELECT setval(pg_get_serial_sequence('dossiers_dossier', 'id'), "
                    "(SELECT MAX(id) FROM dossiers_dossier))")
        # Outside counts: the police's own figures, per unit and day, both maps.
        oc_cols = ["unit_id", "date", "procedure", "count", "updated_at"]
        seen = set(OutsideCount.objects.values_list("unit_id", "date", "procedure"))
        target = max(1000, n // 4)
        with cur.copy(f"COPY reports_outsidecount ({', '.join(oc_cols)}) FROM STDIN") as ocopy:
            written = 0
            while written < target:
                day = start + timedelta(days=rnd.randrange((today - start).days))
                if day < switch:
                    unit = rnd.choice(districts) if rnd.random() < 0.2 else rnd.choice(legacy)[0]
                else:
                    unit = rnd.choice(current)[0]
                proc = rnd.choice(["residence_registration", "residence_removal"])
                if (unit, day, proc) in seen:
                    continue
                seen.add((unit, day, proc))
                ocopy.write_row((unit, day, proc, rnd.randint(0, 6), now))
                written += 1
    raw.commit()
    elapsed = time.perf_counter() - t0
    with connection.cursor() as c:
        c.execute("VACUUM ANALYZE dossiers_dossier")
        c.execute("VACUUM ANALYZE dossiers_leg")
        c.execute("VACUUM ANALYZE reports_outsidecount")
    return {"dossiers": n, "legs": legs_written, "outside_counts": target, "seconds": round(elapsed, 1)}


# --- timings -----------------------------------------------------------------
def timed(fn, repeat: int) -> float:
    """Median wall time in ms over `repeat` runs after one warm-up."""
    fn()
    runs = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        runs.append((time.perf_counter() - t) * 1000)
    return statistics.median(runs)


def run_timings(repeat: int, province_code: str) -> list[tuple[str, float, float]]:
    from django.db import connection
    from django.utils import timezone

    from agencies.models import AdminUnit
    from reports import selectors

    today = timezone.localdate()
    yesterday = today - timedelta(days=1)
    first, last = date(2023, 7, 10), yesterday
    start, end = selectors.day_bounds(first, last)
    province = AdminUnit.objects.get(map="current", level="province", code=province_code)
    provinces = list(AdminUnit.objects.filter(map="current", level="province").order_by("code"))

    def count(where: str, params: list) -> None:
        with connection.cursor() as c:
            c.execute(f"SELECT COUNT(*) FROM dossiers_dossier WHERE {where}", params)
            c.fetchone()

    def adoption(p) -> None:
        selectors.adoption_report(selectors.AdoptionQuery(province=p, first=first, last=last, group_by="district"))

    def adoption_commune(p) -> None:
        selectors.adoption_report(selectors.AdoptionQuery(province=p, first=first, last=last, group_by="commune"))

    def daily(p) -> None:
        selectors.daily_report_data(p, yesterday)

    results = []
    base_p = timed(lambda: count("scope_province_id = %s AND submitted_at >= %s AND submitted_at < %s",
                                 [province.pk, start, end]), repeat)
    base_c = timed(lambda: count("submitted_at >= %s AND submitted_at < %s", [start, end]), repeat)
    base_p_all = timed(lambda: count("scope_province_id = %s", [province.pk]), repeat)
    base_all = timed(lambda: count("TRUE", []), repeat)
    results.append((f"COUNT(*) dossiers, {province.name}, {first:%d/%m/%Y}–{last:%d/%m/%Y}", base_p, base_p))
    results.append((f"Adoption report by legacy district, {province.name}", timed(lambda: adoption(province), repeat),
                    base_p))
    results.append((f"Adoption report by commune, {province.name}",
                    timed(lambda: adoption_commune(province), repeat), base_p))
    results.append((f"COUNT(*) dossiers, whole country, {first:%d/%m/%Y}–{last:%d/%m/%Y}", base_c, base_c))
    results.append(("Adoption report by legacy district, all 34 provinces",
                    timed(lambda: [adoption(p) for p in provinces], max(1, repeat // 2)), base_c))
    results.append((f"COUNT(*) dossiers, {province.name}, all time", base_p_all, base_p_all))
    results.append((f"Daily report {yesterday:%d/%m/%Y}, {province.name}", timed(lambda: daily(province), repeat),
                    base_p_all))
    results.append(("COUNT(*) dossiers, whole country, all time", base_all, base_all))
    results.append((f"Daily report {yesterday:%d/%m/%Y}, all 34 provinces",
                    timed(lambda: [daily(p) for p in provinces], max(1, repeat // 2)), base_all))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dossiers", type=int, default=1_000_000)
    parser.add_argument("--database", default="bench_lienthong")
    parser.add_argument("--reuse", action="store_true", help="keep the existing data, only time")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--province", default="79", help="current province code (default 79, TP Hồ Chí Minh)")
    parser.add_argument("--cover-index", action="store_true",
                        help="time with the covering dossier index proposed for dossiers/models.py")
    args = parser.parse_args()

    create_database(args.database, fresh=not args.reuse)
    setup_django(args.database)
    from django.core.management import call_command

    from agencies.mapdata import admin_units_load
    from agencies.models import AdminUnit, Agency
    from agencies.services import agencies_ensure
    from dossiers.models import Dossier, Leg

    if AdminUnit.objects.count() < 14000:
        admin_units_load()
    if not Agency.objects.exists():
        agencies_ensure()
    call_command("load_rules", verbosity=0)
    if not args.reuse or not Dossier.objects.exists():
        built = generate(args.dossiers)
        print(f"Built {built['dossiers']:,} dossiers, {built['legs']:,} legs, {built['outside_counts']:,} "
              f"outside counts in {built['seconds']} s", file=sys.stderr)
    from django.db import connection

    with connection.cursor() as c:
        if args.cover_index:
            c.execute(f"CREATE INDEX IF NOT EXISTS {COVER_INDEX} ON dossiers_dossier (scope_province_id, submitted_at) "
                      "INCLUDE (unit_id, scope_unit_id, channel, status, closed_at, services)")
        else:
            c.execute(f"DROP INDEX IF EXISTS {COVER_INDEX}")
        c.execute("VACUUM ANALYZE dossiers_dossier")
        c.execute("ANALYZE agencies_adminunit")
    n, legs = Dossier.objects.count(), Leg.objects.count()
    results = run_timings(args.repeat, args.province)
    with open("/proc/cpuinfo") as fh:
        cpu = next((line.split(":", 1)[1].strip() for line in fh if line.startswith("model name")), "?")
    with connection.cursor() as c:
        c.execute("SHOW server_version")
        pg = c.fetchone()[0]
    print(f"\n{datetime.now(UTC):%Y-%m-%d %H:%M} UTC · {n:,} dossiers, {legs:,} legs · {platform.node()} · {cpu} · "
          f"{os.cpu_count()} CPUs · PostgreSQL {pg} · median of {args.repeat} warm runs"
          f"{' · with the covering dossier index' if args.cover_index else ''}\n")
    print("| query | time (ms) | × COUNT(*) of the same rows |")
    print("|---|---:|---:|")
    for label, ms, base in results:
        print(f"| {label} | {ms:,.1f} | {ms / base:,.1f} |")


if __name__ == "__main__":
    main()
