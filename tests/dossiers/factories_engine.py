"""Users and shortcuts for the engine's tests (services, API, flows)."""
from __future__ import annotations

from dataclasses import dataclass

from agencies.models import Role, User
from dossiers.models import Dossier, Leg, Transition
from tests.factories import UserFactory, unit

COMMUNE, PROVINCE = "29926", "82"


@dataclass
class Users:
    citizen: User
    clerk: User
    justice: User
    police: User
    bhxh: User
    labour: User
    viewer: User
    admin: User
    other_police: User  # a police officer of another province


def engine_users_make(prefix: str = "e") -> Users:
    commune, province = unit(COMMUNE), unit(PROVINCE)
    other = unit("01")  # Hà Nội

    def make(name: str, role: str, where=None, agency: str = "") -> User:
        user = UserFactory(username=f"{prefix}-{name}", role=role, unit=where, agency=agency,
                           email=f"{name}@example.vn")
        return user

    return Users(
        citizen=make("citizen", Role.CITIZEN),
        clerk=make("clerk", Role.ONE_STOP_CLERK, commune),
        justice=make("justice", Role.OFFICER, commune, "justice"),
        police=make("police", Role.OFFICER, commune, "police"),
        bhxh=make("bhxh", Role.OFFICER, province, "social_insurance"),
        labour=make("labour", Role.OFFICER, province, "labour"),
        viewer=make("viewer", Role.PROVINCIAL_VIEWER, province),
        admin=UserFactory(username=f"{prefix}-admin", role=Role.ADMIN, is_staff=True, is_superuser=True),
        other_police=make("hn-police", Role.OFFICER, other, "police"),
    )


def leg_of(dossier: Dossier, service: str) -> Leg:
    return Leg.objects.get(dossier=dossier, service=service)


def story(dossier: Dossier) -> list[tuple[str, str, str, str]]:
    """The transition log as (service or "dossier", action, from, to)."""
    return [(t.leg.service if t.leg_id else "dossier", t.action, t.from_state, t.to_state)
            for t in Transition.objects.filter(dossier=dossier).select_related("leg").order_by("at", "id")]
