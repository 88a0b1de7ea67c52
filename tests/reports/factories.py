"""Dossiers and legs written straight through the ORM, with the timestamps
a test needs (the engine's services are not used: reports read rows)."""
from __future__ import annotations

import itertools
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from agencies.models import AdminUnit
from dossiers.models import Dossier, Leg

VN = ZoneInfo("Asia/Ho_Chi_Minh")
_seq = itertools.count(1)
AGENCY = {"birth_registration": "justice", "residence_registration": "police",
          "health_insurance_card": "social_insurance", "death_registration": "justice",
          "residence_removal": "police", "funeral_allowance": "social_insurance", "funeral_support": "labour"}


def at(day: date, hh: int = 9, mm: int = 0) -> datetime:
    """A Vietnamese local time."""
    return datetime.combine(day, time(hh, mm), tzinfo=VN)


def legacy(code: str, level: str = AdminUnit.Level.COMMUNE) -> AdminUnit:
    return AdminUnit.objects.get(map=AdminUnit.Map.LEGACY, level=level, code=code)


def current(code: str, level: str = AdminUnit.Level.COMMUNE) -> AdminUnit:
    return AdminUnit.objects.get(map=AdminUnit.Map.CURRENT, level=level, code=code)


def dossier(unit: AdminUnit, submitted_at: datetime, services: list[str], *, channel: str = "online",
            status: str = "in_progress", **extra) -> Dossier:
    scope = unit if unit.is_current else AdminUnit.objects.get(pk=unit.successor_id)
    bundle = "birth" if services[0] == "birth_registration" else "death"
    return Dossier.objects.create(
        code=f"RPT{next(_seq):06d}", bundle=bundle, services=services, unit=unit, scope_unit=scope,
        scope_province_id=scope.province_id, channel=channel, status=status, applicant_name="Nguyễn Thị Hoa",
        subject_name="Trần Minh Khang", submitted_at=submitted_at, **extra)


def leg(d: Dossier, service: str, status: str, *, started_at: datetime | None = None,
        due_at: datetime | None = None, finished_at: datetime | None = None,
        paused_at: datetime | None = None) -> Leg:
    return Leg.objects.create(dossier=d, service=service, agency=AGENCY[service], status=status,
                              started_at=started_at, due_at=due_at, finished_at=finished_at, paused_at=paused_at)
