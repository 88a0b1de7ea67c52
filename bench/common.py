"""Shared pieces of the system benchmarks (bench/api_load.py, handoff.py, pdf.py).

Benchmarks measure, they never fail anything: every figure is printed next to
a baseline measured in the same run, with the machine, the command and the
date. Everything talks to 127.0.0.1 only.
"""
from __future__ import annotations

import os
import platform
import shlex
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
PYTHON = str(VENV_BIN / "python") if (VENV_BIN / "python").exists() else sys.executable
# Bench-only files (media written by the app under load, logs) stay out of the project's media/.
WORK = ROOT / "var" / "bench"

# Redis database numbers of the benchmarks (the settings put the cache on the broker's +1):
# the API load uses 10/11, hand-off and PDF 12/13, so nobody else's queue is touched.
REDIS_DB_LOAD = 10
REDIS_DB_SCRATCH = 12


def database_url(name: str) -> str:
    base = os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/postgres"
    return urlunparse(urlparse(base)._replace(path="/" + name))


def redis_url(db: int) -> str:
    base = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
    return urlunparse(urlparse(base)._replace(path=f"/{db}"))


def local_only(url: str) -> str:
    """Benchmarks aim at this machine only."""
    host = urlparse(url).hostname
    if host not in ("127.0.0.1", "localhost", None):
        raise SystemExit(f"refusing a non-local target: {url}")
    return url


def machine() -> dict[str, str]:
    cpu = "?"
    try:
        with open("/proc/cpuinfo") as fh:
            cpu = next((line.split(":", 1)[1].strip() for line in fh if line.startswith("model name")), "?")
    except OSError:
        pass
    mem = "?"
    try:
        with open("/proc/meminfo") as fh:
            kb = int(next(line.split()[1] for line in fh if line.startswith("MemTotal")))
        mem = f"{kb / 1024 / 1024:.1f} GiB"
    except (OSError, StopIteration, ValueError):
        pass
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    return {"date": f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC", "host": platform.node(), "cpu": cpu,
            "nproc": str(os.cpu_count()), "memory": mem, "python": platform.python_version(),
            "loadavg": load}


def machine_line(command: Sequence[str] | None = None) -> str:
    m = machine()
    cmd = shlex.join(command if command is not None else [Path(sys.argv[0]).as_posix(), *sys.argv[1:]])
    return (f"{m['date']} · {m['cpu']} · nproc {m['nproc']} · {m['memory']} RAM · Python {m['python']} · "
            f"load average at start {m['loadavg']} · command: `{cmd}`")


def pct(values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100) of a non-empty sequence."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = max(0, min(len(ordered) - 1, int(round(p / 100 * len(ordered) + 0.5)) - 1))
    return ordered[k]


def summary(values: Sequence[float]) -> dict[str, float]:
    return {"n": len(values), "p50": pct(values, 50), "p95": pct(values, 95), "p99": pct(values, 99),
            "mean": statistics.fmean(values) if values else float("nan"), "max": max(values) if values else 0.0}


