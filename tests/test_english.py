"""English beyond the landing pages (tests/test_translations.py checks the
catalogue, the main pages and API errors, and lends its helpers): the leg
page, the dossier pages, the report pages, the reports' PDFs (text extracted
with pdftotext), and the e-mail and SMS texts.

Notifications have no per-person language: the worker renders them in the
portal's language (Vietnamese) whatever language is active, and the texts
themselves are in the catalogue, so they render in English under
`translation.override("en")`.
"""
from __future__ import annotations

import subprocess

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from dossiers import notifications, services
from dossiers.models import Notification, Transition
from reports import services as report_services
from reports.models import ReportRecipient
from tests.dossiers.payloads import birth_payload
from tests.factories import engine_users_make, leg_of, unit
from tests.helpers import tool, wait_for
from tests.test_translations import VIETNAMESE_CHROME, _client, _untranslated_on, _vietnamese_msgids

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(settings, tmp_path):
    """A birth dossier whose registration the justice officer has taken."""
    settings.MEDIA_ROOT = tmp_path
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    eng = engine_users_make("en")
    dossier = services.dossier_submit(data=birth_payload(), user=eng.citizen)
    birth = leg_of(dossier, "birth_registration")
    services.leg_accept(leg_id=birth.pk, user=eng.justice)
    return eng, dossier, birth


def english_and_vietnamese(user, url: str) -> tuple[str, str]:
    english = _client(user, "cookie").get(url)
    vietnamese = _client(user, "none").get(url)
    assert english.status_code == 200 and vietnamese.status_code == 200, (url, english.status_code)
    return english.content.decode(), vietnamese.content.decode()


def assert_english_page(url: str, html_en: str, html_vi: str, label: str) -> None:
    msgids = _vietnamese_msgids()
    assert _untranslated_on(html_vi, msgids), f"{url}: no catalogue text on the Vietnamese page: check broken"
    assert '<html lang="en">' in html_en and label in html_en, url
    assert not [w for w in VIETNAMESE_CHROME if w in html_en], url
    left = _untranslated_on(html_en, msgids)
    assert not left, f"{url}: Vietnamese text left on the English page: {left}"


def test_leg_and_dossier_pages_in_english(world):
    eng, dossier, birth = world
    pages = [
        (eng.justice, reverse("staff:leg", kwargs={"leg_id": birth.pk}), "Birth registration"),
        (eng.justice, reverse("staff:dossier", kwargs={"code": dossier.code}), "Birth registration"),
        (eng.citizen, reverse("citizen:dossier", kwargs={"code": dossier.code}), "Birth registration"),
    ]
    for user, url, label in pages:
        html_en, html_vi = english_and_vietnamese(user, url)
        assert_english_page(url, html_en, html_vi, label)


def test_report_pages_in_english(world):
    eng, _dossier, _birth = world
    day = report_services.daily_report_create(province=unit("82"), day=dossier_day(world))
    pages = [
        (reverse("reports:adoption"), "Total"),
        (reverse("reports:daily_list"), "Daily report"),
        (reverse("reports:daily_detail", kwargs={"pk": day.pk}), "Received"),
        (reverse("reports:daily_preview"), "Received"),
        (reverse("reports:summary"), "Procedures received"),
    ]
    for url, label in pages:
        html_en, html_vi = english_and_vietnamese(eng.viewer, url)
        assert_english_page(url, html_en, html_vi, label)


def dossier_day(world):
    return timezone.localtime(world[1].submitted_at).date()


def pdf_text(content: bytes, tmp_path, name: str) -> str:
    assert content[:4] == b"%PDF", content[:200]
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(content)
    out = subprocess.run([tool("pdftotext"), str(path), "-"], capture_output=True, check=True)
    return " ".join(out.stdout.decode().split())


@pytest.mark.parametrize(("url", "english", "vietnamese"), [
    ("/bao-cao/ty-le-lien-thong/?format=pdf", ["Total", "Unit"], ["Tổng cộng", "Đơn vị"]),
    ("/bao-cao/ngay/xem/?format=pdf", ["Received", "Completed", "Total"], ["Tiếp nhận", "Hoàn thành", "Tổng cộng"]),
])
def test_report_pdfs_in_english(transactional_db, world, settings, tmp_path, celery_worker_process,
                                tasks_to_test_worker, url, english, vietnamese):
    """The reports' worker renders the PDF in the language of the page that
    asked for it (the request only queues the job, then offers the file)."""
    import lienthong.settings as project

    settings.MEDIA_ROOT = project.MEDIA_ROOT  # where the worker writes the files
    eng = world[0]
    texts = {}
    for how in ("cookie", "none"):
        client = _client(eng.viewer, how)
        asked = client.get(url)
        assert asked.status_code == 302 and "job=" in asked["Location"], (url, asked.status_code)
        wait_for(lambda c=client, to=asked["Location"]: " download>" in c.get(
            to, HTTP_HX_REQUEST="true").content.decode(), timeout=90)
        response = client.get(asked["Location"])
        assert response.status_code == 200, (url, response.status_code)
        content = b"".join(response.streaming_content) if response.streaming else response.content
        texts[how] = pdf_text(content, tmp_path, how)
    for word in vietnamese:  # the check can fail: the default PDF is Vietnamese
        assert word in texts["none"], (url, word)
    for word in english:
        assert word in texts["cookie"], (url, word, texts["cookie"][:1500])
    left = [word for word in vietnamese if word in texts["cookie"]]
    assert not left, f"{url}: Vietnamese left in the English PDF: {left}"


def test_notification_texts_render_in_english(world):
    _eng, dossier, birth = world
    msgids = _vietnamese_msgids()
    checked = 0
    for transition in Transition.objects.filter(dossier=dossier).select_related("leg", "dossier__submitted_by"):
        with translation.override("vi"):
            vi = notifications.transition_message(transition)
        with translation.override("en"):
            subject, body, sms = notifications.transition_message(transition)
        assert vi != (subject, body, sms), transition.action
        for text in (subject, body, sms):
            assert not [m for m in msgids if len(m) > 8 and m in text], (transition.action, text)
        assert subject.startswith("[Liên thông] Dossier "), subject
        assert f"Dear {dossier.applicant_name}," in body, body
        checked += 1
    assert checked >= 3


def test_notifications_are_sent_in_the_portal_language_whatever_is_active(world):
    """No per-applicant language exists: an English request or worker locale
    does not change what the applicant receives."""
    _eng, dossier, _birth = world
    submit = Transition.objects.get(dossier=dossier, leg=None, action="submit")
    with translation.override("en"):
        assert notifications.transition_notify(transition_id=submit.pk) == 2
    email = Notification.objects.get(transition=submit, channel="email")
    assert "đã được tiếp nhận" in email.body and "Kính gửi" in email.body


def test_daily_report_email_in_english_through_smtp(world, smtp_server):
    """Rendered under English, the daily report e-mail (subject, body) is English."""
    smtp_server.start()
    province = unit("82")
    ReportRecipient.objects.create(province=province, email="vp@dongthap.gov.vn", name="Văn phòng")
    report = report_services.daily_report_create(province=province, day=dossier_day(world))
    with translation.override("en"):
        assert report_services.daily_report_send(report_id=report.pk) == 1
    [message] = smtp_server.messages
    subject, body = message["Subject"].strip(), message.get_body(("plain",)).get_content()
    assert "Báo cáo" not in subject and "Kính gửi" not in body, (subject, body)
    msgids = _vietnamese_msgids()
    assert not [m for m in msgids if len(m) > 8 and (m in subject or m in body)], (subject, body)
