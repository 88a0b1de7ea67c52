"""Dossiers built directly in the database for the documents and citizen
tests, so that they do not depend on the engine's services being present."""
from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from dossiers.models import Dossier, Leg
from tests.factories import unit

COMMUNE = "29926"  # Xã Tân Hồng, Tỉnh Đồng Tháp

BIRTH_SUBJECT = {
    "full_name": "Trần Minh Khang", "sex": "male", "date_of_birth": "2026-11-10",
    "place_of_birth": "Bệnh viện Đa khoa Đồng Tháp", "ethnicity": "Kinh", "nationality": "VN",
    "special_case": None,
    "mother": {"full_name": "Nguyễn Thị Hoa", "personal_id": "082190001234"},
    "father": {"full_name": "Trần Văn Minh", "personal_id": "082088004321"},
    "residence": {"unit": COMMUNE, "address": "Ấp 1", "household_type": "family"},
    "first_health_insurance_card": True,
}
DEATH_SUBJECT = {
    "full_name": "Lê Văn Bình", "personal_id": "045052000123", "sex": "male",
    "date_of_birth": "1952-03-04", "date_of_death": "2026-11-20", "place_of_death": "Tại nhà",
    "had_permanent_residence": True, "is_household_head": False,
    "benefit_category": "pensioner", "social_insurance_number": "4512345678",
    "compulsory_months": 0, "voluntary_months": 0, "age_at_death": 74,
}
APPLICANT = {"full_name": "Nguyễn Thị Hoa", "personal_id": "082190001234", "phone": "0912345678",
             "email": "hoa@example.vn", "relationship": "mother"}


def make_dossier(*, bundle: str = "birth", code: str = "KS-TEST-0001", user=None, first_leg_status: str = "completed",
                 result: dict | None = None) -> Dossier:
    commune = unit(COMMUNE)
    now = timezone.now()
    subject = BIRTH_SUBJECT if bundle == "birth" else DEATH_SUBJECT
    services = (["birth_registration", "residence_registration"] if bundle == "birth"
                else ["death_registration", "residence_removal"])
    dossier = Dossier.objects.create(
        code=code, bundle=bundle, services=services, unit=commune, scope_unit=commune,
        scope_province=commune.province, channel="online", status="in_progress",
        applicant=APPLICANT, subject=subject, applicant_name=APPLICANT["full_name"],
        applicant_phone=APPLICANT["phone"], applicant_email=APPLICANT["email"],
        subject_name=subject["full_name"], subject_personal_id=subject.get("personal_id", ""),
        submitted_by=user, submitted_at=now - timedelta(hours=2), due_at=now + timedelta(days=3))
    first = Leg.objects.create(
        dossier=dossier, service=services[0], agency="justice", status=first_leg_status,
        started_at=now - timedelta(hours=2), due_at=now + timedelta(hours=5),
        finished_at=now if first_leg_status == "completed" else None,
        result=result if result is not None else (
            {"registration_number": "125/2026", "book": "01/2026", "personal_id": "082226000777"}
            if bundle == "birth" else {"extract_number": "48/2026", "book": "01/2026"}))
    Leg.objects.create(dossier=dossier, service=services[1], agency="police", status="pending",
                       depends_on=first, started_at=now, due_at=now + timedelta(days=2))
    return dossier
