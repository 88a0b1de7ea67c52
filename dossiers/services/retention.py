"""Retention of closed dossiers (docs/domain.md §9, §10).

How long a closed dossier keeps its attachments and its personal details is
data: the rule rows `retention.attachments_years` and
`retention.personal_data_years`, counted from `closed_at` and read on the day
of the purge. A beat task (dossiers.tasks.purge_expired_personal_data) runs
`dossiers_purge` daily.

What stays is what the reports count (reports.selectors): the dossier's code,
bundle, services, units, channel, statuses, flags and timestamps, and its legs
(service, agency, statuses, deadlines, overdue, timestamps). What goes: the
attachment files and rows, the issued PDFs' files and printed summaries, and
every field that names or reaches a person (names, personal IDs, phones,
e-mails, addresses, the applicant and subject JSON, results, free-text
reasons, the filer's account, the notifications' recipients and bodies).

Safe to run twice and beside another run: each batch locks its dossiers
(skipping those another run holds), and a purged dossier no longer matches.
Files are deleted before their rows: a crash in between leaves rows whose
file is already gone, which the next run deletes; the reverse would leave
files nobody can find.
"""
from __future__ import annotations

import logging
from datetime import datetime

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from dossiers import rules
from dossiers.models import Attachment, Document, Dossier, Leg, Notification, PersonalDataLog, Transition
from lienthong.text import search_key

logger = logging.getLogger(__name__)
BATCH = 200


def years_before(moment: datetime, years: int) -> datetime:
    """The same calendar instant `years` earlier (29 February → 28)."""
    try:
        return moment.replace(year=moment.year - years)
    except ValueError:
        return moment.replace(year=moment.year - years, day=28)


def retention_cutoffs(now: datetime) -> tuple[datetime, datetime]:
    """(attachments, personal details): dossiers closed before these instants
    lose them. The periods in force today apply to every closed dossier."""
    return (years_before(now, int(rules.value("retention.attachments_years", now))),
            years_before(now, int(rules.value("retention.personal_data_years", now))))


def _not_purged() -> Q:
    """A dossier that still holds something personal."""
    return (~Q(applicant={}) | ~Q(subject={}) | ~Q(applicant_name="") | ~Q(subject_name="")
            | ~Q(applicant_phone="") | ~Q(applicant_email="") | ~Q(subject_personal_id="")
            | Q(submitted_by__isnull=False))


def _delete_files(queryset: QuerySet) -> None:
    for row in queryset.exclude(file=""):
        row.file.storage.delete(row.file.name)  # missing files are no error


def _attachments_purge(dossier_ids: list[int]) -> int:
    attachments = Attachment.objects.filter(dossier_id__in=dossier_ids)
    _delete_files(attachments)
    deleted, _per_model = attachments.delete()
    return deleted


def _personal_purge(dossiers: list[Dossier]) -> None:
    ids = [d.pk for d in dossiers]
    _attachments_purge(ids)
    documents = Document.objects.filter(dossier_id__in=ids)
    _delete_files(documents)
    documents.update(file="", summary={})
    for dossier in dossiers:
        dossier.applicant, dossier.subject, dossier.notices = {}, {}, []
        dossier.applicant_name = dossier.subject_name = dossier.subject_personal_id = ""
        dossier.applicant_phone = dossier.applicant_email = ""
        dossier.submitted_by = None
        dossier.search_text = search_key(dossier.code)
    Dossier.objects.bulk_update(dossiers, ["applicant", "subject", "notices", "applicant_name", "subject_name",
                                           "subject_personal_id", "applicant_phone", "applicant_email",
                                           "submitted_by", "search_text"])
    Leg.objects.filter(dossier_id__in=ids).update(result=None, reason="")
    Transition.objects.filter(dossier_id__in=ids).exclude(reason="").update(reason="")
    Notification.objects.filter(dossier_id__in=ids).update(recipient="", subject="", body="")


def _batches(queryset: QuerySet[Dossier]):
    """Locked batches of closed dossiers; a batch another run holds is skipped."""
    while True:
        with transaction.atomic():
            batch = list(queryset.select_for_update(skip_locked=True, of=("self",)).order_by("pk")[:BATCH])
            if not batch:
                return
            yield batch


def dossiers_purge(*, now: datetime | None = None) -> dict[str, int]:
    """Apply the retention rules; returns how many dossiers lost their
    attachments and their personal details. Each purge that did something
    writes one PersonalDataLog row (who: nobody, the schedule)."""
    now = now or timezone.now()
    attachments_before, personal_before = retention_cutoffs(now)
    counts = {"attachments": 0, "personal": 0}

    personal = Dossier.objects.filter(closed_at__lt=personal_before).filter(_not_purged())
    for batch in _batches(personal):
        _personal_purge(batch)
        counts["personal"] += len(batch)

    with_files = Dossier.objects.filter(closed_at__lt=attachments_before).filter(
        Exists(Attachment.objects.filter(dossier_id=OuterRef("pk"))))
    for batch in _batches(with_files):
        _attachments_purge([d.pk for d in batch])
        counts["attachments"] += len(batch)

    for action, key, before in ((PersonalDataLog.Action.PURGE_PERSONAL, "personal", personal_before),
                                (PersonalDataLog.Action.PURGE_ATTACHMENTS, "attachments", attachments_before)):
        if counts[key]:
            PersonalDataLog.objects.create(action=action, dossier_count=counts[key],
                                           details={"closed_before": before.isoformat()})
    logger.info("retention purge: %s dossiers lost their attachments, %s their personal details",
                counts["attachments"], counts["personal"])
    return counts
