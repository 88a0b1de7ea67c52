"""Celery tasks of the reports app: take ids, re-fetch, call a service."""
from __future__ import annotations

from datetime import date, timedelta
from functools import partial

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from agencies.models import AdminUnit
from reports import selectors, services


@shared_task(autoretry_for=(Exception,), retry_backoff=30, max_retries=5)
def build_daily_report(day: str | None = None) -> list[int]:
    """Build yesterday's snapshot for every province with activity or
    recipients, then queue its email. Safe to run twice: existing snapshots
    are kept as they are. Reads the figures on the reports' database (the
    replica when configured: the day is over, so its lag of a few seconds
    does not change them) and writes the snapshots on `default`."""
    report_day = date.fromisoformat(day) if day else timezone.localdate() - timedelta(days=1)
    province_ids = selectors.provinces_for_daily_report(report_day)
    ids = []
    for province in AdminUnit.objects.filter(pk__in=province_ids).order_by("code"):
        report = services.daily_report_create(province=province, day=report_day)
        ids.append(report.pk)
        if report.sent_at is None:
            transaction.on_commit(partial(send_daily_report.delay, report.pk))
    return ids


@shared_task(autoretry_for=(Exception,), retry_backoff=30, max_retries=5)
def send_daily_report(report_id: int) -> int:
    return services.daily_report_send(report_id=report_id)
