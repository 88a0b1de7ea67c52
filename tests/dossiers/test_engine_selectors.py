"""Preview for the counter, and the reads: lists, queues, counts, the
logged detail view with masking."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.http import Http404
from django.utils import timezone

from dossiers import selectors, services
from dossiers.models import Dossier, DossierView, Leg
from tests.dossiers.payloads import birth_payload, death_payload
from tests.factories import leg_of

pytestmark = pytest.mark.django_db


def test_preview_plans_legs_and_deadlines_without_writing(eng):
    preview = services.dossier_preview(data=birth_payload(), user=eng.citizen)
    assert preview["errors"] == {}
    assert [leg["service"] for leg in preview["legs"]] == ["birth_registration", "residence_registration",
                                                           "health_insurance_card"]
    birth, residence, _card = preview["legs"]
    # As the slip prints it: a due time for the first leg, working days
    # counted from its result for the one that waits.
    assert birth["due_at"] and residence["depends_on"] == "birth_registration"
    assert residence["due_at"] is None and residence["deadline_days"] > 0
    assert preview["due_at"] and len(preview["verdicts"]) == 3
    assert not Dossier.objects.exists()
    dossier = services.dossier_submit(data=birth_payload(), user=eng.citizen)
    assert leg_of(dossier, "birth_registration").due_at == birth["due_at"]
    assert leg_of(dossier, "residence_registration").deadline_days == residence["deadline_days"]
    assert dossier.due_at == preview["due_at"]


def test_preview_reports_field_errors(eng):
    preview = services.dossier_preview(data=birth_payload(subject__residence__household_type="collective"),
                                       user=eng.citizen)
    assert preview["errors"] and preview["legs"] == []
    assert any(not v.offered for v in preview["verdicts"])


def test_detail_read_writes_nothing_and_masks_for_readers(eng):
    dossier = services.dossier_submit(data=death_payload(), user=eng.citizen)
    shown = selectors.dossier_for_display(user=eng.viewer, code=dossier.code)
    assert not shown.full_data and shown.masked["subject"] == "045******123"
    shown = selectors.dossier_for_display(user=eng.justice, code=dossier.code)
    assert shown.full_data and [leg.service for leg in shown.leg_list][0] == "death_registration"
    # Reads do not write: the pages record the opening (services.dossier_view_record).
    assert not DossierView.objects.exists()
    for user in (eng.viewer, eng.justice):
        shown = selectors.dossier_for_display(user=user, code=dossier.code)
        services.dossier_view_record(user=user, dossier=shown, full_data=shown.full_data)
    assert list(DossierView.objects.values_list("user__username", "full_data").order_by("id")) == [
        (eng.viewer.username, False), (eng.justice.username, True)]
    with pytest.raises(Http404):
        selectors.dossier_for_display(user=eng.other_police, code=dossier.code)


def test_queue_is_ordered_by_due_time_and_counts_by_status(eng):
    first = services.dossier_submit(data=birth_payload(), user=eng.citizen)
    second = services.dossier_submit(data=birth_payload(), user=eng.citizen)
    Leg.objects.filter(pk=leg_of(second, "birth_registration").pk).update(due_at=timezone.now() - timedelta(hours=1))
    queue = list(selectors.leg_queue(user=eng.justice))
    assert [leg.dossier_id for leg in queue] == [second.pk, first.pk]
    assert selectors.leg_queue(user=eng.police).count() == 0  # waiting legs are not work yet
    counts = selectors.leg_counts(user=eng.justice)
    assert counts["pending"] == 2 and counts["completed"] == 0


def test_list_overdue_filter(eng):
    late = services.dossier_submit(data=birth_payload(), user=eng.citizen)
    services.dossier_submit(data=birth_payload(), user=eng.citizen)
    Dossier.objects.filter(pk=late.pk).update(due_at=timezone.now() - timedelta(hours=1))
    assert list(selectors.dossier_list(user=eng.clerk, overdue=True)) == [late]
    assert late not in selectors.dossier_list(user=eng.clerk, overdue=False)


def test_citizens_see_only_their_own(eng):
    from tests.factories import UserFactory

    mine = services.dossier_submit(data=birth_payload(), user=eng.citizen)
    other = UserFactory(username="e-other-citizen")
    services.dossier_submit(data=birth_payload(), user=other)
    assert list(selectors.dossier_list(user=eng.citizen)) == [mine]
