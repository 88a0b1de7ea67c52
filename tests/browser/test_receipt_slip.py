"""The printed appointment slip and its PDF are one document (1366×768): the
counter's print view is the PDF's template rendered from the same summary,
with the same QR code (the worker's verification link)."""
from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from dossiers import documents
from dossiers.models import Document
from tests.browser.test_staff_flows import fill_birth, staff, submit_at_counter  # noqa: F401
from tests.helpers import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _tasks_to_the_test_worker(tasks_to_test_worker):
    """Tasks the live server queues go to this run's test worker."""


def _words(text: str) -> str:
    return " ".join(text.split())


def test_printed_slip_is_the_pdf_slip(staff, as_user, celery_worker_process):  # noqa: F811
    clerk = as_user("motcua")
    fill_birth(clerk)
    code = submit_at_counter(clerk)
    # The page polls until the worker has issued the PDF, then shows its QR.
    clerk.locator("a#slip-link").wait_for(timeout=60000)
    slip = Document.objects.get(dossier__code=code, kind=Document.Kind.APPOINTMENT_SLIP)
    qr = clerk.locator(".slip .qr img")
    assert qr.get_attribute("src") == documents.qr_svg_data_uri(documents.verification_url(slip))
    assert documents.verification_url(slip) in clerk.inner_text(".slip .qr")
    screenshot(clerk, "staff-receipt-qr")
    clerk.emulate_media(media="print")
    assert not clerk.locator("[data-print]").is_visible()
    screenshot(clerk, "staff-receipt-qr-print")
    clerk.emulate_media(media="screen")

    # Every line the page prints, the PDF prints (the same template and summary).
    with open(slip.file.path, "rb") as fh:
        pdf = _words("\n".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(fh.read())).pages))
    printed = [_words(row.inner_text()) for row in clerk.locator(".slip table.fields tr").all()]
    assert printed and len(printed) >= 8
    for row in printed:
        for part in row.split(":", 1):
            assert _words(part) in pdf, (part, pdf)
    for text in (clerk.inner_text(".slip h1"), clerk.inner_text(".slip .place-date")):
        assert _words(text) in pdf
