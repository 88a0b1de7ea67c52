"""Celery application, the task lanes and the one retry policy.

Redis is the broker. Tasks are acknowledged late (a worker killed mid-task
leaves the message on the queue for the next worker) and therefore must be
idempotent: every task in this project re-fetches its rows and checks state
before acting. Without REDIS_URL the tasks run eagerly in-process, which is
what `make run` uses on SQLite.

Three queues, so that one kind of work never waits behind another. Each task
says which lane it runs in when it is declared (`@task(lane=...)`); nothing
chooses a queue by module or task name:

- `dispatch` → `<base>`: fan-out, notices, the sweep;
- `documents` → `<base>.documents`: PDF rendering, seconds of CPU each;
- `reports` → `<base>.reports`: the daily report and the reports' PDFs.

`<base>` is CELERY_QUEUE (default `lienthong`), read at the moment a task is
sent (tests and benchmarks change it per run); each pool of workers consumes
its own queue (Procfile), a single development worker all three.
"""
from __future__ import annotations

import os
from typing import Any

from celery import Celery, shared_task
from django.db import DatabaseError
from kombu.exceptions import KombuError
from redis.exceptions import RedisError

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lienthong.settings")

app = Celery("lienthong")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

DISPATCH, DOCUMENTS, REPORTS = "dispatch", "documents", "reports"
# Lane → suffix of the deployment's base queue (dispatch is the base itself).
LANE_SUFFIXES = {DISPATCH: "", DOCUMENTS: "documents", REPORTS: "reports"}

# The one retry policy. Retry only what can heal by itself (a lost database
# connection, a deadlock victim, a mail or broker server that is down), with
# growing, jittered delays; a bug fails loudly instead of looping. Late
# acknowledgement: a message is removed only once its task has finished.
RETRY_ON: tuple[type[BaseException], ...] = (DatabaseError, ConnectionError, TimeoutError, OSError)
RETRY_POLICY: dict[str, Any] = {"autoretry_for": RETRY_ON, "retry_backoff": 2, "retry_backoff_max": 300,
                                "retry_jitter": True, "max_retries": 8, "acks_late": True}
# What a broker that is down raises on publish (kombu wraps the connection
# error in its OperationalError after its own retries; redis-py and the socket
# errors are listed in case a transport lets them through).
BROKER_ERRORS: tuple[type[BaseException], ...] = (KombuError, RedisError, OSError)


def task(*, lane: str, name: str, **options: Any):
    """Declare a task: its (stable) name, its lane, and the retry policy.

        @task(lane=DOCUMENTS, name="dossiers.document_tasks.render_document")
    """
    if lane not in LANE_SUFFIXES:
        raise ValueError(f"unknown lane {lane!r}; one of {sorted(LANE_SUFFIXES)}")
    return shared_task(name=name, lane=lane, **{**RETRY_POLICY, **options})


def queue_of(lane: str, base: str) -> str:
    suffix = LANE_SUFFIXES[lane]
    return f"{base}.{suffix}" if suffix else base


def queue_names(base: str) -> list[str]:
    """Every queue of a deployment whose dispatch queue is `base`:
    dispatch, documents, reports, in that order."""
    return [queue_of(lane, base) for lane in LANE_SUFFIXES]


def _lane_of(name: str, task_obj: Any = None) -> str | None:
    """The lane a task declared. A task sent by name only (beat, send_task)
    is looked up among the registered tasks, importing the task modules
    once if it is not there yet."""
    if task_obj is None:
        task_obj = app.tasks.get(name)
        if task_obj is None:
            app.loader.import_default_modules()
            task_obj = app.tasks.get(name)
    return getattr(task_obj, "lane", None)


def route_task(name, args, kwargs, options, task=None, **kw):
    """CELERY_TASK_ROUTES: the queue of the task's declared lane, named from
    the default queue at the moment of sending. Celery's own tasks (no lane)
    go to the default queue."""
    lane = _lane_of(name, task)
    if lane is None:
        return None
    return {"queue": queue_of(lane, app.conf.task_default_queue)}
