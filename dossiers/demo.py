"""Demo dossiers for `manage.py seed_demo`: two dozen dossiers at Xã Tân Hồng
(29926), Tỉnh Đồng Tháp (82), in every state of both bundles, plus eight
weeks of past work (HISTORY), made through the same services the portal uses
(so every one has its transition log). Each step happens at its own past
instant (lienthong.clock), with the handling times of a working province, so
the dashboard's trend, medians and overdue counts look real.

Idempotent: each recipe is marked by its applicant's email
(`demo.<key>@demo.lienthong.vn`) and is built only when missing, all or
nothing. Applicants are not notified.
"""
from __future__ import annotations

import logging
import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from agencies.models import User
from dossiers.models import Dossier, Leg, Transition
from lienthong import clock

logger = logging.getLogger(__name__)

COMMUNE = "29926"
EMAIL = "demo.{key}@demo.lienthong.vn"
USERS = {"citizen": "congdan", "clerk": "motcua.tanhong", "justice": "tuphap.tanhong", "police": "congan.tanhong",
         "social_insurance": "bhxh.dongthap", "labour": "laodong.dongthap", "admin": "quantri"}

BIRTH_ALL = ["birth_registration", "residence_registration", "health_insurance_card"]
BIRTH_CARD = ["birth_registration", "health_insurance_card"]
BIRTH_RESIDENCE = ["birth_registration", "residence_registration"]


@dataclass
class Recipe:
    key: str
    bundle: str
    days_ago: int
    services: list[str]
    steps: list[str] = field(default_factory=list)  # "accept:<service>", "complete:…", "reject:…", …
    channel: str = "online"
    extra: dict = field(default_factory=dict)


# Child, mother, father / deceased and applicant, per recipe, for variety.
BIRTH_PEOPLE = [
    ("Trần Minh Khang", "male", "Nguyễn Thị Hoa", "Trần Văn Minh"),
    ("Lê Ngọc Hân", "female", "Phạm Thị Thu", "Lê Quốc Bảo"),
    ("Nguyễn Gia Huy", "male", "Võ Thị Lan Anh", "Nguyễn Văn Tài"),
    ("Phan Bảo Ngọc", "female", "Huỳnh Thị Kim", "Phan Thanh Sơn"),
    ("Võ Đức Anh", "male", "Đặng Thị Mỹ", "Võ Hoàng Long"),
    ("Huỳnh Khánh Linh", "female", "Trương Thị Ngọc", "Huỳnh Văn Đạt"),
    ("Đặng Quốc Việt", "male", "Lý Thị Hồng", "Đặng Minh Trí"),
    ("Bùi Thảo Vy", "female", "Nguyễn Thị Diễm", "Bùi Văn Khoa"),
    ("Trương Nhật Nam", "male", "Lê Thị Thanh", "Trương Công Danh"),
    ("Lý Minh Thư", "female", "Trần Thị Yến", "Lý Văn Phúc"),
    ("Ngô Thành Đạt", "male", "Mai Thị Hạnh", "Ngô Văn Hậu"),
    ("Mai Tuệ Nhi", "female", "Cao Thị Tuyết", "Mai Văn Lợi"),
    ("Cao Hoàng Phúc", "male", "Đỗ Thị Phượng", "Cao Văn Thắng"),
    ("Đỗ An Nhiên", "female", "Tạ Thị Loan", "Đỗ Minh Hiếu"),
]
DEATH_PEOPLE = [
    ("Lê Văn Bình", "male", 1944, "Lê Thị Mai"),
    ("Nguyễn Thị Lựu", "female", 1939, "Nguyễn Văn Hùng"),
    ("Trần Văn Sáu", "male", 1950, "Trần Thị Bé"),
    ("Phạm Thị Tư", "female", 1941, "Phạm Văn Hai"),
    ("Võ Văn Chín", "male", 1947, "Võ Thị Út"),
    ("Huỳnh Thị Năm", "female", 1936, "Huỳnh Văn Tám"),
    ("Đặng Văn Mười", "male", 1952, "Đặng Thị Hằng"),
    ("Bùi Thị Nhung", "female", 1943, "Bùi Văn Quang"),
    ("Ngô Văn Tư", "male", 1949, "Ngô Thị Sương"),
    ("Lý Văn Thành", "male", 1945, "Lý Thị Ngọc"),
    ("Mai Thị Ba", "female", 1938, "Mai Văn Toàn"),
    ("Cao Văn Lộc", "male", 1951, "Cao Thị Liên"),
]

