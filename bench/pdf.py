#!/usr/bin/env python
"""PDF throughput (not a test): birth certificates rendered by the task the
worker runs (dossiers.document_tasks.render_document: summary, QR code,
WeasyPrint, signature when configured, file and row), one process = one
worker process, beside a trivial one-line WeasyPrint PDF rendered in the same
run, interleaved with it so both see the same machine.

    .venv/bin/python bench/pdf.py                 # 100 certificates
    .venv/bin/python bench/pdf.py --documents 30
    .venv/bin/python bench/pdf.py --sign          # with a PAdES signature (demo key in var/bench/signing)

Runs in the scratch database bench_scratch (never bench_lienthong); the
dossiers are made through dossiers.services, their queued tasks dropped.
"""
from __future__ import annotations

import argparse
import random
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import REDIS_DB_SCRATCH, WORK, machine_line, redis_url, setup_scratch, summary, table  # noqa: E402

QUEUE = "bench_pdf"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--documents", type=int, default=100)
    parser.add_argument("--database", default="bench_scratch")
    parser.add_argument("--sign", action="store_true", help="sign with a throwaway demo key (pyHanko)")
    args = parser.parse_args()
    header = machine_line()
    import os

    os.environ["CELERY_QUEUE"] = QUEUE
    if args.sign:
        key_dir = WORK / "signing"
        os.environ["DOCUMENT_SIGNING_KEY"] = str(key_dir / "demo-signing-key.pem")
        os.environ["DOCUMENT_SIGNING_CERT"] = str(key_dir / "demo-signing-cert.pem")
    setup_scratch(args.database, fresh=False)
    if args.sign:
        from django.core.management import call_command

        call_command("make_demo_signing_key", out=str(key_dir))
    import redis
    from handoff import birth
    from weasyprint import HTML

    from agencies.services import user_create_or_update
    from dossiers import services
    from dossiers.document_tasks import render_document
    from dossiers.documents import signing_configured
    from dossiers.models import Document, Leg, Service

    clerk = user_create_or_update(username="bench_pdf_clerk", password="bench-pdf-2026", role="one_stop_clerk",
                                  unit_code="29926")
    officer = user_create_or_update(username="bench_pdf_justice", password="bench-pdf-2026", role="officer",
                                    agency="justice", unit_code="29926")
    rnd = random.Random()
    base = 500_000 + int(time.time()) % 400_000
    dossiers = []
    with services.notifications_muted():
        for i in range(args.documents + 2):
            dossier = services.dossier_submit(data=birth(base + i, rnd), user=clerk)
            leg = Leg.objects.get(dossier=dossier, service=Service.BIRTH_REGISTRATION)
            services.leg_accept(leg_id=leg.pk, user=officer)
            services.leg_complete(leg_id=leg.pk, user=officer)
            dossiers.append(dossier.pk)
    r = redis.Redis.from_url(redis_url(REDIS_DB_SCRATCH))
    for key in r.scan_iter(f"{QUEUE}*"):  # nobody consumes this queue: drop what the services queued
        r.delete(key)

    trivial_html = "<p>Giấy khai sinh — một dòng.</p>"
    # Warm both paths once (fonts, templates, imports) before timing.
    render_document(dossiers[0], "birth_certificate")
    HTML(string=trivial_html).write_pdf()
    cert_ms, trivial_ms, sizes = [], [], []
    t_cert = t_trivial = 0.0
    for dossier_id in dossiers[2:]:
        t0 = time.perf_counter()
        doc_id = render_document(dossier_id, "birth_certificate")
        dt = time.perf_counter() - t0
        cert_ms.append(dt * 1000)
        t_cert += dt
        if doc_id:
            sizes.append(Document.objects.get(pk=doc_id).file.size)
        t0 = time.perf_counter()
        HTML(string=trivial_html).write_pdf()
        dt = time.perf_counter() - t0
        trivial_ms.append(dt * 1000)
        t_trivial += dt
    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux

    def row(label: str, values: list[float], total: float) -> list[object]:
        s = summary(values)
        return [label, s["n"], f"{len(values) / total:,.2f}", f"{s['p50']:,.0f}", f"{s['p95']:,.0f}",
                f"{s['max']:,.0f}"]

    cs, ts = summary(cert_ms), summary(trivial_ms)
    lines = ["## PDF documents", "", header, "",
             f"One process (what one worker process does), scratch database `{args.database}`; signing "
             f"{'configured (PAdES)' if signing_configured() else 'not configured (unsigned PDFs)'}; "
             f"certificates {sum(sizes) / max(1, len(sizes)) / 1024:,.0f} KiB on average; peak RSS of the "
             f"process {peak_rss:,.0f} MiB.", "",
             table(["render", "n", "documents/s", "p50 ms", "p95 ms", "max ms"], [
                 row("birth certificate (render_document task, in-process)", cert_ms, t_cert),
                 row("baseline: one-line WeasyPrint PDF", trivial_ms, t_trivial),
             ]), "",
             f"A certificate costs {cs['p50'] / ts['p50']:,.1f}× the trivial PDF at the median "
             f"({cs['mean'] / ts['mean']:,.1f}× on the mean).", ""]
    text = "\n".join(lines)
    (WORK / ("pdf_signed.md" if args.sign else "pdf.md")).write_text(text)
    print(text)


if __name__ == "__main__":
    main()
