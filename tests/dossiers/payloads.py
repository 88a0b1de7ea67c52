"""Sample payloads in the shape of docs/api.md, valid today at Xã Tân Hồng (29926).

Import them instead of writing your own:

    birth_payload()                                  # all three birth services
    birth_payload(services=["birth_registration", "health_insurance_card"])
    birth_payload(subject__residence__household_type="collective")   # nested override
    death_payload(subject__benefit_category="social_protection", services=[...])
    birth_payload(applicant__email=REMOVE)           # drop a key

Nested keys are joined with "__". Dates are relative to today so the payloads
stay valid (not late, not in the future) whenever the suite runs.
"""
from __future__ import annotations

import copy
from datetime import date, datetime, timedelta
from typing import Any

from django.utils import timezone

UNIT = "29926"  # Xã Tân Hồng, Tỉnh Đồng Tháp (current map)
REMOVE = object()


def _apply(payload: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    for dotted, value in overrides.items():
        *parents, last = dotted.split("__")
        node = payload
        for part in parents:
            node = node.setdefault(part, {})
        if value is REMOVE:
            node.pop(last, None)
        else:
            node[last] = value
    return payload



def birth_payload(**overrides: Any) -> dict[str, Any]:
    today = timezone.localdate()
    payload = {
        "bundle": "birth",
        "services": ["birth_registration", "residence_registration", "health_insurance_card"],
        "unit": UNIT,
        "channel": "online",
        "applicant": {"full_name": "Nguyễn Thị Hoa", "personal_id": "082190001234",
                      "phone": "0912345678", "email": "hoa@example.vn", "relationship": "mother"},
        "subject": {
            "full_name": "Trần Minh Khang", "sex": "male",
            "date_of_birth": (today - timedelta(days=10)).isoformat(),
            "place_of_birth": "Bệnh viện Đa khoa Đồng Tháp", "ethnicity": "Kinh", "nationality": "VN",
            "special_case": None,
            "mother": {"full_name": "Nguyễn Thị Hoa", "personal_id": "082190001234"},
            "father": {"full_name": "Trần Văn Minh", "personal_id": "082088004321"},
            "residence": {"unit": UNIT, "address": "Ấp 1", "household_type": "family"},
            "first_health_insurance_card": True,
        },
    }
    return _apply(copy.deepcopy(payload), overrides)


def death_payload(**overrides: Any) -> dict[str, Any]:
    today = timezone.localdate()
    died = today - timedelta(days=3)
    born = date(1952, 3, 4)
    age = died.year - born.year - ((died.month, died.day) < (born.month, born.day))
    payload = {
        "bundle": "death",
        "services": ["death_registration", "residence_removal", "funeral_allowance"],
        "unit": UNIT,
        "channel": "online",
        "applicant": {"full_name": "Lê Thị Mai", "personal_id": "082180004567",
                      "phone": "0987654321", "email": "mai@example.vn", "relationship": "child"},
        "subject": {
            "full_name": "Lê Văn Bình", "personal_id": "045052000123", "sex": "male",
            "date_of_birth": born.isoformat(), "date_of_death": died.isoformat(), "place_of_death": "Tại nhà",
            "had_permanent_residence": True, "is_household_head": False,
            "benefit_category": "pensioner", "social_insurance_number": "4512345678",
            "compulsory_months": 0, "voluntary_months": 0, "age_at_death": age,
        },
    }
    return _apply(copy.deepcopy(payload), overrides)


def imported(users: Any, when: datetime, **overrides: Any):
    """A birth dossier an admin (`users.admin`) files with a fixed, past
    `submitted_at` (the child born four days before), so that its deadlines
    are known literals."""
    from dossiers import services

    payload = birth_payload(submitted_at=when.isoformat(),
                            subject__date_of_birth=(when.date() - timedelta(days=4)).isoformat(), **overrides)
    return services.dossier_submit(data=payload, user=users.admin)