F = "funeral_allowance"
RECIPES = [
    # Birth bundle
    Recipe("b01", "birth", 0, BIRTH_ALL),
    Recipe("b02", "birth", 0, BIRTH_CARD, channel="one_stop"),
    Recipe("b03", "birth", 1, BIRTH_ALL, ["accept:birth_registration"]),
    Recipe("b04", "birth", 2, BIRTH_ALL, ["accept:birth_registration", "ask:birth_registration"]),
    Recipe("b05", "birth", 2, BIRTH_ALL, ["done:birth_registration"], channel="one_stop"),
    Recipe("b06", "birth", 3, BIRTH_ALL, ["done:birth_registration", "accept:residence_registration"]),
    Recipe("b07", "birth", 4, BIRTH_ALL, ["done:birth_registration", "done:residence_registration",
                                          "accept:health_insurance_card", "ask:health_insurance_card"]),
    Recipe("b08", "birth", 5, BIRTH_ALL, ["done:birth_registration", "done:residence_registration",
                                          "done:health_insurance_card"]),
    Recipe("b09", "birth", 6, BIRTH_CARD, ["done:birth_registration", "done:health_insurance_card", "returned"],
           channel="one_stop"),
    Recipe("b10", "birth", 6, BIRTH_ALL, ["reject:birth_registration"]),
    Recipe("b11", "birth", 7, BIRTH_ALL, ["done:birth_registration", "reject:residence_registration",
                                          "done:health_insurance_card"]),
    Recipe("b12", "birth", 3, BIRTH_RESIDENCE, ["withdraw"]),
    Recipe("b13", "birth", 9, BIRTH_ALL, [], channel="one_stop"),  # overdue, still pending
    Recipe("b14", "birth", 2, BIRTH_RESIDENCE, ["done:birth_registration", "accept:residence_registration"],
           channel="one_stop", extra={"needs_verification": True}),
    # Death bundle (from 15/3/2026 the residence removal is automatic)
    Recipe("d01", "death", 0, ["death_registration", F]),
    Recipe("d02", "death", 1, ["death_registration", F], ["accept:death_registration"], channel="one_stop"),
    Recipe("d03", "death", 2, ["death_registration", F], ["done:death_registration"]),
    Recipe("d04", "death", 3, ["death_registration", F], ["done:death_registration", "accept:funeral_allowance"]),
    Recipe("d05", "death", 5, ["death_registration", F], ["done:death_registration", "done:funeral_allowance"]),
    Recipe("d06", "death", 6, ["death_registration", "funeral_support"],
           ["done:death_registration", "done:funeral_support", "returned"],
           channel="one_stop", extra={"benefit_category": "social_protection"}),
    Recipe("d07", "death", 4, ["death_registration", F], ["reject:death_registration"]),
    Recipe("d08", "death", 7, ["death_registration", F], ["done:death_registration", "reject:funeral_allowance"]),
    Recipe("d09", "death", 2, ["death_registration", F], ["accept:death_registration", "ask:death_registration"]),
    Recipe("d10", "death", 1, ["death_registration", F], ["done:death_registration"],
           extra={"benefit_category": "meritorious_person", "social_insurance_number": ""}),
    Recipe("d11", "death", 4, ["death_registration"], ["done:death_registration"],
           extra={"benefit_category": "none", "is_household_head": True}),
    Recipe("d12", "death", 1, ["death_registration", F], ["withdraw"]),
]
# Eight weeks of past work before the recipes above: one to three dossiers
# a working day, most completed, a few refused or given back.
HISTORY_DAYS = range(10, 57)


