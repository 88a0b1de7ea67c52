#!/usr/bin/env python
"""Hand-off latency (not a test): from the commit of a completed
birth_registration leg to its dependants being `pending`, with a real Celery
worker, over N birth dossiers created through dossiers.services in a scratch
database (bench_scratch, never bench_lienthong); beside it, in the same run,
the round trip of a no-op Celery task through the same broker and worker.

    .venv/bin/python bench/handoff.py          # 1,000 dossiers: 600 completed at 1/s, then 400 at 4/s
    .venv/bin/python bench/handoff.py --dossiers 200 --rates 10

Measured from the Transition rows: `complete` of the birth_registration leg
(its `at` is taken just before that transaction commits) to the `open` of its
dependants (written by the worker's fan-out). Two worker pools, as the
Procfile runs them: dispatch (`-Q bench_handoff`, fan-out and notices) and
documents (`-Q bench_handoff.documents,bench_handoff.reports`, the birth
certificate each completion queues). `--one-pool` puts all three queues on
one worker instead (how the project ran before the documents queue).
"""
from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from celery import shared_task  # noqa: E402
from common import (  # noqa: E402
    REDIS_DB_SCRATCH,
    ROOT,
    VENV_BIN,
    WORK,
    machine_line,
    redis_url,
    setup_scratch,
    stop,
    summary,
    table,
)

QUEUE = "bench_handoff"
REPLIES = "bench:noop:replies"


@shared_task(name="bench.noop")
def noop(sent_at: float) -> None:
    """The baseline: a task that only says when it ran (into a Redis list the
    benchmark reads; the project has no result backend)."""
    import redis
    from django.conf import settings

    redis.Redis.from_url(settings.REDIS_URL).rpush(REPLIES, f"{sent_at} {time.time()}")


SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ"]
MIDDLE = ["Văn", "Thị", "Minh", "Gia", "Bảo", "Quốc", "Thanh", "Ngọc"]
GIVEN = ["Khang", "Hoa", "Bình", "Hân", "Ngọc", "Huy", "Tâm", "Thư", "An", "Phúc"]


def birth(n: int, rnd: random.Random) -> dict:
    from tests.dossiers.payloads import birth_payload

    def name() -> str:
        return f"{rnd.choice(SURNAMES)} {rnd.choice(MIDDLE)} {rnd.choice(GIVEN)}"

    mother_id, father_id = f"082190{n:06d}", f"082088{n:06d}"
    mother = name()
    return birth_payload(subject__full_name=name(), applicant__full_name=mother, applicant__personal_id=mother_id,
                         subject__mother={"full_name": mother, "personal_id": mother_id},
                         subject__father={"full_name": name(), "personal_id": father_id})


def purge_queue() -> None:
    import redis

    r = redis.Redis.from_url(redis_url(REDIS_DB_SCRATCH))
    for key in r.scan_iter(f"{QUEUE}*"):
        r.delete(key)
    r.delete(REPLIES)


def start_worker(concurrency: int, queues: str, name: str) -> subprocess.Popen:
    env = dict(os.environ, CELERY_QUEUE=QUEUE, PYTHONPATH=str(ROOT / "bench"), LOG_LEVEL="WARNING")
    log = open(WORK / f"handoff_worker_{name}.log", "w")  # noqa: SIM115 - closed with the process
    return subprocess.Popen([str(VENV_BIN / "celery"), "-A", "lienthong", "worker", "-Q", queues,
                             "--include", "handoff", "--concurrency", str(concurrency),
                             "-n", f"bench-handoff-{name}-{os.getpid()}@%h", "--loglevel", "WARNING",
                             "--without-gossip", "--without-mingle"],
                            cwd=ROOT, env=env, stdout=log, stderr=log, start_new_session=True)


def start_workers(args) -> list[subprocess.Popen]:
    from lienthong.celery import queue_names

    dispatch, *others = queue_names(QUEUE)
    if args.one_pool:
        return [start_worker(args.concurrency, ",".join([dispatch, *others]), "all")]
    return [start_worker(args.concurrency, dispatch, "dispatch"),
            start_worker(args.documents_concurrency, ",".join(others), "documents")]


