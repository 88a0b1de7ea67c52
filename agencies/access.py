"""The one place that decides what a user may see and do (docs/domain.md §2).

Views, API views, selectors and reports ask this module; none of them checks a
role on its own. Out-of-scope objects are reported as missing (404), never as
forbidden, so a guessed id leaks nothing.
"""
from __future__ import annotations

from functools import wraps
from typing import TYPE_CHECKING, Any, TypeAlias

from django.apps import apps
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from rest_framework.request import Request

from agencies.models import AdminUnit, AgencyKind, Role, User

# agencies imports nothing of dossiers: its models are looked up by name
# (apps.get_model). In the annotations, rows of dossiers.Dossier and dossiers.Leg.
Dossier: TypeAlias = Any
Leg: TypeAlias = Any


def _model(name: str) -> type[Model]:
    return apps.get_model("dossiers", name)


if TYPE_CHECKING:
    from django_htmx.middleware import HtmxDetails


class SignedInRequest(HttpRequest):
    """What a view behind `login_required` or `staff_required` receives, for
    the type checker: a portal user, and django_htmx's `htmx` details."""

    user: User
    htmx: HtmxDetails


class SignedInApiRequest(Request):
    """The same for the API's views (IsAuthenticated is the default)."""

    user: User


STAFF_ROLES = (Role.ONE_STOP_CLERK, Role.OFFICER, Role.PROVINCIAL_VIEWER, Role.ADMIN)


def _is_province(unit: AdminUnit | None) -> bool:
    return unit is not None and unit.level == AdminUnit.Level.PROVINCE


def _unit_q(user: User, prefix: str = "") -> Q:
    """Dossiers inside the user's unit: a commune, or a whole province."""
    if user.unit_id is None:
        return Q(pk__in=[])
    if _is_province(user.unit):
        return Q(**{f"{prefix}scope_province_id": user.unit_id})
    return Q(**{f"{prefix}scope_unit_id": user.unit_id})


def dossier_q(user: User) -> Q:
    """Filter on Dossier for what `user` may see."""
    if not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    if user.role == Role.ADMIN or user.is_superuser:
        return Q()
    if user.role == Role.CITIZEN:
        return Q(submitted_by_id=user.pk)
    if user.role in (Role.ONE_STOP_CLERK, Role.PROVINCIAL_VIEWER):
        return _unit_q(user)
    if user.role == Role.OFFICER:
        return _unit_q(user) & Q(legs__agency=user.agency)
    return Q(pk__in=[])


def leg_q(user: User) -> Q:
    """Filter on Leg for the legs `user` may act on (an officer's work queue)."""
    if not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    if user.role == Role.ADMIN or user.is_superuser:
        return Q()
    if user.role == Role.OFFICER and user.agency:
        # The leg's own copy of its dossier's scope (dossiers.models.Leg): the
        # same rows as through the dossier, read from one index range.
        return _unit_q(user) & Q(agency=user.agency)
    return Q(pk__in=[])


def visible_dossiers(user: User, queryset: QuerySet | None = None) -> QuerySet:
    dossiers = _model("Dossier")._default_manager
    qs = dossiers.all() if queryset is None else queryset
    q = dossier_q(user)
    # Officers' filter crosses the legs relation: keep one row per dossier.
    if user.is_authenticated and user.role == Role.OFFICER:
        return qs.filter(pk__in=dossiers.filter(q).values("pk"))
    return qs.filter(q)


def workable_legs(user: User, queryset: QuerySet | None = None) -> QuerySet:
    qs = _model("Leg")._default_manager.all() if queryset is None else queryset
    return qs.filter(leg_q(user))


def can_view_dossier(user: User, dossier: Dossier) -> bool:
    return visible_dossiers(user).filter(pk=dossier.pk).exists()


def can_act_on_dossier(user: User, dossier: Dossier) -> bool:
    """May see personal data in full: the dossier's own clerk, citizen, an
    officer with a leg on it, or an admin. Provincial viewers only read."""
    if not user.is_authenticated or user.role == Role.PROVINCIAL_VIEWER:
        return False
    return can_view_dossier(user, dossier)


def can_act_on_leg(user: User, leg: Leg) -> bool:
    return workable_legs(user).filter(pk=leg.pk).exists()


def can_submit(user: User) -> bool:
    """Who files dossiers at all (docs/api.md): citizens, one-stop clerks, and
    admins for historical imports. Officers and viewers never do."""
    return user.is_authenticated and (
        user.role in (Role.CITIZEN, Role.ONE_STOP_CLERK, Role.ADMIN) or user.is_superuser)


def can_submit_for_unit(user: User, unit: AdminUnit) -> bool:
    """Citizens may file anywhere (the law decides the commune); a clerk only
    at their own commune's counter; an admin anywhere (historical imports)."""
    if not user.is_authenticated:
        return False
    if user.role in (Role.CITIZEN, Role.ADMIN) or user.is_superuser:
        return True
    if user.role == Role.ONE_STOP_CLERK:
        return user.unit_id is not None and (unit.pk == user.unit_id or unit.successor_id == user.unit_id)
    return False


# Submission fields only some roles may set (every door goes through
# dossiers.validation.submission_clean, which asks `may_set_submission_field`).
# - submitted_at: the moment of a historical dossier an administrator imports;
# - needs_verification: the one-stop clerk's call that the residence needs
#   verifying (it lengthens the police deadline).
SUBMISSION_FIELD_ROLES: dict[str, tuple[str, ...]] = {
    "submitted_at": (Role.ADMIN,),
    "needs_verification": (Role.ONE_STOP_CLERK, Role.ADMIN),
}