def history_recipes() -> list[Recipe]:
    from agencies.calendar import is_working_day

    rng = random.Random(82)
    today = timezone.localdate()
    recipes = []
    for days_ago in HISTORY_DAYS:
        for n in range(rng.choice([0, 1, 1, 1, 2])):
            if not is_working_day(today - timedelta(days=days_ago)):
                continue
            roll = rng.random()
            if rng.random() < 0.6:
                services = BIRTH_ALL if rng.random() < 0.7 else BIRTH_CARD
                steps = [f"done:{s}" for s in services]
                if roll < 0.07:
                    steps = ["reject:birth_registration"]
            else:
                services = ["death_registration", F]
                steps = [f"done:{s}" for s in services]
                if roll < 0.07:
                    steps = ["done:death_registration", "reject:funeral_allowance"]
            if roll > 0.6 and not steps[-1].startswith("reject"):
                steps.append("returned")
            bundle = "birth" if services[0] == "birth_registration" else "death"
            recipes.append(Recipe(f"h{days_ago:02d}{n}", bundle, days_ago, services, steps,
                                  channel="one_stop" if rng.random() < 0.45 else "online"))
    return recipes


# Hours from a leg's opening to its completion, as a working province takes
# them (same-day civil status, a few days for residence and benefits).
HANDLING_HOURS = {"birth_registration": (1.5, 26), "residence_registration": (20, 96),
                  "health_insurance_card": (6, 60), "death_registration": (1, 8),
                  "funeral_allowance": (30, 150), "funeral_support": (24, 120)}
REJECT_REASON = {
    "birth_registration": "wrong_commune",
    "residence_registration": "collective_household",
    "death_registration": "wrong_commune",
    "funeral_allowance": "insufficient_contributions",
}


