"""The suite's one way to make test data.

Units and users are rows (factory_boy); dossiers and their legs are made only
by the engine's own services (`dossiers.services`), from the payloads of
`tests.dossiers.payloads`, so a change of the schema or of a rule is made once,
in the engine, and every test folder follows it:

    d = dossier_make()                                   # a birth bundle at Xã Tân Hồng, now
    d = dossier_make("death", at=vn(date(2026, 11, 20), 14), unit_code="19624",
                     channel="one_stop", services=["death_registration", "residence_removal"])
    leg_to(leg_of(d, "birth_registration"), "completed", at=vn(date(2026, 11, 20), 15))
    fan_out(leg_of(d, "birth_registration"))             # open what waited for it

`at` runs the service with the clock set to that instant (time-machine): the
engine stamps its own submission, due and transition times, as it would have
then. Before 1/7/2025 a dossier can only be on the legacy map, and the engine
takes it only as an administrator's historical import (`submitted_at`), so
that is how `dossier_make` files it.
"""
from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import factory
import time_machine

from agencies.models import AdminUnit, Role, User
from agencies.selectors import CURRENT_MAP_FROM
from dossiers import services
from dossiers.models import Dossier, Leg, LegStatus, Transition
from tests.dossiers.payloads import birth_payload, death_payload
from tests.helpers import DEMO_PASSWORD

VN = ZoneInfo("Asia/Ho_Chi_Minh")
COMMUNE, PROVINCE = "29926", "82"  # Xã Tân Hồng, Tỉnh Đồng Tháp


# --- units and users ----------------------------------------------------------
def unit(code: str, map_: str = AdminUnit.Map.CURRENT) -> AdminUnit:
    return AdminUnit.objects.select_related("province").get(map=map_, code=code)


def legacy(code: str, level: str = AdminUnit.Level.COMMUNE) -> AdminUnit:
    """A unit of the map before 1/7/2025 (a commune unless `level` says)."""
    return AdminUnit.objects.get(map=AdminUnit.Map.LEGACY, level=level, code=code)


def current(code: str, level: str = AdminUnit.Level.COMMUNE) -> AdminUnit:
    return AdminUnit.objects.get(map=AdminUnit.Map.CURRENT, level=level, code=code)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Faker("name", locale="vi_VN")
    role = Role.CITIZEN

    @factory.post_generation
    def password(self, create: bool, extracted: str | None, **kwargs) -> None:
        self.set_password(extracted or DEMO_PASSWORD)
        if create:
            self.save(update_fields=["password"])


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
    """One user per role around Xã Tân Hồng, and a police officer of Hà Nội."""
    commune, province = unit(COMMUNE), unit(PROVINCE)
    other = unit("01")  # Hà Nội

    def make(name: str, role: str, where=None, agency: str = "") -> User:
        return UserFactory(username=f"{prefix}-{name}", role=role, unit=where, agency=agency,
                           email=f"{name}@example.vn")

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


def _admin() -> User:
    return UserFactory(username="factory-admin", role=Role.ADMIN, is_staff=True, is_superuser=True)


def _citizen() -> User:
    return UserFactory(username="factory-citizen", role=Role.CITIZEN)


def _clerk(commune: AdminUnit) -> User:
    return UserFactory(username=f"factory-clerk-{commune.map}-{commune.code}", role=Role.ONE_STOP_CLERK,
                       unit=commune)


def officer_for(leg: Leg) -> User:
    """An officer of the leg's agency for its whole (current-map) province."""
    province = AdminUnit.objects.get(pk=leg.scope_province_id)
    return UserFactory(username=f"factory-{leg.agency}-{province.code}", role=Role.OFFICER, agency=leg.agency,
                       unit=province)


# --- time ---------------------------------------------------------------------
def vn(day: date, hh: int = 9, mm: int = 0) -> datetime:
    """A Vietnamese local time."""
    return datetime.combine(day, time(hh, mm), tzinfo=VN)


@contextlib.contextmanager
def clock(at: datetime | None) -> Iterator[None]:
    """The wall clock stands at `at` (when given) while the block runs."""
    if at is None:
        yield
        return
    with time_machine.travel(at, tick=False):
        yield


