"""What the applicant receives over a whole birth bundle: one SMS per moment
they act on (received, supplement needed, result ready), each one GSM-7
segment; e-mail with diacritics for the other steps; their own words never
come back as a "reason"."""
from __future__ import annotations

from functools import partial

import pytest
from django.core import mail

from dossiers import services
from dossiers.models import Notification
from dossiers.notifications import transition_notify
from dossiers.services import _core
from lienthong import formatting
from lienthong.text import SMS_SEGMENT, is_gsm7
from tests.dossiers.payloads import birth_payload
from tests.factories import leg_of

pytestmark = pytest.mark.django_db

CITIZEN_NOTE = "Tôi gửi bổ sung bản sao giấy chứng sinh, mong cán bộ thông cảm"


@pytest.fixture
def worker(django_capture_on_commit_callbacks, caplog):
    """Run each step's after-commit notices as the worker would (the fan-out
    is run by the test itself); returns the SMS the log backend sent."""
    caplog.set_level("INFO", logger="lienthong.sms")

    def run(step):
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            result = step()
        for callback in callbacks:
            if isinstance(callback, partial) and callback.func is _core._queue_notify:
                transition_notify(transition_id=callback.args[0])
        return result

    def sms() -> list[str]:
        return [r.getMessage().split(": ", 1)[1] for r in caplog.records if r.name == "lienthong.sms"]

    run.sms = sms
    return run


def test_a_birth_bundle_sends_one_sms_per_moment_the_citizen_acts_on(eng, worker):
    mail.outbox.clear()
    data = birth_payload(channel="one_stop")
    dossier = worker(lambda: services.dossier_submit(data=data, user=eng.clerk))
    birth = leg_of(dossier, "birth_registration")
    worker(lambda: services.leg_accept(leg_id=birth.pk, user=eng.justice))
    worker(lambda: services.leg_request_supplement(leg_id=birth.pk, user=eng.justice,
                                                   reason="Thiếu bản sao giấy chứng sinh"))
    birth.refresh_from_db()
    supplement_due = birth.supplement_due_at
    worker(lambda: services.dossier_supplement(code=dossier.code, user=eng.clerk, note=CITIZEN_NOTE))
    worker(lambda: services.leg_complete(leg_id=birth.pk, user=eng.justice))
    worker(lambda: services.leg_fan_out(leg_id=birth.pk))
    for service, officer in (("residence_registration", eng.police), ("health_insurance_card", eng.bhxh)):
        leg = leg_of(dossier, service)
        worker(lambda leg=leg, officer=officer: services.leg_accept(leg_id=leg.pk, user=officer))
        worker(lambda leg=leg, officer=officer: services.leg_complete(leg_id=leg.pk, user=officer))
    dossier.refresh_from_db()
    assert dossier.status == "completed"
    worker(lambda: services.dossier_mark_returned(code=dossier.code, user=eng.clerk))

    link = "http://127.0.0.1:8000/tra-cuu/"  # filed at the counter: the public tracking page
    code = dossier.code
    assert worker.sms() == [
        f"Ho so {code} da duoc tiep nhan. Hen tra ket qua: {formatting.day(dossier.due_at)}. Chi tiet: {link}",
        f"Ho so {code} can bo sung giay to truoc {formatting.day(supplement_due)}. Chi tiet: {link}",
        f"Ho so {code} da co ket qua. Chi tiet: {link}",
    ]
    for text in worker.sms():
        assert len(text) <= SMS_SEGMENT and is_gsm7(text), text
    assert Notification.objects.filter(dossier=dossier, channel="sms").count() == 3

    # E-mail keeps the diacritics and records the other steps; accepting a
    # leg and the dossier starting are not mailed.
    subjects = [m.subject for m in mail.outbox]
    assert len(subjects) == Notification.objects.filter(dossier=dossier, channel="email").count() == 10, subjects
    assert "đã được tiếp nhận" in mail.outbox[0].body
    mailed = sorted(Notification.objects.filter(dossier=dossier, channel="email")
                    .values_list("transition__action", flat=True))
    assert mailed == sorted(["submit", "request_supplement", "supplement", "complete", "open", "complete", "open",
                             "complete", "complete", "return"])
    # The citizen's own note is theirs: never sent back as a "reason".
    assert not [m.body for m in mail.outbox if CITIZEN_NOTE in m.body]
    # The officer's reason for the supplement is what the citizen must know.
    assert [m for m in mail.outbox if "Thiếu bản sao giấy chứng sinh" in m.body]


def test_a_long_base_url_drops_the_link_rather_than_pay_two_segments(eng, worker, settings):
    settings.PORTAL_BASE_URL = "https://dichvucong.dongthap.gov.vn/" + "x" * 120
    worker(lambda: services.dossier_submit(data=birth_payload(channel="one_stop"), user=eng.clerk))
    [text] = worker.sms()
    assert len(text) <= SMS_SEGMENT and is_gsm7(text) and "http" not in text, text