def _personal_id(sex: str, born: date, serial: int) -> str:
    digit = (born.year // 100 - 19) * 2 + (1 if sex == "female" else 0)
    return f"082{digit}{born.year % 100:02d}{serial:06d}"


def _payload(recipe: Recipe, index: int, when: datetime) -> dict:
    day = timezone.localtime(when).date()
    payload: dict = {"bundle": recipe.bundle, "services": recipe.services, "unit": COMMUNE,
                     "channel": recipe.channel, "submitted_at": when.isoformat()}
    if recipe.bundle == "birth":
        child, sex, mother, father = BIRTH_PEOPLE[index % len(BIRTH_PEOPLE)]
        mother_born, father_born = date(1988 + index % 8, 3, 12), date(1985 + index % 9, 7, 2)
        mother_id = _personal_id("female", mother_born, 4100 + index)
        payload["applicant"] = {"full_name": mother, "personal_id": mother_id, "phone": f"09123{index:05d}",
                                "email": EMAIL.format(key=recipe.key), "relationship": "mother"}
        payload["subject"] = {
            "full_name": child, "sex": sex, "date_of_birth": (day - timedelta(days=6 + index)).isoformat(),
            "place_of_birth": "Trung tâm Y tế huyện Tân Hồng", "ethnicity": "Kinh", "nationality": "VN",
            "special_case": None,
            "mother": {"full_name": mother, "personal_id": mother_id},
            "father": {"full_name": father, "personal_id": _personal_id("male", father_born, 5200 + index)},
            "residence": {"unit": COMMUNE, "address": f"Ấp {1 + index % 5}", "household_type": "family"},
            "first_health_insurance_card": True,
        }
    else:
        name, sex, year, applicant = DEATH_PEOPLE[index % len(DEATH_PEOPLE)]
        born, died = date(year, 5, 20), day - timedelta(days=2)
        age = died.year - born.year - ((died.month, died.day) < (born.month, born.day))
        payload["applicant"] = {"full_name": applicant, "personal_id": _personal_id("female", date(1975, 1, 1),
                                                                                   6300 + index),
                                "phone": f"09876{index:05d}", "email": EMAIL.format(key=recipe.key),
                                "relationship": "child"}
        payload["subject"] = {
            "full_name": name, "personal_id": _personal_id(sex, born, 7400 + index), "sex": sex,
            "date_of_birth": born.isoformat(), "date_of_death": died.isoformat(), "place_of_death": "Tại nhà",
            "had_permanent_residence": True, "is_household_head": False, "benefit_category": "pensioner",
            "social_insurance_number": f"82{index:08d}", "compulsory_months": 0, "voluntary_months": 0,
            "age_at_death": age,
        }
        payload["subject"].update({k: v for k, v in recipe.extra.items() if k != "needs_verification"})
    if recipe.extra.get("needs_verification"):
        payload["needs_verification"] = True
    return payload


def _office_hours(days_ago: int, index: int) -> datetime:
    """A morning of a working day `days_ago` days back (or just now, for
    today's dossiers before the office opened)."""
    from agencies.calendar import TZ, is_working_day

    now = timezone.now()
    day = timezone.localdate() - timedelta(days=days_ago)
    while days_ago and not is_working_day(day):
        day -= timedelta(days=1)
    when = datetime.combine(day, time(7, 30), tzinfo=TZ) + timedelta(minutes=23 * (index % 20))
    return min(when, now - timedelta(minutes=30))


def _build(recipe: Recipe, index: int, users: dict[str, User]) -> Dossier:
    from dossiers import services

    rng = random.Random(recipe.key)
    when = _office_hours(recipe.days_ago, index)
    latest = timezone.now() - timedelta(minutes=2)
    with clock.at(when):
        dossier = services.dossier_submit(data=_payload(recipe, index, when), user=users["admin"])
    # Filed by the demo citizen online, or by the clerk at the counter.
    submitter = users["citizen"] if recipe.channel == "online" else users["clerk"]
    Dossier.objects.filter(pk=dossier.pk).update(submitted_by=submitter)
    Transition.objects.filter(dossier=dossier, action__in=["submit", "create"]).update(actor=submitter)
    cursor = when

    def leg(service: str) -> Leg:
        return Leg.objects.get(dossier=dossier, service=service)

    def officer(service: str) -> User:
        return users[leg(service).agency]

    def step_at(service: str, share: tuple[float, float]) -> datetime:
        """An instant `share` of the way through the service's handling time
        after the leg opened; never before the previous step, never in the future."""
        nonlocal cursor
        opened = leg(service).started_at or cursor
        low, high = HANDLING_HOURS.get(service, (2, 48))
        hours = rng.uniform(low, high) * rng.uniform(*share)
        cursor = min(max(opened + timedelta(hours=hours), cursor + timedelta(minutes=1)), latest)
        return cursor

    for step in recipe.steps:
        verb, _sep, service = step.partition(":")
        if verb in ("accept", "done", "ask"):
            if leg(service).status == "pending":
                with clock.at(step_at(service, (0.05, 0.2))):
                    services.leg_accept(leg_id=leg(service).pk, user=officer(service))
        if verb == "done":
            with clock.at(step_at(service, (0.8, 1.0))):
                done = services.leg_complete(leg_id=leg(service).pk, user=officer(service))
                services.leg_fan_out(leg_id=done.pk)
        elif verb == "ask":
            with clock.at(step_at(service, (0.2, 0.4))):
                services.leg_request_supplement(leg_id=leg(service).pk, user=officer(service),
                                                reason="Bổ sung bản chụp giấy chứng sinh/giấy báo tử rõ nét.")
        elif verb == "reject":
            with clock.at(step_at(service, (0.3, 0.9))):
                services.leg_reject(leg_id=leg(service).pk, user=officer(service),
                                    reason=REJECT_REASON.get(service, "other"))
        elif verb == "withdraw":
            with clock.at(min(cursor + timedelta(hours=3), latest)):
                services.dossier_withdraw(code=dossier.code, user=submitter, reason="Gia đình nộp nhầm thủ tục.")
        elif verb == "returned":
            with clock.at(min(cursor + timedelta(hours=rng.uniform(4, 48)), latest)):
                services.dossier_mark_returned(code=dossier.code, user=users["clerk"])
    return dossier


def demo_dossiers_ensure() -> int:
    """Build the missing demo dossiers; returns how many demo dossiers exist."""
    from dossiers import services

    users = {role: user for role, name in USERS.items() if (user := User.objects.filter(username=name).first())}
    if len(users) < len(USERS):
        logger.warning("demo users missing: run seed_demo first")
        return 0
    with services.notifications_muted():
        for index, recipe in enumerate(RECIPES + history_recipes()):
            if Dossier.objects.filter(applicant_email=EMAIL.format(key=recipe.key)).exists():
                continue
            try:
                with transaction.atomic():
                    _build(recipe, index, users)
            except Exception:  # noqa: BLE001 - one bad recipe must not stop the seeding
                logger.exception("demo dossier %s not built", recipe.key)
        # Overdue flags for the old pending ones.
        services.dossiers_sweep()
    return Dossier.objects.filter(applicant_email__endswith="@demo.lienthong.vn").count()
