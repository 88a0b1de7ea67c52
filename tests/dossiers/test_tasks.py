"""The periodic sweep and the notification task, run in-process (the worker
itself is exercised by test_flow_api)."""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import timezone

from dossiers import services, tasks
from dossiers.models import Dossier, Leg, Notification, Transition
from dossiers.notifications import transition_notify
from tests.dossiers.payloads import birth_payload, imported
from tests.factories import leg_of

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture
def dossier(eng):
    return services.dossier_submit(data=birth_payload(), user=eng.citizen)


def at(y, m, d, h=10, mi=0) -> datetime:
    return datetime(y, m, d, h, mi, tzinfo=TZ)


# Received at, its same-day (0 working days) birth leg is due at, the sweeps
# that must leave it alone, the first sweep that must mark it overdue.
# Tết Bính Ngọ 2026 closes offices Monday 16/2 to Friday 20/2.
OVERDUE_CASES = {
    "friday before the cut-off": (at(2026, 11, 20, 14, 59), at(2026, 11, 20, 17),
                                  [at(2026, 11, 20, 15), at(2026, 11, 20, 17)], at(2026, 11, 20, 17, 1)),
    "friday at the cut-off, over the weekend": (
        at(2026, 11, 20, 15), at(2026, 11, 23, 17),
        [at(2026, 11, 20, 17, 1), at(2026, 11, 21, 12), at(2026, 11, 22, 23, 59), at(2026, 11, 23, 17)],
        at(2026, 11, 23, 17, 1)),
    "friday after the cut-off, over Tết 2026": (
        at(2026, 2, 13, 15, 30), at(2026, 2, 23, 17),
        [at(2026, 2, 13, 17, 1), at(2026, 2, 17, 9), at(2026, 2, 20, 17, 1), at(2026, 2, 23, 17)],
        at(2026, 2, 23, 17, 1)),
    "received during Tết 2026": (at(2026, 2, 18, 9), at(2026, 2, 23, 17),
                                 [at(2026, 2, 18, 17, 1), at(2026, 2, 20, 17, 1), at(2026, 2, 23, 16, 59)],
                                 at(2026, 2, 23, 17, 1)),
}


@pytest.mark.parametrize(("received", "due", "quiet", "late"), OVERDUE_CASES.values(), ids=OVERDUE_CASES.keys())
def test_sweep_marks_a_leg_overdue_once_its_deadline_has_passed(eng, received, due, quiet, late):
    dossier = imported(eng, received, services=["birth_registration", "health_insurance_card"])
    assert leg_of(dossier, "birth_registration").due_at == due
    for moment in quiet:
        assert services.dossiers_sweep(now=moment)["overdue"] == 0, moment
        assert leg_of(dossier, "birth_registration").overdue is False, moment
    assert services.dossiers_sweep(now=late)["overdue"] == 1
    birth = leg_of(dossier, "birth_registration")
    assert (birth.status, birth.overdue) == ("pending", True)
    assert leg_of(dossier, "health_insurance_card").overdue is False  # still waiting: no clock yet
    assert services.dossiers_sweep(now=late + timedelta(hours=1))["overdue"] == 0  # marked once


def test_sweep_marks_a_two_day_leg_overdue_only_after_tet(eng, clock):
    # Birth completed Friday 13/2/2026 at 14:30: the residence leg's 2 working
    # days are 23/2 and 24/2, Tết (16–20/2) and the weekend do not count.
    dossier = imported(eng, at(2026, 2, 13, 9))
    birth = leg_of(dossier, "birth_registration")
    clock.moment = at(2026, 2, 13, 14, 30)
    services.leg_accept(leg_id=birth.pk, user=eng.justice)
    services.leg_complete(leg_id=birth.pk, user=eng.justice)
    services.leg_fan_out(leg_id=birth.pk)
    assert leg_of(dossier, "residence_registration").due_at == at(2026, 2, 24, 17)
    for moment in (at(2026, 2, 20, 17, 1), at(2026, 2, 23, 17, 1), at(2026, 2, 24, 17)):
        assert services.dossiers_sweep(now=moment)["overdue"] == 0, moment
    assert services.dossiers_sweep(now=at(2026, 2, 24, 17, 1))["overdue"] == 2  # residence and card
    assert leg_of(dossier, "residence_registration").overdue is True
    assert leg_of(dossier, "health_insurance_card").overdue is True
    assert leg_of(dossier, "birth_registration").overdue is False  # completed on time


@pytest.mark.parametrize(("completed", "overdue"), [
    (at(2026, 11, 20, 17), False),     # at its due time: on time
    (at(2026, 11, 20, 17, 1), True),   # a minute later: late, though no sweep ran
    (at(2026, 11, 23, 9), True),       # the next Monday
])
def test_a_leg_completed_after_its_due_time_is_marked_overdue(eng, clock, completed, overdue):
    dossier = imported(eng, at(2026, 11, 20, 9))  # Friday: the birth leg is due at 17:00
    birth = leg_of(dossier, "birth_registration")
    clock.moment = at(2026, 11, 20, 9, 30)
    services.leg_accept(leg_id=birth.pk, user=eng.justice)
    clock.moment = completed
    services.leg_complete(leg_id=birth.pk, user=eng.justice)
    birth = leg_of(dossier, "birth_registration")
    assert (birth.status, birth.finished_at, birth.due_at, birth.overdue) == (
        "completed", completed, at(2026, 11, 20, 17), overdue)
    # A completed leg is no business of the sweep any more: its flag stays.
    services.dossiers_sweep(now=at(2026, 11, 30, 9))
    assert leg_of(dossier, "birth_registration").overdue is overdue


def test_sweep_does_not_mark_a_paused_leg_overdue(eng, clock):
    dossier = imported(eng, at(2026, 11, 20, 9))
    birth = leg_of(dossier, "birth_registration")
    clock.moment = at(2026, 11, 20, 10)
    services.leg_accept(leg_id=birth.pk, user=eng.justice)
    services.leg_request_supplement(leg_id=birth.pk, user=eng.justice, reason="Thiếu giấy")
    # Due Friday 20/11 17:00, but waiting for the citizen (until 1/12 17:00).
    assert services.dossiers_sweep(now=at(2026, 11, 23, 9))["overdue"] == 0
    birth = leg_of(dossier, "birth_registration")
    assert (birth.status, birth.overdue) == ("awaiting_supplement", False)


def test_sweep_rejects_a_leg_whose_supplement_did_not_come(eng, clock):
    dossier = imported(eng, at(2026, 11, 20, 9))
    birth = leg_of(dossier, "birth_registration")
    clock.moment = at(2026, 11, 20, 10)  # a Friday
    services.leg_accept(leg_id=birth.pk, user=eng.justice)
    services.leg_request_supplement(leg_id=birth.pk, user=eng.justice, reason="Thiếu giấy")
    # 7 working days: 23–27/11, 30/11, 1/12.
    assert leg_of(dossier, "birth_registration").supplement_due_at == at(2026, 12, 1, 17)
    for moment in (at(2026, 11, 30, 17, 1), at(2026, 12, 1, 17)):
        assert services.dossiers_sweep(now=moment)["expired"] == 0, moment
    later = at(2026, 12, 1, 17, 1)
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
