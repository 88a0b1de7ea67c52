#!/usr/bin/env python
"""API under load (not a test): gunicorn + a real Celery worker + PostgreSQL
(the 1M-dossier database of bench/reports.py) + Redis, driven by locust
(headless) at 10, 50 and 100 concurrent users; /healthz on the same stack in
the same run is the framework's ceiling. Also: query counts per request class
and EXPLAIN of the hot queries (the machine's PostgreSQL has no
pg_stat_statements loaded), table scan counters during the run, and the peak
resident memory of the web and worker processes.

    .venv/bin/python bench/api_load.py                       # 10, 50, 100 users × 60 s
    .venv/bin/python bench/api_load.py --users 10 --run-time 15   # a quick look

Needs the database bench_lienthong (`.venv/bin/python bench/reports.py
--dossiers 1000000` builds it, ~15 min). Writes var/bench/api_load.md.
Every process it starts is its own and stopped at the end; only 127.0.0.1.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import (  # noqa: E402
    PYTHON,
    REDIS_DB_LOAD,
    ROOT,
    VENV_BIN,
    WORK,
    RssSampler,
    database_url,
    local_only,
    machine_line,
    redis_url,
    stop,
    table,
    wait_for,
)

CLASSES = ["read queue", "read dossier API", "read dossier HTML", "write submit", "write accept",
           "write complete", "ceiling noop"]
GOAL = {"read": 150.0, "write": 300.0}
QUEUE = "bench_load"
PASSWORD = "bench-load-2026"  # a throwaway account on the benchmark database only


def database_exists(name: str) -> bool:
    import psycopg

    with psycopg.connect(database_url("postgres"), autocommit=True) as conn:
        return bool(conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone())


def django_setup(db: str) -> None:
    os.environ["DATABASE_URL"] = database_url(db)
    os.environ["REDIS_URL"] = redis_url(REDIS_DB_LOAD)
    os.environ["CELERY_QUEUE"] = QUEUE  # the in-process probes' tasks go to the benchmark's worker too
    os.environ.pop("TEST_DATABASE_NAME", None)
    os.environ.pop("CACHE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lienthong.settings")
    subprocess.run([PYTHON, "manage.py", "migrate", "-v0"], cwd=ROOT, check=True, env=os.environ)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def prepare(db: str) -> dict:
    """Users of the busiest commune (created with manage.py create_user), their
    tokens, a staff session, and dossier codes the clerk may open."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.db import connection
    from rest_framework.authtoken.models import Token

    from agencies.models import AdminUnit, User

    with connection.cursor() as c:
        c.execute("SELECT scope_unit_id, count(*) FROM dossiers_dossier GROUP BY 1 ORDER BY 2 DESC LIMIT 1")
        unit_id, n = c.fetchone()
    commune = AdminUnit.objects.select_related("province").get(pk=unit_id)
    province = commune.province
    accounts = {
        "clerk": ["--role", "one_stop_clerk", "--unit", commune.code],
        "justice": ["--role", "officer", "--agency", "justice", "--unit", commune.code],
        "police": ["--role", "officer", "--agency", "police", "--unit", commune.code],
        "viewer": ["--role", "provincial_viewer", "--unit", province.code],
    }
    tokens = {}
    for key, args in accounts.items():
        username = f"bench_{key}"
        subprocess.run([PYTHON, "manage.py", "create_user", "--username", username, "--password", PASSWORD, *args],
                       cwd=ROOT, check=True, env=os.environ, stdout=subprocess.DEVNULL)
        user = User.objects.get(username=username)
        tokens[key] = Token.objects.get_or_create(user=user)[0].key
    clerk = User.objects.get(username="bench_clerk")
    # A logged-in staff session without a password round (hashing is not what is measured).
    store = SessionStore()
    store[SESSION_KEY] = str(clerk.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = clerk.get_session_auth_hash()
    store.create()
    with connection.cursor() as c:
        c.execute("SELECT code FROM dossiers_dossier WHERE scope_unit_id = %s ORDER BY random() LIMIT 400", [unit_id])
        codes = [row[0] for row in c.fetchall()]
    return {"unit_code": commune.code, "unit_name": commune.name, "unit_dossiers": n, "province": province.code,
            "province_name": province.name, "tokens": tokens, "session_cookie": f"sessionid={store.session_key}",
            "codes": codes}


def query_profile(config: dict) -> tuple[list[tuple[str, int, float]], list[tuple[str, str, float, str]]]:
    """Queries per request class through the whole stack in-process (Django's
    test client, before the load), and EXPLAIN ANALYZE of every SELECT they
    ran: N+1 shows as counts, slow plans as milliseconds."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from agencies.models import User

    counts, queries = [], []
    api = {"HTTP_AUTHORIZATION": "Token " + config["tokens"]["justice"], "HTTP_ACCEPT": "application/json"}
    clerk_api = {"HTTP_AUTHORIZATION": "Token " + config["tokens"]["clerk"], "HTTP_ACCEPT": "application/json"}
    client = Client()
    client.force_login(User.objects.get(username="bench_clerk"))
    code = config["codes"][0]
    probes = [
        ("read queue (all, page of 50)", lambda: Client().get("/api/v1/legs/", **api)),
        ("read queue (pending, birth_registration)",
         lambda: Client().get("/api/v1/legs/?status=pending&service=birth_registration", **api)),
        ("read dossier API (clerk)", lambda: Client().get(f"/api/v1/dossiers/{code}/", **clerk_api)),
        ("read dossier HTML (clerk)", lambda: client.get(f"/can-bo/ho-so/{code}/")),
    ]
    # Writes, once each, on a dossier of their own: submit → accept → complete.
    from tests.dossiers.payloads import birth_payload

    serial = int(time.time()) % 900_000
    unit = config["unit_code"]
    payload = birth_payload(unit=unit, channel="one_stop", subject__residence__unit=unit,
                            subject__mother={"full_name": "Nguyễn Thị Lan", "personal_id": f"082190{serial:06d}"},
                            applicant__personal_id=f"082190{serial:06d}", applicant__full_name="Nguyễn Thị Lan")
    created: dict = {}

    def submit():
        resp = Client().post("/api/v1/dossiers/", data=payload, content_type="application/json", **clerk_api)
        created["legs"] = resp.json().get("legs", []) if resp.status_code == 201 else []
        return resp

    def leg_action(action: str):
        leg = next((leg for leg in created.get("legs", []) if leg["service"] == "birth_registration"), None)
        return Client().post(f"/api/v1/legs/{leg['id'] if leg else 0}/{action}/", data={},
                             content_type="application/json", **api)

    writes = [("write submit (birth, 3 services)", submit), ("write accept", lambda: leg_action("accept")),
              ("write complete", lambda: leg_action("complete"))]
    for label, call in [*probes, *writes]:
        if not label.startswith("write"):
            call()  # warm
        with CaptureQueriesContext(connection) as ctx:
            t0 = time.perf_counter()
            resp = call()
            ms = (time.perf_counter() - t0) * 1000
        counts.append((f"{label} → {resp.status_code}", len(ctx.captured_queries), ms))
        for q in ctx.captured_queries:
            sql = q["sql"]
            if label.startswith("write") or not sql.lstrip().upper().startswith("SELECT"):
                if not label.startswith("write") or float(q["time"]) * 1000 >= 2.0:  # writes: the costly ones
                    queries.append((label, sql[:160], float(q["time"]) * 1000, ""))
                continue
            with connection.cursor() as c:
                c.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
                plan = "\n".join(row[0] for row in c.fetchall())
            exec_ms = float(plan.rsplit("Execution Time:", 1)[1].split()[0]) if "Execution Time:" in plan else 0.0
            queries.append((label, sql[:160], exec_ms, plan))
    return counts, queries


def http_probe(base: str, path: str, n: int = 10) -> list[float]:
    """Sequential requests on the idle stack (before the load)."""
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        with urllib.request.urlopen(base + path, timeout=10) as resp:
            resp.read()
        times.append((time.perf_counter() - t0) * 1000)
    return times


def table_stats() -> dict[str, tuple[int, int, int]]:
    from django.db import connection

    with connection.cursor() as c:
        c.execute("SELECT relname, coalesce(seq_scan,0), coalesce(seq_tup_read,0), coalesce(idx_scan,0) "
                  "FROM pg_stat_user_tables WHERE relname LIKE 'dossiers_%%' OR relname LIKE 'agencies_%%' "
                  "OR relname LIKE 'authtoken_%%' OR relname LIKE 'django_%%' OR relname LIKE 'axes_%%'")
        return {r[0]: (r[1], r[2], r[3]) for r in c.fetchall()}


def start_stack(args, db: str) -> tuple[subprocess.Popen, list[subprocess.Popen], dict]:
    WORK.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    env.update({
        "DATABASE_URL": database_url(db), "REDIS_URL": redis_url(REDIS_DB_LOAD), "CELERY_QUEUE": QUEUE,
        "DEBUG": "0", "SECRET_KEY": "bench-only-not-secret-" + "x" * 40, "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "MEDIA_ROOT": str(WORK / "media"), "LOG_LEVEL": "WARNING", "CACHE_KEY_PREFIX": "bench",
        "SMS_BACKEND": "dossiers.notifications.LogSmsBackend",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    })
    env.pop("TEST_DATABASE_NAME", None)
    env.pop("CACHE_URL", None)
    web_log = open(WORK / "gunicorn.log", "w")  # noqa: SIM115 - closed with the process
    web = subprocess.Popen([str(VENV_BIN / "gunicorn"), "--pythonpath", str(ROOT / "bench"),
                            "common:wsgi_application()", "--workers", str(args.web_workers),
                            "--threads", str(args.threads), "--bind", f"127.0.0.1:{args.port}", "--timeout", "30",
                            "--log-level", "warning"], cwd=ROOT, env=env, stdout=web_log, stderr=web_log,
                           start_new_session=True)
    from lienthong.celery import queue_names

    dispatch, *others = queue_names(QUEUE)
    workers = []
    for name, queues, concurrency in (("dispatch", dispatch, args.worker_concurrency),
                                      ("documents", ",".join(others), args.documents_concurrency)):
        worker_log = open(WORK / f"worker_{name}.log", "w")  # noqa: SIM115
        # --documents-nice: the PDF pool at a lower CPU priority, standing in
        # for the separate documents node of docs/deploy.md on this one box.
        nice = ["nice", "-n", str(args.documents_nice)] if name == "documents" and args.documents_nice else []
        workers.append(subprocess.Popen(
            [*nice, str(VENV_BIN / "celery"), "-A", "lienthong", "worker", "-Q", queues, "--concurrency", str(concurrency),
             "-n", f"bench-load-{name}-{os.getpid()}@%h", "--loglevel", "WARNING", "--without-gossip",
             "--without-mingle"], cwd=ROOT, env=env, stdout=worker_log, stderr=worker_log, start_new_session=True))
    base = f"http://127.0.0.1:{args.port}"
    wait_for(lambda: urllib.request.urlopen(base + "/healthz", timeout=2).status == 200, timeout=60,
             what="gunicorn /healthz")
    return web, workers, env


def queue_length() -> int:
    import redis

    from lienthong.celery import queue_names

    r = redis.Redis.from_url(redis_url(REDIS_DB_LOAD))
    return sum(int(r.llen(name)) for name in queue_names(QUEUE))


def run_locust(args, users: int, config_path: Path, env: dict) -> tuple[dict, dict, float, str]:
    prefix = WORK / f"locust_{users}"
    conflicts = WORK / f"conflicts_{users}.json"
    cmd = [str(VENV_BIN / "locust"), "-f", str(ROOT / "bench" / "locustfile.py"), "--headless",
           "-u", str(users), "-r", str(max(1, users // 5)), "--run-time", f"{args.run_time}s",
           "--host", local_only(f"http://127.0.0.1:{args.port}"), "--csv", str(prefix), "--reset-stats",
           "--only-summary", "--stop-timeout", "10", "--loglevel", "WARNING"]
    lenv = dict(env, BENCH_CONFIG=str(config_path), BENCH_CONFLICTS=str(conflicts))
    t0 = time.monotonic()
    usage0 = os.times()
    with open(WORK / f"locust_{users}.log", "w") as log:
        subprocess.run(cmd, cwd=ROOT, env=lenv, stdout=log, stderr=log, timeout=args.run_time + 120, check=False)
    usage1 = os.times()
    locust_cpu = (usage1.children_user - usage0.children_user) + (usage1.children_system - usage0.children_system)
    stats = {}
    with open(f"{prefix}_stats.csv") as fh:
        for row in csv.DictReader(fh):
            stats[row["Name"]] = row
    conf = json.loads(conflicts.read_text()) if conflicts.exists() else {}
    return stats, conf, locust_cpu / (time.monotonic() - t0), shlex_join(cmd)


def shlex_join(cmd: list[str]) -> str:
    import shlex

    return shlex.join(str(c).replace(str(ROOT) + "/", "") for c in cmd)


def fnum(x: str | float, digits: int = 0) -> str:
    try:
        return f"{float(x):,.{digits}f}"
    except (TypeError, ValueError):
        return str(x)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default="bench_lienthong")
    parser.add_argument("--users", default="10,50,100")
    parser.add_argument("--run-time", type=int, default=60, help="seconds of steady load per level (≤ 600)")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--web-workers", type=int, default=4, help="gunicorn workers (Procfile: 4)")
    parser.add_argument("--threads", type=int, default=2, help="gunicorn threads per worker (Procfile: 2)")
    parser.add_argument("--worker-concurrency", type=int, default=2, help="dispatch worker processes")
    parser.add_argument("--documents-concurrency", type=int, default=1, help="documents worker processes")
    parser.add_argument("--documents-nice", type=int, default=0,
                        help="run the documents worker under `nice -n N` (a separate PDF node's stand-in)")
    args = parser.parse_args()
    args.run_time = max(5, min(args.run_time, 600))
    levels = [int(u) for u in args.users.split(",") if u.strip()][:5]

    if not database_exists(args.database):
        raise SystemExit(f"No database {args.database}: build it first with\n"
                         "  .venv/bin/python bench/reports.py --dossiers 1000000   (about 15 minutes)")
    header = machine_line()
    django_setup(args.database)
    from django.db import connection

    config = prepare(args.database)
    WORK.mkdir(parents=True, exist_ok=True)
    config_path = WORK / "load_config.json"
    config_path.write_text(json.dumps(config))
    with connection.cursor() as c:
        c.execute("SELECT count(*) FROM dossiers_dossier")
        total = c.fetchone()[0]
        c.execute("SHOW server_version")
        pg = c.fetchone()[0]
    profile, queries = query_profile(config)

    web, workers, env = start_stack(args, args.database)
    base = f"http://127.0.0.1:{args.port}"
    idle = {path: http_probe(base, path) for path in ("/bench/noop", "/healthz")}
    sampler = RssSampler({"web (gunicorn master + workers)": web.pid, "dispatch worker (celery + pool)": workers[0].pid,
                           "documents worker (celery + pool)": workers[1].pid})
    sampler.start()
    results = []
    try:
        for users in levels:
            before = table_stats()
            stats, conflicts, locust_cpu, cmd = run_locust(args, users, config_path, env)
            after = table_stats()
            scans = {t: tuple(a - b for a, b in zip(after[t], before.get(t, (0, 0, 0)), strict=True))
                     for t in after}
            results.append((users, stats, conflicts, locust_cpu, cmd, scans, queue_length()))
            print(f"{users} users done: {stats.get('Aggregated', {}).get('Requests/s')} rps", file=sys.stderr)
    finally:
        sampler.stop()
        stop(web)
        for worker in workers:
            stop(worker)
        import redis

        # What the worker had not done yet is dropped with the run (Redis db of the benchmark only).
        r = redis.Redis.from_url(redis_url(REDIS_DB_LOAD))
        for key in r.scan_iter(f"{QUEUE}*"):
            r.delete(key)

    lines = ["## API under load", "", header, "",
             f"Database `{args.database}`: {total:,} dossiers, PostgreSQL {pg}. Busy commune: "
             f"{config['unit_name']} ({config['unit_code']}, {config['unit_dossiers']:,} dossiers), province "
             f"{config['province_name']} ({config['province']}). Stack: gunicorn {args.web_workers} workers × "
             f"{args.threads} threads, Celery dispatch worker (concurrency {args.worker_concurrency}, queue `{QUEUE}`) and documents "
             f"worker (concurrency {args.documents_concurrency}, `{QUEUE}.documents`, `{QUEUE}.reports`"
             f"{f', under nice -n {args.documents_nice}' if args.documents_nice else ''}), "
             f"Redis db {REDIS_DB_LOAD}. Locust (FastHttpUser, wait 0.5–1.5 s between tasks) runs on the same "
             f"2-core machine; each level: ramp at users/5 per second, stats reset after ramp-up, "
             f"{args.run_time} s.", ""]
    for users, stats, conflicts, locust_cpu, cmd, scans, backlog in results:
        lines += [f"### {users} concurrent users", "", f"`{cmd}`", ""]
        rows = []
        ceiling = stats.get("ceiling noop", {})
        ceil_p95 = float(ceiling.get("95%") or 0) or float("nan")
        for name in CLASSES:
            row = stats.get(name)
            if not row or not int(row["Request Count"]):
                rows.append([name, 0, "–", "–", "–", "–", "–", "–", "–"])
                continue
            p95 = float(row["95%"])
            kind = name.split()[0]
            goal = GOAL.get(kind)
            verdict = "–" if goal is None or users != 50 else ("met" if p95 <= goal else f"missed (> {goal:.0f})")
            rows.append([name, row["Request Count"], row["Failure Count"], fnum(row["50%"]), fnum(row["95%"]),
                         fnum(row["99%"]), fnum(row["Requests/s"], 1), f"{p95 / ceil_p95:,.1f}", verdict])
        agg = stats.get("Aggregated", {})
        rows.append(["all", agg.get("Request Count"), agg.get("Failure Count"), fnum(agg.get("50%")),
                     fnum(agg.get("95%")), fnum(agg.get("99%")), fnum(agg.get("Requests/s"), 1), "", ""])
        lines += [table(["class", "requests", "errors", "p50 ms", "p95 ms", "p99 ms", "req/s",
                         "p95 × noop p95", "goal at 50 users"], rows), ""]
        lines += [f"409 answers (two officers took the same leg; counted as success): {conflicts}. "
                  f"Celery queue length at the end: {backlog}. Locust's own CPU: {locust_cpu:.2f} cores.", ""]
        big = sorted(((t, s) for t, s in scans.items() if s[0] or s[2]), key=lambda x: -x[1][1])[:6]
        lines += ["Table scans during this level (pg_stat_user_tables deltas):", "",
                  table(["table", "seq scans", "rows read by seq scans", "index scans"],
                        [[t, f"{s[0]:,}", f"{s[1]:,}", f"{s[2]:,}"] for t, s in big]), ""]
    lines += ["### Peak resident memory during the load", "",
              table(["processes", "peak RSS (sum)", "largest single process", "processes seen"],
                    [[label, f"{sampler.peak[label] / 2**20:,.0f} MiB", f"{sampler.peak_single[label] / 2**20:,.0f} MiB",
                      sampler.processes[label]] for label in sampler.peak]), ""]
    lines += ["### Queries per request (before the load, in-process, Django test client)", "",
              table(["request", "SQL queries", "time ms (single, warm)"], [[p[0], p[1], f"{p[2]:,.1f}"] for p in profile]),
              ""]
    lines += ["### Each SQL statement of those requests (EXPLAIN ANALYZE execution time)", "",
              table(["request", "statement (first 160 characters)", "ms"],
                    [[q[0], "`" + q[1].replace("|", "\\|") + "`", f"{q[2]:,.2f}"] for q in queries]), ""]
    for q in sorted(queries, key=lambda q: -q[2])[:2]:
        if q[3]:
            lines += [f"Plan of the slowest ({q[0]}, {q[2]:,.1f} ms):", "", "```", q[3], "```", ""]
    lines += ["### Idle stack, sequential requests (before the load)", "",
              table(["path", "n", "p50 ms", "max ms"],
                    [[path, len(t), f"{sorted(t)[len(t) // 2]:,.1f}", f"{max(t):,.1f}"] for path, t in idle.items()]),
              ""]
    text = "\n".join(lines)
    (WORK / "api_load.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
