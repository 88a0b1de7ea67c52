"""Celery tasks of the dossier engine.

Tasks take ids, re-fetch their rows and call a service; every service they
call checks state under a row lock, so a task delivered twice (acks_late, a
retry, a second worker) changes nothing the second time.
"""
from __future__ import annotations

from lienthong.celery import DISPATCH, task


@task(lane=DISPATCH, name="dossiers.tasks.fan_out")
def fan_out(leg_id: int) -> list[int]:
    """A prerequisite leg finished: open (or cancel) the legs waiting for it."""
    from dossiers.services import leg_fan_out

    return leg_fan_out(leg_id=leg_id)


@task(lane=DISPATCH, name="dossiers.tasks.notify_transition")
def notify_transition(transition_id: int) -> int:
    """Tell the applicant about one status change (email and SMS, once each)."""
    from dossiers.notifications import transition_notify

    return transition_notify(transition_id=transition_id)


@task(lane=DISPATCH, name="dossiers.tasks.sweep")
def sweep(documents_after_seconds: int | None = None) -> dict[str, int]:
    """Every minute (beat): missed fan-out, overdue legs, expired supplements,
    automatic residence removal, dossiers to close, notices and documents
    whose task never reached the broker (after `documents_after_seconds`,
    default two minutes)."""
    from datetime import timedelta

    from dossiers.services import DOCUMENT_RETRY_AFTER, dossiers_sweep

    after = DOCUMENT_RETRY_AFTER if documents_after_seconds is None else timedelta(seconds=documents_after_seconds)
    return dossiers_sweep(documents_after=after)


@task(lane=DISPATCH, name="dossiers.tasks.purge_expired_personal_data")
def purge_expired_personal_data() -> dict[str, int]:
    """Daily (beat): attachments and personal details of dossiers closed
    longer than the retention rules allow (docs/domain.md §10)."""
    from dossiers.services import dossiers_purge

    return dossiers_purge()