# --- dossiers and legs --------------------------------------------------------
def payload(bundle: str = "birth", *, unit_code: str | None = None, **overrides: Any) -> dict[str, Any]:
    """A payload of tests.dossiers.payloads, at another commune if asked
    (the birth's residence moves with it: the law's commune)."""
    make = birth_payload if bundle == "birth" else death_payload
    data = make(**overrides)
    if unit_code is not None:
        data["unit"] = unit_code
        if "residence" in data["subject"]:
            data["subject"]["residence"]["unit"] = unit_code
    return data


def dossier_make(bundle: str = "birth", *, at: datetime | None = None, user: User | None = None,
                 unit_code: str | None = None, files: tuple = (), **overrides: Any) -> Dossier:
    """A dossier submitted through `services.dossier_submit` (at `at`, if
    given). The filer is `user`, or else: an administrator's historical import
    before 1/7/2025, a citizen online, the commune's clerk at the counter."""
    with clock(at):
        data = payload(bundle, unit_code=unit_code, **overrides)
        imported = at is not None and at.date() < CURRENT_MAP_FROM
        if imported:
            data["submitted_at"] = at.isoformat()
        if user is None:
            if imported:
                user = _admin()
            elif data.get("channel", "online") == "online":
                user = _citizen()
            else:
                user = _clerk(unit(data["unit"]))
        return services.dossier_submit(data=data, user=user, files=list(files))


def leg_of(dossier: Dossier, service: str) -> Leg:
    return Leg.objects.get(dossier=dossier, service=service)


def fan_out(leg: Leg, *, at: datetime | None = None) -> list[int]:
    """What the Celery task does after `leg` finished, run here and now."""
    with clock(at):
        return services.leg_fan_out(leg_id=leg.pk)


REASON = "Hồ sơ thiếu giấy tờ theo quy định."


def leg_to(leg: Leg, state: str, *, at: datetime | None = None, user: User | None = None,
           result: dict | None = None, reason: str = REASON, fan: bool = True) -> Leg:
    """Move `leg` to `state` by the engine's own transitions (accepting it
    first where the state needs it), at `at` if given. A completed or rejected
    prerequisite opens or cancels its dependants (`fan`), as the worker would."""
    user = user or officer_for(leg)
    with clock(at):
        leg.refresh_from_db()
        if state in (LegStatus.IN_PROGRESS, LegStatus.COMPLETED, LegStatus.AWAITING_SUPPLEMENT) \
                and leg.status == LegStatus.PENDING:
            leg = services.leg_accept(leg_id=leg.pk, user=user)
        if state == LegStatus.COMPLETED:
            leg = services.leg_complete(leg_id=leg.pk, user=user, result=result)
        elif state == LegStatus.REJECTED:
            leg = services.leg_reject(leg_id=leg.pk, user=user, reason=reason)
        elif state == LegStatus.AWAITING_SUPPLEMENT:
            leg = services.leg_request_supplement(leg_id=leg.pk, user=user, reason=reason)
        elif state != LegStatus.IN_PROGRESS:
            raise ValueError(f"leg_to: no transition to {state!r}")
        if fan and state in (LegStatus.COMPLETED, LegStatus.REJECTED):
            services.leg_fan_out(leg_id=leg.pk)
    leg.refresh_from_db()
    assert leg.status == state, (leg.service, leg.status, state)
    return leg


FIRST_SERVICE = {"birth": "birth_registration", "death": "death_registration"}


def dossier_registered(bundle: str = "birth", *, first_leg: str = LegStatus.COMPLETED, at: datetime | None = None,
                       result: dict | None = None, user: User | None = None, **overrides: Any) -> Dossier:
    """A dossier whose first leg (the civil registration, which the others
    wait for) the justice officer moved to `first_leg`, at `at` if given."""
    dossier = dossier_make(bundle, at=at, user=user, **overrides)
    leg_to(leg_of(dossier, FIRST_SERVICE[bundle]), first_leg, at=at, result=result)
    dossier.refresh_from_db()
    return dossier


def story(dossier: Dossier) -> list[tuple[str, str, str, str]]:
    """The transition log as (service or "dossier", action, from, to)."""
    return [(t.leg.service if t.leg_id else "dossier", t.action, t.from_state, t.to_state)
            for t in Transition.objects.filter(dossier=dossier).select_related("leg").order_by("at", "id")]

