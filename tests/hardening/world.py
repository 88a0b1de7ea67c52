"""A small world for the access matrix and the schema fuzzing: one user per
role around Xã Tân Hồng (29926, Đồng Tháp), and dossiers of that commune
("own") and of Phường Ba Đình, Hà Nội (00004, "foreign"), built through the
engine's real `dossier_submit`."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile

from agencies.models import AdminUnit, Role, User
from citizens.models import SubmissionDraft, SubmissionDraftFile
from dossiers.models import Document, Dossier, Leg
from reports.models import DailyReport, DifficultyReport
from tests.factories import UserFactory, dossier_make, unit

OWN_COMMUNE, OWN_PROVINCE = "29926", "82"
FOREIGN_COMMUNE, FOREIGN_PROVINCE = "00004", "01"
# The roles of docs/domain.md §2, officers once per agency.
ROLES = ("anonymous", "citizen", "clerk", "justice", "police", "social_insurance", "labour", "health", "viewer",
         "admin")
AGENCY_OF = {"justice": "justice", "police": "police", "social_insurance": "social_insurance",
             "labour": "labour", "health": "health"}
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n" \
      b"trailer<</Root 1 0 R>>\n%%EOF\n"


def pdf_upload(name: str = "giay-chung-sinh.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


@dataclass
class Side:
    """The objects of one scope (own or foreign)."""

    birth: Dossier
    death: Dossier
    draft: SubmissionDraft
    draft_file: SubmissionDraftFile
    difficulty: DifficultyReport
    document: Document
    daily: DailyReport
    legs: dict[str, Leg] = field(default_factory=dict)  # agency → a leg of that agency


@dataclass
class World:
    users: dict[str, User | None]
    own: Side
    foreign: Side
    # Made once per module (log-ins write sessions, tokens, axes logs):
    # a session cookie and an API token per role.
    sessions: dict[str, str] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)

    def side(self, scope: str) -> Side:
        return self.own if scope == "own" else self.foreign


def _side(*, citizen: User, commune: str) -> Side:
    birth = dossier_make(user=citizen, unit_code=commune, files=(pdf_upload(),))
    # A death bundle with both funeral benefits' agencies: social insurance
    # (allowance) is not possible together with support, so support (labour).
    death = dossier_make("death", user=citizen, unit_code=commune, files=(pdf_upload("giay-bao-tu.pdf"),),
                         services=["death_registration", "residence_removal", "funeral_support"],
                         subject__benefit_category="social_protection", subject__social_insurance_number="")
    legs = {leg.agency: leg for leg in Leg.objects.filter(dossier=birth)}
    legs.update({leg.agency: leg for leg in Leg.objects.filter(dossier=death) if leg.agency not in legs})
    document = Document.objects.create(dossier=birth, kind="birth_certificate", sha256=hashlib.sha256(PDF).hexdigest())
    document.file.save(f"matrix-{birth.code}.pdf", ContentFile(PDF), save=True)
    draft = SubmissionDraft.objects.create(user=citizen, data={"channel": "online", "applicant": {}})
    draft_file = SubmissionDraftFile(draft=draft, original_name="a.pdf", content_type="application/pdf",
                                     size=len(PDF))
    draft_file.file.save("matrix-a.pdf", ContentFile(PDF), save=True)
    from datetime import date

    difficulty = DifficultyReport.objects.create(unit=unit(commune), description="Mạng chậm", since=date(2026, 1, 5))
    from django.utils import timezone

    from reports import selectors

    province, day = unit(commune).province, date(2026, 11, 2)
    daily = DailyReport.objects.create(province=province, date=day, generated_at=timezone.now(),
                                       data=selectors.daily_report_data(province, day))
    return Side(birth=birth, death=death, draft=draft, draft_file=draft_file, difficulty=difficulty,
                document=document, daily=daily, legs=legs)


def world_build() -> World:
    commune, province = unit(OWN_COMMUNE), unit(OWN_PROVINCE)
    assert commune.level == AdminUnit.Level.COMMUNE and commune.province_id == province.pk

    def make(name: str, role: str, where=None, agency: str = "", **extra) -> User:
        return UserFactory(username=f"mx-{name}", role=role, unit=where, agency=agency,
                           email=f"mx-{name}@example.vn", **extra)

    users: dict[str, User | None] = {
        "anonymous": None,
        "citizen": make("citizen", Role.CITIZEN),
        "clerk": make("clerk", Role.ONE_STOP_CLERK, commune),
        # Commune offices (justice, police) and provincial ones (social
        # insurance, labour, health), as the engine routes the legs.
        "justice": make("justice", Role.OFFICER, commune, "justice"),
        "police": make("police", Role.OFFICER, commune, "police"),
        "social_insurance": make("bhxh", Role.OFFICER, province, "social_insurance"),
        "labour": make("labour", Role.OFFICER, province, "labour"),
        "health": make("health", Role.OFFICER, province, "health"),
        "viewer": make("viewer", Role.PROVINCIAL_VIEWER, province),
        "admin": make("admin", Role.ADMIN, is_staff=True, is_superuser=True),
    }
    stranger = make("stranger", Role.CITIZEN)
    own = _side(citizen=users["citizen"], commune=OWN_COMMUNE)
    foreign = _side(citizen=stranger, commune=FOREIGN_COMMUNE)
    world = World(users=users, own=own, foreign=foreign)
    from django.conf import settings
    from django.test import Client
    from rest_framework.authtoken.models import Token

    for role, user in users.items():
        if user is None:
            continue
        client = Client()
        client.force_login(user)
        world.sessions[role] = client.cookies[settings.SESSION_COOKIE_NAME].value
        world.tokens[role] = Token.objects.get_or_create(user=user)[0].key
    return world
