"""Reads on dossiers and legs, always through `agencies.access` so nobody
sees past their scope."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.db.models.functions import TruncDate
from django.http import Http404
from django.utils import timezone

from agencies import access
from agencies.calendar import TZ
from agencies.models import Role, User
from dossiers.models import OPEN_DOSSIER_STATES, Dossier, Leg, LegStatus, Transition
from lienthong.text import search_key

ORDERINGS = {"submitted_at", "-submitted_at", "due_at", "-due_at", "code", "-code", "status", "-status",
             "closed_at", "-closed_at"}


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=TZ)


def overdue_q(now: datetime | None = None) -> Q:
    """Late now (open past its due time), closed late, or with a late leg."""
    now = now or timezone.now()
    return (Q(status__in=OPEN_DOSSIER_STATES, due_at__lt=now)
            | Q(closed_at__isnull=False, due_at__isnull=False, closed_at__gt=F("due_at"))
            | Q(pk__in=Leg.objects.filter(overdue=True).values("dossier_id")))


def _matching(qs: QuerySet, search: str | None, prefix: str = "") -> QuerySet:
    """Every typed word in the dossier's search key (code, names, personal
    IDs, diacritics dropped: lienthong.text.search_key)."""
    for word in search_key(search or "").split():
        qs = qs.filter(**{f"{prefix}search_text__contains": word})
    return qs


def dossier_list(*, user: User, status: str | None = None, bundle: str | None = None, unit: str | None = None,
                 search: str | None = None, overdue: bool | None = None, channel: str | None = None,
                 date_from: date | None = None, date_to: date | None = None,
                 ordering: str | None = None) -> QuerySet[Dossier]:
    qs = access.visible_dossiers(user).select_related("unit", "scope_unit", "scope_province")
    if status:
        qs = qs.filter(status__in=[s for s in str(status).split(",") if s])
    if bundle:
        qs = qs.filter(bundle=bundle)
    if channel:
        qs = qs.filter(channel=channel)
    if unit:
        code = str(unit).strip()
        qs = qs.filter(Q(unit__code=code) | Q(scope_unit__code=code) | Q(scope_province__code=code))
    qs = _matching(qs, search)
    if overdue is not None:
        qs = qs.filter(overdue_q()) if overdue else qs.exclude(overdue_q())
    if date_from:
        qs = qs.filter(submitted_at__gte=_day_start(date_from))
    if date_to:
        qs = qs.filter(submitted_at__lt=_day_start(date_to) + timedelta(days=1))
    if ordering in ORDERINGS:
        qs = qs.order_by(ordering, "-id")
    else:
        qs = qs.order_by("-submitted_at", "-id")
    return qs


def leg_queue(*, user: User, status: str | None = None, service: str | None = None,
              search: str | None = None) -> QuerySet[Leg]:
    """The officer's work queue, the most urgent first. Without a status,
    everything but the legs still waiting for a prerequisite. `search` finds
    a dossier code, a name (with or without diacritics) or a personal ID."""
    qs = _matching(access.workable_legs(user).select_related("dossier", "dossier__unit"), search, "dossier__")
    if status:
        qs = qs.filter(status__in=[s for s in str(status).split(",") if s])
    else:
        qs = qs.exclude(status=LegStatus.WAITING)
    if service:
        qs = qs.filter(service=service)
    return qs.order_by(F("due_at").asc(nulls_last=True), "id")


def leg_counts(*, user: User) -> dict[str, int]:
    counts = dict.fromkeys(LegStatus.values, 0)
    for row in access.workable_legs(user).values("status").annotate(n=Count("id")):
        counts[row["status"]] = row["n"]
    return counts


def dossier_timeline(dossier: Dossier) -> list[Transition]:
    return list(Transition.objects.filter(dossier=dossier).select_related("leg", "actor").order_by("at", "id"))


def dossier_for_display(*, user: User, code: str) -> Dossier:
    """The dossier with its legs. `dossier.full_data` says whether personal
    IDs may be shown whole; `dossier.masked` holds the masked forms for
    everyone else. Reads only: the page that shows it records the opening
    (services.dossier_view_record)."""
    dossier = (access.visible_dossiers(user).select_related("unit", "scope_unit", "scope_province", "submitted_by")
               .filter(code=code).first())
    if dossier is None:
        raise Http404
    full = access.can_act_on_dossier(user, dossier)
    dossier.full_data = full
    dossier.leg_list = list(
        dossier.legs.select_related("depends_on", "assigned_to").order_by("id"))
    dossier.masked = masked_people(dossier)
    return dossier


def masked_people(dossier: Dossier) -> dict[str, str]:
    """Personal IDs of a dossier, masked (lists, read-only views)."""
    subject, applicant = dossier.subject or {}, dossier.applicant or {}
    out = {"subject": access.mask_personal_id(dossier.subject_personal_id),
           "applicant": access.mask_personal_id(applicant.get("personal_id", ""))}
    for parent in ("mother", "father"):
        out[parent] = access.mask_personal_id((subject.get(parent) or {}).get("personal_id", ""))
    return out


# --- personal data (docs/domain.md §2, §9, §10) --------------------------------------
def own_data(*, user: User) -> list[Dossier]:
    """What the portal holds about the signed-in citizen: the dossiers their
    account filed (accounts carry no verified personal ID, so dossiers that
    only name them are not found here), each with its attachments, issued
    documents and every opening of its detail page (`dossier.view_rows`,
    newest first, with the viewer's unit)."""
    from dossiers.models import Attachment, Document, DossierView

    dossiers = list(access.visible_dossiers(user).select_related("unit").order_by("-submitted_at")
                    .prefetch_related(
                        Prefetch("attachments", queryset=Attachment.objects.order_by("uploaded_at", "pk")),
                        Prefetch("documents", queryset=Document.objects.exclude(sha256="").order_by("created_at"))))
    views: dict[int, list[DossierView]] = {}
    for row in (DossierView.objects.filter(dossier__in=[d.pk for d in dossiers])
                .select_related("user", "user__unit").order_by("-at", "-pk")):
        views.setdefault(row.dossier_id, []).append(row)
    for dossier in dossiers:
        dossier.view_rows = views.get(dossier.pk, [])
    return dossiers


def retention_until(dossier: Dossier) -> dict[str, datetime] | None:
    """When a closed dossier loses its attachments and its personal details
    (the rules in force today); None while it is open."""
    from dossiers.services.retention import years_before

    if dossier.closed_at is None:
        return None
    from dossiers import rules

    today = timezone.now()
    return {"attachments": years_before(dossier.closed_at, -int(rules.value("retention.attachments_years", today))),
            "personal": years_before(dossier.closed_at, -int(rules.value("retention.personal_data_years", today)))}


def unusual_access(*, user: User, first: date, last: date, threshold: int) -> list[dict[str, Any]]:
    """Officers who, on one day, opened more than `threshold` distinct
    dossiers outside their queue: dossiers with no leg of the officer's agency
    inside the officer's unit (what agencies.access.leg_q would give them).
    One row per officer and day, most dossiers first; only the officers and
    dossiers `user` may review (agencies.access.access_review_q)."""
    from dossiers.models import DossierView

    start, end = _day_start(first), _day_start(last + timedelta(days=1))
    own_leg = Leg.objects.filter(dossier_id=OuterRef("dossier_id"), agency=OuterRef("user__agency")).filter(
        Q(scope_unit_id=OuterRef("user__unit_id")) | Q(scope_province_id=OuterRef("user__unit_id")))
    rows = (DossierView.objects.filter(access.access_review_q(user), at__gte=start, at__lt=end,
                                       user__role=Role.OFFICER)
            .exclude(Exists(own_leg))
            .annotate(day=TruncDate("at", tzinfo=TZ))
            .values("user_id", "day")
            .annotate(dossiers=Count("dossier_id", distinct=True), full=Count("pk", filter=Q(full_data=True)),
                      views=Count("pk"))
            .filter(dossiers__gt=threshold)
            .order_by("-dossiers", "day", "user_id"))
    out = list(rows)
    people = {u.pk: u for u in User.objects.filter(pk__in={r["user_id"] for r in out}).select_related("unit")}
    for r in out:
        r["user"] = people[r["user_id"]]
    return out
