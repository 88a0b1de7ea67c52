"""Processes the fault tests start, stop and kill themselves: Celery workers
on their own queues, a throwaway redis-server, a web server in a subprocess.

Every wait is bounded; every process is ended by its own id when the test ends.
"""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests

from lienthong.celery import queue_names
from tests.conftest import ROOT, TEST_QUEUE, _test_database_url, route_tasks_to
from tests.helpers import wait_for as wait_until  # noqa: F401 - the fault tests import it from here


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def child_env(**extra: str) -> dict[str, str]:
    """The environment of conftest's celery_worker_process: the test database,
    this run's cache prefix, no TEST_DATABASE_NAME."""
    env = dict(os.environ, DATABASE_URL=_test_database_url(), CACHE_KEY_PREFIX=TEST_QUEUE,
               DJANGO_SETTINGS_MODULE="lienthong.settings", PYTHONUNBUFFERED="1")
    env.pop("TEST_DATABASE_NAME", None)
    env.pop("REPLICA_DATABASE_URL", None)  # a test worker reads only the test database
    env.update(extra)
    return env


def end(proc: subprocess.Popen, *, grace: float = 15) -> None:
    """Stop a process group this test started (TERM, then KILL)."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=grace)
    except ProcessLookupError:
        return
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


@dataclass
class Worker:
    proc: subprocess.Popen
    log: Path
    queue: str

    def text(self) -> str:
        return self.log.read_text(errors="replace")

    def count(self, needle: str) -> int:
        return self.text().count(needle)


@dataclass
class Workers:
    tmp: Path
    started: list[Worker] = field(default_factory=list)

    def start(self, queue: str, *, pool: str = "solo", concurrency: int = 1, timeout: float = 60,
              queues: list[str] | None = None, **env: str) -> Worker:
        """A worker on `queue`'s three queues (dispatch, documents, reports),
        or on `queues` only."""
        log = self.tmp / f"worker-{len(self.started)}.log"
        args = [sys.executable, "-m", "celery", "-A", "lienthong", "worker", "--loglevel=INFO", f"--pool={pool}",
                "-Q", ",".join(queues or queue_names(queue)), "-n", f"{queue}-{len(self.started)}@%h", "--without-gossip", "--without-mingle",
                "--without-heartbeat"]
        if pool == "prefork":
            args.append(f"--concurrency={concurrency}")
        with open(log, "wb") as out:
            proc = subprocess.Popen(args, cwd=ROOT, env=child_env(**{"CELERY_QUEUE": queue, **env}), stdout=out,
                                    stderr=subprocess.STDOUT, start_new_session=True)
        worker = Worker(proc, log, queue)
        self.started.append(worker)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"celery worker exited:\n{worker.text()[-3000:]}")
            if " ready." in worker.text():
                return worker
            time.sleep(0.2)
        raise RuntimeError(f"celery worker not ready:\n{worker.text()[-3000:]}")


@pytest.fixture
def workers(tmp_path) -> Iterator[Workers]:
    pool = Workers(tmp_path)
    yield pool
    for worker in pool.started:
        end(worker.proc)


@pytest.fixture
def fault_queue() -> Iterator[str]:
    """This test's own queue: tasks the test process queues (on_commit
    callbacks included) go there, and only this test's workers listen."""
    import redis

    queue = f"faults-{os.getpid()}-{uuid.uuid4().hex[:6]}"
    route_tasks_to(queue)
    yield queue
    route_tasks_to(TEST_QUEUE)
    broker = redis.Redis.from_url(os.environ["REDIS_URL"])
    broker.delete(*queue_names(queue))
    # A worker killed whole leaves its message in kombu's `unacked` hash,
    # which a worker of another run would put back after the visibility
    # timeout: forget this queue's.
    for tag, raw in broker.hgetall("unacked").items():
        try:
            routing_key = json.loads(raw)[2]
        except (ValueError, IndexError, TypeError):
            continue
        if routing_key in queue_names(queue):
            broker.hdel("unacked", tag)
            broker.zrem("unacked_index", tag)


@dataclass
class ThrowawayRedis:
    port: int
    dir: Path

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        subprocess.run(["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                        "--appendonly", "no", "--daemonize", "yes", "--dir", str(self.dir),
                        "--pidfile", str(self.dir / "redis.pid"), "--logfile", str(self.dir / "redis.log")],
                       check=True, timeout=10)
        wait_until(self.up, timeout=10)

    def up(self) -> bool:
        try:
            return subprocess.run(["redis-cli", "-p", str(self.port), "ping"], capture_output=True, text=True,
                                  timeout=5).stdout.strip() == "PONG"
        except subprocess.TimeoutExpired:
            return False

    def stop(self) -> None:
        subprocess.run(["redis-cli", "-p", str(self.port), "shutdown", "nosave"], capture_output=True, timeout=10)
        wait_until(lambda: not self.up(), timeout=10)


@pytest.fixture
def throwaway_redis(tmp_path) -> Iterator[ThrowawayRedis]:
    directory = tmp_path / "redis"
    directory.mkdir()
    server = ThrowawayRedis(free_port(), directory)
    server.start()
    yield server
    if server.up():
        server.stop()


@dataclass
class WebServer:
    proc: subprocess.Popen
    url: str
    log: Path

    def text(self) -> str:
        return self.log.read_text(errors="replace")


@pytest.fixture
def web_server(tmp_path) -> Iterator[Callable[..., WebServer]]:
    """`start(**env)`: the app under gunicorn (one sync worker: every request
    goes through the same process and its persistent database connection)."""
    started: list[WebServer] = []

    def start(**env: str) -> WebServer:
        port = free_port()
        log = tmp_path / f"web-{port}.log"
        with open(log, "wb") as out:
            proc = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "lienthong.wsgi:application", "--bind", f"127.0.0.1:{port}",
                 "--workers", "1", "--timeout", "60", "--access-logfile", "-"],
                cwd=ROOT, env=child_env(**env), stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        server = WebServer(proc, f"http://127.0.0.1:{port}", log)
        started.append(server)

        def answering() -> bool:
            if proc.poll() is not None:
                raise RuntimeError(f"web server exited:\n{server.text()[-3000:]}")
            try:
                return requests.get(f"{server.url}/api/v1/", timeout=5).status_code < 500
            except requests.ConnectionError:
                return False

        wait_until(answering, timeout=60)
        return server

    yield start
    for server in started:
        end(server.proc)


@pytest.fixture
def eng(transactional_db, settings):
    """One user per role around Xã Tân Hồng, committed (workers and web
    processes read them)."""
    from tests.factories import engine_users_make

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return engine_users_make("flt")
