"""Shared fixtures: reference data, a real Celery worker, a real browser.

The suite runs against the PostgreSQL and Redis that `bin/ensure-services`
found or started (`make test`). Nothing here mocks the database or Redis.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import pytest

# Fixtures shared by several test packages: a real SMTP server.
pytest_plugins = ["tests.smtp"]

# Playwright's sync API runs an event loop in the test thread; the ORM calls
# the tests make beside it are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
# One queue per test run, so that two runs sharing a Redis never take each
# other's tasks.
TEST_QUEUE = f"test-{os.getpid()}-{uuid.uuid4().hex[:6]}"


def route_tasks_to(queue: str) -> None:
    """Send the tasks this process queues to `queue` (dispatch) and its
    `.documents` / `.reports` siblings. With the CELERY_ settings namespace
    Django's CELERY_TASK_DEFAULT_QUEUE wins over the plain key, so set both,
    and drop the routing Celery may have cached already."""
    from lienthong.celery import app

    app.conf.update(CELERY_TASK_DEFAULT_QUEUE=queue, task_default_queue=queue)
    for cached in ("default_queue", "queues", "router"):
        app.amqp.__dict__.pop(cached, None)
    router = app.amqp.router
    assert router.route({}, "dossiers.tasks.fan_out")["queue"].name == queue
    assert router.route({}, "dossiers.document_tasks.render_document")["queue"].name == f"{queue}.documents"


@pytest.fixture
def tasks_to_test_worker():
    """Tasks queued by this process (on_commit callbacks of a live server
    included) go to this run's queues, where the test worker listens."""
    route_tasks_to(TEST_QUEUE)


def pytest_configure(config) -> None:
    route_tasks_to(TEST_QUEUE)
    # Parallel runs share Redis: keep their cache keys apart too.
    from django.conf import settings

    settings.CACHES["default"]["KEY_PREFIX"] = TEST_QUEUE
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        raise pytest.UsageError("The suite runs against PostgreSQL: run it with `make test` (DATABASE_URL unset).")


# Reference tables a transactional test's flush empties, and the copy of
# them (in a schema Django does not flush) they are restored from.
REFERENCE_TABLES = ["agencies_adminunit", "agencies_agency", "dossiers_rule"]
SNAPSHOT_SCHEMA = "refsnap"


def reference_data_ensure() -> None:
    """Both maps, the agencies and the rule table (cheap when present)."""
    from django.core.management import call_command

    from agencies.mapdata import admin_units_load
    from agencies.models import AdminUnit, Agency
    from agencies.services import agencies_ensure
    from dossiers.models import Rule

    if AdminUnit.objects.count() < 14000:
        admin_units_load()
    if not Agency.objects.exists():
        agencies_ensure()
    if not Rule.objects.exists():
        call_command("load_rules", verbosity=0)


def _snapshot_reference_data() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"CREATE SCHEMA IF NOT EXISTS {SNAPSHOT_SCHEMA}")
        for table in REFERENCE_TABLES:
            cursor.execute(f"DROP TABLE IF EXISTS {SNAPSHOT_SCHEMA}.{table}")
            cursor.execute(f"CREATE TABLE {SNAPSHOT_SCHEMA}.{table} AS TABLE public.{table}")


def _restore_reference_data() -> None:
    """Put the reference rows back after a flush: a few hundred milliseconds
    instead of rebuilding the maps."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM agencies_adminunit")
        if cursor.fetchone()[0]:
            return
        for table in REFERENCE_TABLES:
            cursor.execute(f"INSERT INTO public.{table} SELECT * FROM {SNAPSHOT_SCHEMA}.{table}")
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                           f"(SELECT coalesce(max(id), 0) + 1 FROM {table}), false)")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        reference_data_ensure()
        _snapshot_reference_data()


@pytest.fixture(autouse=True)
def _reference_data_after_flush(request):
    """Transactional tests empty every table when they end; put the
    reference data back before the next one that needs it."""
    if {"transactional_db", "live_server"} & set(request.fixturenames):
        request.getfixturevalue("transactional_db")
        _restore_reference_data()
        from agencies import calendar
        from dossiers import rules

        calendar.clear_cache()
        rules.clear_cache()
    yield


def _test_database_url() -> str:
    from django.db import connection

    url = urlparse(os.environ["DATABASE_URL"])
    return urlunparse(url._replace(path="/" + connection.settings_dict["NAME"]))


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, tmp_path_factory):
    """A real `celery worker` process on the test database and Redis,
    consuming this run's three queues (dispatch, documents, reports).

    Tests using it need committed data: request `transactional_db` or
    `live_server` too.
    """
    from lienthong.celery import queue_names

    log = tmp_path_factory.mktemp("celery") / "worker.log"
    env = dict(os.environ, DATABASE_URL=_test_database_url(), CELERY_QUEUE=TEST_QUEUE, CACHE_KEY_PREFIX=TEST_QUEUE,
               DJANGO_SETTINGS_MODULE="lienthong.settings")
    env.pop("TEST_DATABASE_NAME", None)
    env.pop("REPLICA_DATABASE_URL", None)  # a test worker reads only the test database
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "lienthong", "worker", "--loglevel=INFO", "--pool=solo",
             "-Q", ",".join(queue_names(TEST_QUEUE)), "-n", f"{TEST_QUEUE}@%h", "--without-gossip",
             "--without-mingle"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )
    from lienthong.celery import app

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"celery worker exited:\n{log.read_text()[-3000:]}")
        replies = app.control.inspect(timeout=0.5, destination=[f"{TEST_QUEUE}@{os.uname().nodename}"]).ping()
        if replies:
            break
    else:
        raise RuntimeError(f"celery worker did not answer:\n{log.read_text()[-3000:]}")
    proc.log_path = log  # type: ignore[attr-defined]
    yield proc
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium")
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"])
        yield b
        b.close()


@pytest.fixture
def page(browser, live_server):
    """A desktop page at the clerks' 1366×768, on the live server."""
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="vi-VN",
                                  base_url=live_server.url, timezone_id="Asia/Ho_Chi_Minh")
    context.set_default_timeout(15000)
    pg = context.new_page()
    yield pg
    context.close()


@pytest.fixture
def phone_page(browser, live_server):
    """A citizen's phone: 360 px wide."""
    context = browser.new_context(viewport={"width": 360, "height": 780}, locale="vi-VN", is_mobile=True,
                                  has_touch=True, base_url=live_server.url, timezone_id="Asia/Ho_Chi_Minh")
    context.set_default_timeout(15000)
    pg = context.new_page()
    yield pg
    context.close()