def create_database(name: str, *, fresh: bool) -> bool:
    """Create `name` (dropping it first when `fresh`); True when it is new."""
    import psycopg

    if not name.startswith("bench_"):
        raise SystemExit("benchmark databases are named bench_*")
    with psycopg.connect(database_url("postgres"), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and fresh:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
            return True
    return False


def setup_scratch(name: str, *, fresh: bool, redis_db: int = REDIS_DB_SCRATCH) -> None:
    """A scratch database (never bench_lienthong, never a test database) with
    the reference data, and Django set up on it in this process."""
    if name == "bench_lienthong":
        raise SystemExit("the scratch database must not be the 1M-dossier database")
    create_database(name, fresh=fresh)
    os.environ["DATABASE_URL"] = database_url(name)
    os.environ["REDIS_URL"] = redis_url(redis_db)
    os.environ.pop("TEST_DATABASE_NAME", None)
    os.environ.pop("CACHE_URL", None)
    os.environ.setdefault("MEDIA_ROOT", str(WORK / "media"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lienthong.settings")
    os.environ.setdefault("AXES_ENABLED", "0")
    subprocess.run([PYTHON, "manage.py", "migrate", "-v0"], cwd=ROOT, check=True, env=os.environ)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    from agencies.mapdata import admin_units_load
    from agencies.models import AdminUnit, Agency
    from agencies.services import agencies_ensure

    if AdminUnit.objects.count() < 14000:
        admin_units_load()
    if not Agency.objects.exists():
        agencies_ensure()
    call_command("load_rules", verbosity=0)


class RssSampler(threading.Thread):
    """Samples the resident memory of process trees (by root pid) every
    `interval` seconds; `peak` holds the largest sum seen per label and the
    largest single process."""

    def __init__(self, roots: dict[str, int], interval: float = 0.5) -> None:
        super().__init__(daemon=True)
        self.roots, self.interval = roots, interval
        self.peak: dict[str, int] = dict.fromkeys(roots, 0)
        self.peak_single: dict[str, int] = dict.fromkeys(roots, 0)
        self.processes: dict[str, int] = dict.fromkeys(roots, 0)
        self._stop = threading.Event()

    def run(self) -> None:
        import psutil

        while not self._stop.is_set():
            for label, pid in self.roots.items():
                try:
                    root = psutil.Process(pid)
                    procs = [root, *root.children(recursive=True)]
                except psutil.Error:
                    continue
                sizes = []
                for proc in procs:
                    try:
                        sizes.append(proc.memory_info().rss)
                    except psutil.Error:
                        pass
                self.peak[label] = max(self.peak[label], sum(sizes))
                self.peak_single[label] = max(self.peak_single[label], max(sizes, default=0))
                self.processes[label] = max(self.processes[label], len(sizes))
            self._stop.wait(self.interval)

    def stop(self) -> None:
        self._stop.set()


def stop(proc: subprocess.Popen, *, timeout: float = 30) -> None:
    """Stop a process the benchmark started: SIGTERM to the main process (a
    warm shutdown of its own children), then SIGKILL to its group."""
    import signal

    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def wait_for(check, *, timeout: float, every: float = 0.2, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except Exception:  # noqa: BLE001 - still starting
            pass
        time.sleep(every)
    raise SystemExit(f"timed out waiting for {what or check}")


def table(headers: Iterable[str], rows: Iterable[Iterable[object]]) -> str:
    headers = list(headers)
    out = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" if i == 0 else "---:" for i in range(len(headers))) + "|"]
    for row in rows:
        out.append("| " + " | ".join(str(c) for c in row) + " |")
    return "\n".join(out)


# --- the framework's ceiling: a no-op view on the same stack ---------------------
# gunicorn serves `common:wsgi_application()` (with --pythonpath bench): the
# project's own WSGI app, settings and middleware, with one more URL,
# /bench/noop, that does nothing. App code is untouched; this urlconf is
# lienthong.urls plus that one route, used only by the benchmark's server.
def _noop(request):  # noqa: ANN001, ANN202 - a Django view
    from django.http import JsonResponse

    return JsonResponse({"ok": True})


def __getattr__(name: str):  # noqa: ANN202 - PEP 562: built on first use, after django.setup()
    if name == "urlpatterns":
        from django.urls import path

        from lienthong.urls import urlpatterns

        return [path("bench/noop", _noop, name="bench-noop"), *urlpatterns]
    raise AttributeError(name)


def wsgi_application():  # noqa: ANN201 - a WSGI callable
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lienthong.settings")
    sys.path.insert(0, str(ROOT))
    from django.conf import settings
    from django.core.wsgi import get_wsgi_application

    app = get_wsgi_application()
    settings.ROOT_URLCONF = "common"
    return app
