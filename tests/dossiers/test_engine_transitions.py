"""Each leg transition of docs/domain.md §5, allowed and refused, through the services."""
from __future__ import annotations

import pytest
from django.http import Http404

from dossiers import services
from dossiers.models import Transition
from lienthong.errors import Conflict, DomainError
from tests.dossiers.payloads import birth_payload
from tests.factories import leg_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def dossier(eng):
    return services.dossier_submit(data=birth_payload(), user=eng.citizen)


def _birth(dossier):
    return leg_of(dossier, "birth_registration")


def test_accept_moves_pending_to_in_progress_and_starts_the_dossier(eng, dossier):
    leg = services.leg_accept(leg_id=_birth(dossier).pk, user=eng.justice)
    assert leg.status == "in_progress" and leg.assigned_to == eng.justice
    dossier.refresh_from_db()
    assert dossier.status == "in_progress"
    row = Transition.objects.filter(leg=leg).latest("id")
    assert (row.action, row.from_state, row.to_state, row.actor) == ("accept", "pending", "in_progress", eng.justice)


def test_accept_twice_is_a_conflict(eng, dossier):
    services.leg_accept(leg_id=_birth(dossier).pk, user=eng.justice)
    with pytest.raises(Conflict):
        services.leg_accept(leg_id=_birth(dossier).pk, user=eng.justice)


def test_a_waiting_leg_cannot_be_accepted(eng, dossier):
    with pytest.raises(Conflict):
        services.leg_accept(leg_id=leg_of(dossier, "residence_registration").pk, user=eng.police)


def test_legs_outside_the_officers_agency_or_unit_are_missing(eng, dossier):
    with pytest.raises(Http404):
        services.leg_accept(leg_id=_birth(dossier).pk, user=eng.police)
    with pytest.raises(Http404):
        services.leg_accept(leg_id=_birth(dossier).pk, user=eng.other_police)
    with pytest.raises(Http404):
        services.leg_accept(leg_id=_birth(dossier).pk, user=eng.citizen)


def test_request_supplement_pauses_the_clock(eng, dossier):
    services.leg_accept(leg_id=_birth(dossier).pk, user=eng.justice)
    leg = services.leg_request_supplement(leg_id=_birth(dossier).pk, user=eng.justice, reason="Thiếu giấy chứng sinh")
    assert leg.status == "awaiting_supplement"
    assert leg.paused_at is not None and leg.supplement_due_at > leg.paused_at
    assert leg.reason == "Thiếu giấy chứng sinh"


def test_request_supplement_needs_an_accepted_leg_and_a_reason(eng, dossier):
    with pytest.raises(Conflict):
        services.leg_request_supplement(leg_id=_birth(dossier).pk, user=eng.justice, reason="Thiếu giấy")
    services.leg_accept(leg_id=_birth(dossier).pk, user=eng.justice)
    with pytest.raises(DomainError) as exc:
        services.leg_request_supplement(leg_id=_birth(dossier).pk, user=eng.justice, reason="   ")
    assert exc.value.errors == {"reason": ["Vui lòng nêu lý do."]}
    assert _birth(dossier).status == "in_progress"


def test_supplement_resumes_the_leg(eng, dossier):
    services.leg_accept(leg_id=_birth(dossier).pk, user=eng.justice)
    services.leg_request_supplement(leg_id=_birth(dossier).pk, user=eng.justice, reason="Thiếu giấy chứng sinh")
    services.dossier_supplement(code=dossier.code, user=eng.citizen, note="Đã bổ sung giấy chứng sinh")
    leg = _birth(dossier)
    assert leg.status == "in_progress" and leg.paused_at is None and leg.supplement_due_at is None
    assert Transition.objects.filter(leg=leg, action="supplement", reason="Đã bổ sung giấy chứng sinh").exists()


def test_supplement_without_a_request_is_a_conflict(eng, dossier):
    with pytest.raises(Conflict):
        services.dossier_supplement(code=dossier.code, user=eng.citizen, note="Gửi thêm")


def test_officers_cannot_answer_a_supplement_request(eng, dossier):
    from django.core.exceptions import PermissionDenied

    services.leg_accept(leg_id=_birth(dossier).pk, user=eng.justice)
    services.leg_request_supplement(leg_id=_birth(dossier).pk, user=eng.justice, reason="Thiếu giấy")
    with pytest.raises(PermissionDenied):
        services.dossier_supplement(code=dossier.code, user=eng.justice, note="Tôi tự bổ sung")


