"""Celery tasks of the reports app: take ids, re-fetch, call a service."""
from __future__ import annotations

from datetime import date, timedelta
from functools import partial

from django.db import transaction
from django.utils import timezone

from agencies.models import AdminUnit
from lienthong.celery import REPORTS, task
from reports import selectors, services


@task(lane=REPORTS, name="reports.tasks.build_daily_report")
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


@task(lane=REPORTS, name="reports.tasks.send_daily_report")
def send_daily_report(report_id: int) -> int:
    return services.daily_report_send(report_id=report_id)


@task(lane=REPORTS, name="reports.tasks.render_report_pdf")
def render_report_pdf(kind: str, params: dict, job: str) -> str | None:
    """A report's PDF asked for on a page (adoption, daily on demand, a
    snapshot missing its PDF): WeasyPrint runs here, never in a request."""
    return services.report_pdf_render(kind=kind, params=params, job=job)
