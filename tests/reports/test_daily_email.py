"""The daily report's e-mail through a real SMTP server on 127.0.0.1 (Django's
SMTP backend, no locmem outbox): retried while the mail server is down or
refuses, marked sent only once a server took it, and sent once when the task
runs twice or its message reaches a real worker twice. The `smtp_server`
fixture is tests/smtp.py's."""
from __future__ import annotations

import re
import smtplib
import uuid
from datetime import date

import pytest

from reports import services
from reports.models import DailyReport, ReportRecipient
from reports.tasks import send_daily_report
from tests.faults.conftest import fault_queue, wait_until, workers  # noqa: F401 - fixtures

D = date(2026, 11, 20)
TO = "vp.ubnd@quangtri.gov.vn"


@pytest.fixture
def report(quang_tri, settings, tmp_path) -> DailyReport:
    settings.MEDIA_ROOT = tmp_path / "media"
    ReportRecipient.objects.create(province=quang_tri, email=TO, name="Văn phòng UBND")
    return services.daily_report_create(province=quang_tri, day=D)


def sent_at(report: DailyReport):
    return DailyReport.objects.values_list("sent_at", flat=True).get(pk=report.pk)


def assert_the_report(message) -> None:
    assert message["To"] == TO
    assert message["Subject"].strip() == "Báo cáo kết quả liên thông ngày 20/11/2026 – Tỉnh Quảng Trị"
    names = sorted(part.get_filename() for part in message.iter_attachments())
    assert names == ["bao-cao-ngay-44-20261120.pdf", "bao-cao-ngay-44-20261120.xlsx"], names


@pytest.mark.django_db
def test_mail_server_down_then_refusing_is_retried_and_marked_sent_after_success(report, smtp_server):
    # Down: nothing listens. The send fails and the report stays unsent.
    with pytest.raises(OSError):
        services.daily_report_send(report_id=report.pk)
    assert sent_at(report) is None

    # Up, but it refuses the next message (451): the task retries (eagerly
    # here, with apply; throw=False as a worker would not raise the Retry)
    # and the retry goes through.
    smtp_server.start()
    smtp_server.refuse(1)
    assert send_daily_report.apply(args=[report.pk], throw=False).get() == 1
    assert smtp_server.attempts == 2 and len(smtp_server.messages) == 1
    assert sent_at(report) is not None
    assert_the_report(smtp_server.messages[0])

    # Run again (a second delivery, a retry after a lost acknowledgement): nothing more.
    assert send_daily_report.apply(args=[report.pk]).get() == 0
    assert smtp_server.attempts == 2 and len(smtp_server.messages) == 1


@pytest.mark.django_db
def test_service_closing_answer_leaves_the_report_unsent(report, smtp_server):
    smtp_server.start()
    smtp_server.refuse(1, "421 4.3.2 Service shutting down")
    with pytest.raises(smtplib.SMTPException):
        services.daily_report_send(report_id=report.pk)
    assert sent_at(report) is None and smtp_server.messages == []
    assert services.daily_report_send(report_id=report.pk) == 1
    assert sent_at(report) is not None and len(smtp_server.messages) == 1


@pytest.mark.worker
def test_same_message_twice_to_a_worker_with_a_refusing_server_sends_one_email(
        transactional_db, report, smtp_server, fault_queue, workers, settings):  # noqa: F811
    smtp_server.start()
    smtp_server.refuse(1)
    worker = workers.start(fault_queue, pool="prefork", concurrency=2, MEDIA_ROOT=str(settings.MEDIA_ROOT),
                           **smtp_server.env())
    task_id = str(uuid.uuid4())
    for _twice in range(2):  # the same message, delivered twice
        send_daily_report.apply_async(args=[report.pk], task_id=task_id)

    # Both deliveries end in success: the one the server refused after its retry.
    done = re.compile(rf"\[{re.escape(task_id)}\] succeeded")
    wait_until(lambda: len(done.findall(worker.text())) == 2, timeout=120)
    assert f"[{task_id}] retry" in worker.text()
    assert len(smtp_server.messages) == 1 and smtp_server.attempts == 2
    assert_the_report(smtp_server.messages[0])
    assert sent_at(report) is not None