def may_set_submission_field(user: Any, field: str) -> bool:
    """Whether `user` may give `field` of a submission a value other than its
    default (fields not listed in SUBMISSION_FIELD_ROLES: anyone who submits)."""
    roles = SUBMISSION_FIELD_ROLES.get(field)
    if roles is None:
        return True
    return bool(getattr(user, "is_superuser", False) or getattr(user, "role", None) in roles)


def can_use_counter(user: User) -> bool:
    """The one-stop counter (intake on a citizen's behalf) is the clerks',
    at their own commune."""
    return (user.is_authenticated and user.role == Role.ONE_STOP_CLERK and user.unit is not None
            and can_submit_for_unit(user, user.unit))


def can_act_at_counter(user: User, dossier: Dossier) -> bool:
    """What the counter does for a dossier after filing (record a supplement
    or a withdrawal the citizen brings, hand over the results): its own
    commune's clerks."""
    return user.is_authenticated and user.role == Role.ONE_STOP_CLERK and can_act_on_dossier(user, dossier)


def can_rate_dossier(user: User, dossier: Dossier) -> bool:
    """Who records the citizen's satisfaction: the citizen on their own
    dossier's page, or the commune's clerk handing the result over."""
    if is_citizen(user):
        return can_view_dossier(user, dossier)
    return can_act_at_counter(user, dossier)


def is_citizen(user: Any) -> bool:
    """A citizen's account (the applicant of what they filed online)."""
    return bool(getattr(user, "is_authenticated", False) and user.role == Role.CITIZEN)


def uses_citizen_pages(user: User) -> bool:
    """The citizens' own pages: citizens only (staff and administrators have
    theirs, even a superuser left with the default role)."""
    return is_citizen(user) and not user.is_superuser


def sees_every_province(user: User) -> bool:
    """Administrators read and enter figures for any province."""
    return user.is_authenticated and (user.role == Role.ADMIN or user.is_superuser)


def difficulty_agency(user: User) -> str:
    """The agency a difficulty report is filed under: the officer's, or the
    one-stop shop for its clerks."""
    return user.agency or (AgencyKind.ONE_STOP if user.role == Role.ONE_STOP_CLERK else "")


def can_view_province(user: User, province: AdminUnit) -> bool:
    """Reports and dashboards of a province."""
    if not user.is_authenticated:
        return False
    if user.role == Role.ADMIN or user.is_superuser:
        return True
    if user.role in (Role.PROVINCIAL_VIEWER, Role.OFFICER) and user.unit_id:
        target = province.successor_id or province.pk
        return user.unit_id in (province.pk, target)
    return False


def can_report_outside_counts(user: User) -> bool:
    return user.is_authenticated and (
        user.role in (Role.PROVINCIAL_VIEWER, Role.ADMIN) or user.is_superuser
        or (user.role == Role.OFFICER and user.agency == AgencyKind.POLICE)
    )


def difficulty_q(user: User) -> Q:
    """Filter on reports.DifficultyReport: a commune's staff see their
    commune's reports, provincial staff the whole province's."""
    if not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    if user.role == Role.ADMIN or user.is_superuser:
        return Q()
    if user.unit_id is None or user.role == Role.CITIZEN:
        return Q(pk__in=[])
    if _is_province(user.unit):
        return Q(unit=user.unit) | Q(unit__province=user.unit)
    return Q(unit=user.unit)


def can_file_difficulty(user: User) -> bool:
    """Any unit's staff report a difficulty; the provincial office reads them."""
    return (user.is_authenticated and user.unit_id is not None
            and user.role in (Role.ONE_STOP_CLERK, Role.OFFICER))


def can_close_difficulties(user: User) -> bool:
    """The provincial office (and an admin) closes difficulty reports."""
    if not user.is_authenticated:
        return False
    if user.role == Role.ADMIN or user.is_superuser:
        return True
    return user.role == Role.PROVINCIAL_VIEWER and _is_province(user.unit)


def can_review_access(user: User) -> bool:
    """The report of unusual access to personal data (docs/domain.md §2):
    administrators, and a province's own office for its province."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.role == Role.ADMIN or user.is_superuser:
        return True
    return user.role == Role.PROVINCIAL_VIEWER and _is_province(user.unit)


def access_review_q(user: User) -> Q:
    """Filter on dossiers.DossierView for the openings `user` may review:
    every one for an administrator, those of the province's dossiers for its
    provincial office."""
    if not can_review_access(user):
        return Q(pk__in=[])
    if user.role == Role.ADMIN or user.is_superuser:
        return Q()
    return Q(dossier__scope_province_id=user.unit_id)


def can_export_personal_data(user: User) -> bool:
    """A data-subject request (everything held about one personal ID) spans
    provinces and dossiers nobody else may see together: administrators only."""
    return user.is_authenticated and user.is_active and (user.role == Role.ADMIN or user.is_superuser)


def is_staff_user(user: User) -> bool:
    return user.is_authenticated and (user.role in STAFF_ROLES or user.is_superuser)


def get_dossier_or_404(user: User, code: str) -> Dossier:
    dossier = visible_dossiers(user).filter(code=code).first()
    if dossier is None:
        raise Http404
    return dossier


def get_leg_or_404(user: User, leg_id: int) -> Leg:
    leg = workable_legs(user).select_related("dossier").filter(pk=leg_id).first()
    if leg is None:
        raise Http404
    return leg


def mask_personal_id(value: str) -> str:
    """"001234567789" → "001******789" (lists and read-only views)."""
    if not value or len(value) < 7:
        return value
    return f"{value[:3]}{'*' * (len(value) - 6)}{value[-3:]}"


def staff_required(view):
    """Signed-in staff only; citizens get 403 (they have their own pages)."""

    @login_required
    @wraps(view)
    def wrapped(request: SignedInRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not is_staff_user(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped
