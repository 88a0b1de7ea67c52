"""Celery application.

Redis is the broker. Tasks are acknowledged late (a worker killed mid-task
leaves the message on the queue for the next worker) and therefore must be
idempotent: every task in this project re-fetches its rows and checks state
before acting. Without REDIS_URL the tasks run eagerly in-process, which is
what `make run` uses on SQLite.

Three queues, so that one kind of work never waits behind another:
`<base>` (dispatch: fan-out, notices, the sweep), `<base>.documents` (PDF
rendering, seconds of CPU each) and `<base>.reports` (the daily report).
`<base>` is CELERY_QUEUE (default `lienthong`); each pool of workers
consumes its own queue (Procfile), a single development worker all three.
"""
from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lienthong.settings")

app = Celery("lienthong")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Task-name prefix → queue suffix.
QUEUE_SUFFIXES = {"dossiers.document_tasks.": "documents", "reports.tasks.": "reports"}


def queue_names(base: str) -> list[str]:
    """Every queue of a deployment whose dispatch queue is `base`."""
    return [base, *(f"{base}.{suffix}" for suffix in QUEUE_SUFFIXES.values())]


def route_task(name, args, kwargs, options, task=None, **kw):
    """CELERY_TASK_ROUTES: documents and reports to their own queues, named
    from the default queue at the moment of sending (tests and benchmarks
    change it per run)."""
    for prefix, suffix in QUEUE_SUFFIXES.items():
        if name.startswith(prefix):
            return {"queue": f"{app.conf.task_default_queue}.{suffix}"}
    return None
