"""Celery application.

Redis is the broker. Tasks are acknowledged late (a worker killed mid-task
leaves the message on the queue for the next worker) and therefore must be
idempotent: every task in this project re-fetches its rows and checks state
before acting. Without REDIS_URL the tasks run eagerly in-process, which is
what `make run` uses on SQLite.
"""
from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lienthong.settings")

app = Celery("lienthong")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
