"""The periodic sweep and the notification task, run in-process (the worker
itself is exercised by test_flow_api)."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from dossiers import services, tasks
from dossiers.models import Dossier, Leg, Notification, Transition
from dossiers.notifications import transition_notify
from tests.dossiers.payloads import birth_payload
from tests.factories import leg_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def dossier(eng):
    return services.dossier_submit(data=birth_payload(), user=eng.citizen)


def test_sweep_marks_overdue_legs_once(eng, dossier):
    birth = leg_of(dossier, "birth_registration")
    Leg.objects.filter(pk=birth.pk).update(due_at=timezone.now() - timedelta(minutes=1))
    assert services.dossiers_sweep()["overdue"] == 1
    assert leg_of(dossier, "birth_registration").overdue
    assert services.dossiers_sweep()["overdue"] == 0


def test_sweep_does_not_mark_a_paused_leg_overdue(eng, dossier):
    birth = leg_of(dossier, "birth_registration")
    services.leg_accept(leg_id=birth.pk, user=eng.justice)
    services.leg_request_supplement(leg_id=birth.pk, user=eng.justice, reason="Thiếu giấy")
    Leg.objects.filter(pk=birth.pk).update(due_at=timezone.now() - timedelta(minutes=1))
    assert services.dossiers_sweep()["overdue"] == 0


def test_sweep_rejects_a_leg_whose_supplement_did_not_come(eng, dossier):
    birth = leg_of(dossier, "birth_registration")
    services.leg_accept(leg_id=birth.pk, user=eng.justice)
    services.leg_request_supplement(leg_id=birth.pk, user=eng.justice, reason="Thiếu giấy")
    assert services.dossiers_sweep()["expired"] == 0  # still within 7 working days
    later = leg_of(dossier, "birth_registration").supplement_due_at + timedelta(minutes=1)
    assert services.dossiers_sweep(now=later)["expired"] == 1
    birth = leg_of(dossier, "birth_registration")
    assert birth.status == "rejected" and "63/2024" in birth.reason
    dossier.refresh_from_db()
    assert dossier.status == "rejected"
    assert set(dossier.legs.exclude(pk=birth.pk).values_list("status", flat=True)) == {"cancelled"}
    assert Transition.objects.filter(leg=birth, action="expire", actor=None).count() == 1
    assert services.dossiers_sweep(now=later)["expired"] == 0


def test_a_late_supplement_is_refused(eng, dossier):
    from lienthong.errors import Conflict

    birth = leg_of(dossier, "birth_registration")
    services.leg_accept(leg_id=birth.pk, user=eng.justice)
    services.leg_request_supplement(leg_id=birth.pk, user=eng.justice, reason="Thiếu giấy")
    Leg.objects.filter(pk=birth.pk).update(supplement_due_at=timezone.now() - timedelta(minutes=1))
    with pytest.raises(Conflict):
        services.dossier_supplement(code=dossier.code, user=eng.citizen, note="Muộn")


def test_sweep_redoes_a_missed_fan_out(eng, dossier):
    birth = leg_of(dossier, "birth_registration")
    services.leg_accept(leg_id=birth.pk, user=eng.justice)
    services.leg_complete(leg_id=birth.pk, user=eng.justice)  # on_commit never ran: no task went out
    assert leg_of(dossier, "residence_registration").status == "waiting"
    assert services.dossiers_sweep()["fan_out"] == 2
    assert leg_of(dossier, "residence_registration").status == "pending"
    assert leg_of(dossier, "health_insurance_card").status == "pending"
    assert services.dossiers_sweep()["fan_out"] == 0


def test_sweep_closes_a_dossier_whose_legs_are_all_final(eng, dossier):
    # As if a worker died between the last leg and the roll-up.
    Leg.objects.filter(dossier=dossier).update(status="cancelled")
    assert services.dossiers_sweep()["closed"] == 1
    dossier = Dossier.objects.get(pk=dossier.pk)
    assert dossier.status == "rejected" and dossier.closed_at
    assert services.dossiers_sweep()["closed"] == 0


def test_sweep_task_runs_the_sweep(eng, dossier):
    assert set(tasks.sweep.apply().get()) == {"fan_out", "overdue", "expired", "automatic", "closed"}


def test_notifications_go_out_once_per_transition_and_channel(eng, dossier, caplog):
    submit = Transition.objects.get(dossier=dossier, action="submit")
    mail.outbox.clear()
    with caplog.at_level("INFO", logger="lienthong.sms"):
        assert transition_notify(transition_id=submit.pk) == 2
        assert transition_notify(transition_id=submit.pk) == 0
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["hoa@example.vn"] and dossier.code in message.subject
    assert "đã được tiếp nhận" in message.body and f"{dossier.code}" in message.body and "http" in message.body
    assert [r for r in caplog.records if "0912345678" in r.getMessage()]
    assert Notification.objects.filter(transition=submit).count() == 2


def test_a_status_change_tells_the_applicant_in_vietnamese(eng, dossier):
    birth = leg_of(dossier, "birth_registration")
    services.leg_reject(leg_id=birth.pk, user=eng.justice, reason="Không thuộc thẩm quyền")
    mail.outbox.clear()
    for row in Transition.objects.filter(dossier=dossier, action__in=["reject"]):
        transition_notify(transition_id=row.pk)
    bodies = "\n".join(m.body for m in mail.outbox)
    assert "Bị từ chối" in bodies and "Không thuộc thẩm quyền" in bodies and "Đăng ký khai sinh" in bodies


def test_tasks_tolerate_rows_that_are_gone(eng):
    assert tasks.fan_out.apply(args=[987654321]).get() == []
    assert tasks.notify_transition.apply(args=[987654321]).get() == 0


def test_the_link_leads_citizens_to_their_page_and_counter_applicants_to_tracking(eng, dossier):
    from dossiers.notifications import dossier_link

    assert dossier_link(dossier).endswith(f"/cong-dan/ho-so/{dossier.code}/")
    at_counter = services.dossier_submit(data=birth_payload(channel="one_stop"), user=eng.clerk)
    assert dossier_link(at_counter).endswith("/tra-cuu/")