def test_complete_needs_an_accepted_leg(eng, dossier):
    with pytest.raises(Conflict):
        services.leg_complete(leg_id=_birth(dossier).pk, user=eng.justice)
    services.leg_accept(leg_id=_birth(dossier).pk, user=eng.justice)
    leg = services.leg_complete(leg_id=_birth(dossier).pk, user=eng.justice)
    assert leg.status == "completed" and leg.finished_at and leg.result["personal_id"]
    with pytest.raises(Conflict):
        services.leg_complete(leg_id=_birth(dossier).pk, user=eng.justice)


def test_completion_queues_the_fan_out_and_the_certificate(eng, dossier, django_capture_on_commit_callbacks):
    services.leg_accept(leg_id=_birth(dossier).pk, user=eng.justice)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.leg_complete(leg_id=_birth(dossier).pk, user=eng.justice)
    names = {getattr(cb, "__name__", "") for cb in callbacks}
    # notification of the completion, the birth certificate, the fan-out
    assert len(callbacks) == 3, names


@pytest.mark.parametrize("accept_first", [False, True])
def test_reject_from_pending_or_in_progress(eng, dossier, accept_first):
    if accept_first:
        services.leg_accept(leg_id=_birth(dossier).pk, user=eng.justice)
    leg = services.leg_reject(leg_id=_birth(dossier).pk, user=eng.justice, reason="Không thuộc thẩm quyền")
    assert leg.status == "rejected" and leg.reason == "Không thuộc thẩm quyền"


def test_reject_with_a_reason_code_stores_the_legal_label(eng, dossier):
    leg = services.leg_reject(leg_id=_birth(dossier).pk, user=eng.justice, reason="wrong_commune")
    assert "Luật Hộ tịch" in leg.reason


def test_reject_is_refused_while_awaiting_supplement_and_when_final(eng, dossier):
    services.leg_accept(leg_id=_birth(dossier).pk, user=eng.justice)
    services.leg_request_supplement(leg_id=_birth(dossier).pk, user=eng.justice, reason="Thiếu giấy")
    with pytest.raises(Conflict):
        services.leg_reject(leg_id=_birth(dossier).pk, user=eng.justice, reason="Không bổ sung")
    services.dossier_supplement(code=dossier.code, user=eng.citizen, note="Đây ạ")
    services.leg_complete(leg_id=_birth(dossier).pk, user=eng.justice)
    with pytest.raises(Conflict):
        services.leg_reject(leg_id=_birth(dossier).pk, user=eng.justice, reason="Đổi ý")


def test_reject_needs_a_reason(eng, dossier):
    with pytest.raises(DomainError) as exc:
        services.leg_reject(leg_id=_birth(dossier).pk, user=eng.justice, reason="")
    assert exc.value.errors == {"reason": ["Vui lòng nêu lý do."]}
    assert _birth(dossier).status == "pending"


def test_fan_out_opens_the_waiting_legs_once(eng, dossier):
    services.leg_accept(leg_id=_birth(dossier).pk, user=eng.justice)
    birth = services.leg_complete(leg_id=_birth(dossier).pk, user=eng.justice)
    opened = services.leg_fan_out(leg_id=birth.pk)
    assert len(opened) == 2
    residence = leg_of(dossier, "residence_registration")
    assert residence.status == "pending" and residence.started_at == birth.finished_at and residence.due_at
    assert services.leg_fan_out(leg_id=birth.pk) == []  # idempotent


def test_withdraw_cancels_open_legs_while_nothing_is_completed(eng, dossier):
    services.dossier_withdraw(code=dossier.code, user=eng.citizen, reason="Nộp nhầm")
    dossier.refresh_from_db()
    assert dossier.status == "withdrawn" and dossier.closed_at
    assert set(dossier.legs.values_list("status", flat=True)) == {"cancelled"}


def test_withdraw_is_refused_after_a_completion(eng, dossier):
    services.leg_accept(leg_id=_birth(dossier).pk, user=eng.justice)
    services.leg_complete(leg_id=_birth(dossier).pk, user=eng.justice)
    with pytest.raises(Conflict):
        services.dossier_withdraw(code=dossier.code, user=eng.citizen, reason="Thôi")


def test_mark_returned_only_once_and_only_when_closed(eng, dossier):
    with pytest.raises(Conflict):
        services.dossier_mark_returned(code=dossier.code, user=eng.clerk)
    services.leg_reject(leg_id=_birth(dossier).pk, user=eng.justice, reason="Không thuộc thẩm quyền")
    returned = services.dossier_mark_returned(code=dossier.code, user=eng.clerk)
    assert returned.returned_at is not None
    with pytest.raises(Conflict):
        services.dossier_mark_returned(code=dossier.code, user=eng.clerk)