def noop_round_trips(n: int, timeout: float = 10.0) -> tuple[list[float], list[float]]:
    """Sequential no-op tasks: (send → task runs, send → the sender sees the reply), ms."""
    import redis

    r = redis.Redis.from_url(redis_url(REDIS_DB_SCRATCH))
    one_way, round_trip = [], []
    for _ in range(n):
        sent = time.time()
        noop.apply_async(args=[sent], queue=QUEUE)
        while True:  # skip late replies of earlier tasks that timed out
            reply = r.blpop(REPLIES, timeout=timeout)
            seen = time.time()
            if reply is None:
                break
            echoed, ran = (float(x) for x in reply[1].decode().split())
            if echoed == sent:
                break
        if reply is None:
            continue
        one_way.append((ran - sent) * 1000)
        round_trip.append((seen - sent) * 1000)
    return one_way, round_trip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dossiers", type=int, default=1000)
    parser.add_argument("--rates", default="1:0.6,4:0.4",
                        help="phases as completions-per-second:share of the dossiers, comma-separated")
    parser.add_argument("--concurrency", type=int, default=2, help="dispatch worker processes (bin/run uses 2)")
    parser.add_argument("--documents-concurrency", type=int, default=1,
                        help="documents worker processes (bin/run uses 1)")
    parser.add_argument("--one-pool", action="store_true",
                        help="one worker (--concurrency) on every queue, as before the documents queue")
    parser.add_argument("--database", default="bench_scratch")
    parser.add_argument("--fresh", action="store_true", help="drop and rebuild the scratch database")
    parser.add_argument("--noop", type=int, default=200, help="no-op tasks for the baseline")
    parser.add_argument("--timeout", type=float, default=600, help="give up waiting for the fan-out after this")
    args = parser.parse_args()
    header = machine_line()
    WORK.mkdir(parents=True, exist_ok=True)
    os.environ["CELERY_QUEUE"] = QUEUE
    setup_scratch(args.database, fresh=args.fresh)
    from django.db.models import Max, Min

    from agencies.models import User
    from agencies.services import user_create_or_update
    from dossiers import services
    from dossiers.models import Leg, LegStatus, Service, Transition

    clerk = user_create_or_update(username="bench_handoff_clerk", password="bench-handoff-2026",
                                  role="one_stop_clerk", unit_code="29926")
    officer = user_create_or_update(username="bench_handoff_justice", password="bench-handoff-2026",
                                    role="officer", agency="justice", unit_code="29926")
    assert isinstance(clerk, User)

    # 1. Dossiers, submitted and accepted with no worker running (their notices
    #    and appointment slips are dropped from the queue: not what is measured).
    rnd = random.Random()
    base = int(time.time()) % 400_000
    t0 = time.perf_counter()
    legs = []
    with services.notifications_muted():
        for i in range(args.dossiers):
            dossier = services.dossier_submit(data=birth(base + i, rnd), user=clerk)
            leg = Leg.objects.get(dossier=dossier, service=Service.BIRTH_REGISTRATION)
            services.leg_accept(leg_id=leg.pk, user=officer)
            legs.append(leg.pk)
    created_s = time.perf_counter() - t0
    purge_queue()

    pool = start_workers(args)
    try:
        # The worker is up when it answers a no-op.
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not noop_round_trips(1, timeout=2)[0]:
            pass
        # Warm every pool process the way production workers are warm (WeasyPrint,
        # fonts, templates): render some appointment slips, untimed.
        from dossiers.document_tasks import render_document
        from dossiers.models import Document

        warm = [Leg.objects.get(pk=pk).dossier_id for pk in legs[:2 * max(args.concurrency, args.documents_concurrency)]]
        for dossier_id in warm:
            render_document.delay(dossier_id, "appointment_slip")  # routed as in production
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and Document.objects.filter(
                dossier_id__in=warm, kind="appointment_slip").exclude(sha256="").count() < len(warm):
            time.sleep(0.5)
        one_way_before, round_trip_before = noop_round_trips(args.noop // 2)

        # 2. Completions, paced, phase by phase; each commits, then queues its
        #    certificate and its fan-out. Each phase waits (bounded) for the
        #    dependants to leave `waiting` before the next one starts.
        done_at: dict[int, float] = {}
        phases = []
        spec = [(float(r.split(":")[0]), float(r.split(":")[1]) if ":" in r else 1.0)
                for r in args.rates.split(",") if r.strip()]
        shares = sum(share for _rate, share in spec)
        start = 0
        for k, (rate, share) in enumerate(spec):
            count = len(legs) - start if k == len(spec) - 1 else round(len(legs) * share / shares)
            chunk = legs[start:start + count]
            start += count
            t_start = time.perf_counter()
            for j, leg_id in enumerate(chunk):
                pause = t_start + j / rate - time.perf_counter()
                if pause > 0:
                    time.sleep(pause)
                services.leg_complete(leg_id=leg_id, user=officer)
                done_at[leg_id] = time.time()  # after the commit: leg_complete is atomic
            complete_s = time.perf_counter() - t_start
            deadline = time.monotonic() + args.timeout
            while time.monotonic() < deadline:
                if not Leg.objects.filter(depends_on_id__in=chunk, status=LegStatus.WAITING).exists():
                    break
                time.sleep(0.5)
            phases.append((rate, chunk, complete_s, time.perf_counter() - t_start))
        one_way_after, round_trip_after = noop_round_trips(args.noop - args.noop // 2)
    finally:
        for worker in pool:
            stop(worker)

    completes = dict(Transition.objects.filter(leg_id__in=legs, action="complete").values_list("leg_id", "at"))
    opens = {row["leg__depends_on_id"]: (row["first"], row["last"]) for row in
             Transition.objects.filter(leg__depends_on_id__in=legs, action="open")
             .values("leg__depends_on_id").annotate(first=Min("at"), last=Max("at"))}
    pending = Leg.objects.filter(depends_on_id__in=legs).exclude(status=LegStatus.WAITING).count()
    total_dependants = Leg.objects.filter(depends_on_id__in=legs).count()
    noop_one_way = one_way_before + one_way_after
    noop_round = round_trip_before + round_trip_after

    def row(label: str, values: list[float]) -> list[object]:
        s = summary(values)
        return [label, s["n"], f"{s['p50']:,.0f}", f"{s['p95']:,.0f}", f"{s['p99']:,.0f}", f"{s['max']:,.0f}"]

    rows = []
    everything_t, everything_c = [], []
    for rate, chunk, complete_s, drained_s in phases:
        by_transition = [(opens[i][1] - completes[i]).total_seconds() * 1000 for i in chunk
                         if i in opens and i in completes]
        by_commit = [(opens[i][1].timestamp() - done_at[i]) * 1000 for i in chunk if i in opens]
        everything_t += by_transition
        everything_c += by_commit
        rows.append(row(f"{rate:g}/s ({len(chunk):,} legs, completed in {complete_s:,.0f} s, all dependants open "
                        f"after {drained_s:,.0f} s): `complete` → last `open` transition", by_transition))
        rows.append(row(f"{rate:g}/s: complete committed (caller's clock) → last `open` transition", by_commit))
    if len(phases) > 1:
        rows.append(row("all phases: `complete` → last `open` transition", everything_t))
    rows.append(row("baseline: no-op task, send → runs on the worker", noop_one_way))
    rows.append(row("baseline: no-op task, send → caller sees its reply", noop_round))
    if args.one_pool:
        workers_text = f"one pool: `celery worker -Q {QUEUE},{QUEUE}.documents,{QUEUE}.reports --concurrency {args.concurrency}`"
    else:
        workers_text = (f"dispatch: `celery worker -Q {QUEUE} --concurrency {args.concurrency}`; documents: `celery worker "
                        f"-Q {QUEUE}.documents,{QUEUE}.reports --concurrency {args.documents_concurrency}`")
    lines = ["## Hand-off latency", "", header, "",
             f"Scratch database `{args.database}`; {args.dossiers:,} birth dossiers (all three services) "
             f"submitted and accepted through `dossiers.services` in {created_s:,.1f} s (no worker running; their "
             f"queued notices and slips dropped); then the birth_registration legs completed one by one, paced, "
             f"with real workers ({workers_text}). Dependants opened: {pending:,} of {total_dependants:,}.", "",
             table(["measure", "n", "p50 ms", "p95 ms", "p99 ms", "max ms"], rows), "",
             f"Baseline measured with the same worker, {len(noop_one_way)} sequential no-op tasks "
             f"(half before the completions, half after the queue drained). Goal: hand-off p95 ≤ 1 s.", ""]
    text = "\n".join(lines)
    (WORK / ("handoff-one-pool.md" if args.one_pool else "handoff.md")).write_text(text)
    print(text)


if __name__ == "__main__":
    main()
