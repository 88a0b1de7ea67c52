"""Access rules of docs/domain.md §2: own unit allowed, neighbouring unit refused."""
from __future__ import annotations

import pytest
from django.http import Http404
from django.utils import timezone

from agencies import access
from agencies.models import Role
from dossiers.models import Dossier, Leg
from tests.factories import UserFactory, unit

pytestmark = pytest.mark.django_db
TAN_HONG, NEIGHBOUR, DONG_THAP, OTHER_PROVINCE = "29926", "29929", "82", "80"
FAR_COMMUNE = "00004"  # Phường Ba Đình, Hà Nội


def make_dossier(commune_code: str, submitted_by=None, services=("birth_registration",)) -> Dossier:
    commune = unit(commune_code)
    d = Dossier.objects.create(code=f"T-{commune_code}-{Dossier.objects.count()}", bundle="birth",
                               services=list(services), unit=commune, scope_unit=commune,
                               scope_province=commune.province, channel="online", applicant_name="A",
                               subject_name="B", submitted_at=timezone.now(), submitted_by=submitted_by)
    agencies = {"birth_registration": "justice", "residence_registration": "police",
                "health_insurance_card": "social_insurance"}
    for s in services:
        Leg.objects.create(dossier=d, service=s, agency=agencies[s])
    return d


@pytest.fixture
def dossiers():
    assert unit(NEIGHBOUR).province.code == DONG_THAP  # same province, another commune
    citizen = UserFactory(role=Role.CITIZEN)
    own = make_dossier(TAN_HONG, submitted_by=citizen,
                       services=("birth_registration", "residence_registration", "health_insurance_card"))
    neighbour = make_dossier(NEIGHBOUR, services=("birth_registration", "residence_registration"))
    far = make_dossier(FAR_COMMUNE, services=("birth_registration",))
    return citizen, own, neighbour, far


def officer(agency: str, unit_code: str):
    return UserFactory(role=Role.OFFICER, agency=agency, unit=unit(unit_code))


def visible(user) -> set[str]:
    return set(access.visible_dossiers(user).values_list("code", flat=True))


def test_citizen_sees_only_own_dossiers(dossiers):
    citizen, own, neighbour, far = dossiers
    assert visible(citizen) == {own.code}
    assert visible(UserFactory(role=Role.CITIZEN)) == set()


def test_clerk_sees_own_commune_not_the_neighbour(dossiers):
    _, own, neighbour, far = dossiers
    clerk = UserFactory(role=Role.ONE_STOP_CLERK, unit=unit(TAN_HONG))
    assert visible(clerk) == {own.code}
    assert access.can_submit_for_unit(clerk, unit(TAN_HONG))
    assert not access.can_submit_for_unit(clerk, unit(NEIGHBOUR))


def test_commune_officer_works_only_own_agency_legs_in_own_commune(dossiers):
    _, own, neighbour, far = dossiers
    police = officer("police", TAN_HONG)
    assert visible(police) == {own.code}
    assert set(access.workable_legs(police).values_list("service", flat=True)) == {"residence_registration"}
    neighbour_leg = neighbour.legs.get(service="residence_registration")
    assert not access.can_act_on_leg(police, neighbour_leg)
    with pytest.raises(Http404):
        access.get_leg_or_404(police, neighbour_leg.pk)


def test_provincial_officer_sees_the_whole_province_for_own_agency(dossiers):
    _, own, neighbour, far = dossiers
    bhxh = officer("social_insurance", DONG_THAP)
    assert visible(bhxh) == {own.code}  # only `own` has a social-insurance leg
    justice = officer("justice", DONG_THAP)
    assert visible(justice) == {own.code, neighbour.code}
    assert not access.workable_legs(officer("justice", OTHER_PROVINCE)).exists()


def test_provincial_viewer_reads_own_province_only(dossiers):
    _, own, neighbour, far = dossiers
    viewer = UserFactory(role=Role.PROVINCIAL_VIEWER, unit=unit(DONG_THAP))
    assert visible(viewer) == {own.code, neighbour.code}
    assert not access.can_act_on_dossier(viewer, own)  # read-only: personal IDs stay masked
    assert not access.workable_legs(viewer).exists()
    assert access.can_view_province(viewer, unit(DONG_THAP))
    assert not access.can_view_province(viewer, unit(OTHER_PROVINCE))


def test_admin_sees_everything(dossiers):
    _, own, neighbour, far = dossiers
    admin = UserFactory(role=Role.ADMIN)
    assert visible(admin) == {own.code, neighbour.code, far.code}


def test_wrong_code_is_404_not_403(dossiers):
    from django.http import Http404

    _, own, neighbour, far = dossiers
    clerk = UserFactory(role=Role.ONE_STOP_CLERK, unit=unit(TAN_HONG))
    assert access.get_dossier_or_404(clerk, own.code) == own
    with pytest.raises(Http404):
        access.get_dossier_or_404(clerk, neighbour.code)


def test_personal_id_is_masked():
    assert access.mask_personal_id("001234567789") == "001******789"


def test_counter_decisions_are_the_clerks_of_the_dossiers_commune(dossiers):
    citizen, own, neighbour, far = dossiers
    clerk = UserFactory(role=Role.ONE_STOP_CLERK, unit=unit(TAN_HONG))
    viewer = UserFactory(role=Role.PROVINCIAL_VIEWER, unit=unit(DONG_THAP))
    admin = UserFactory(role=Role.ADMIN)
    assert access.can_use_counter(clerk)
    assert not any(access.can_use_counter(u) for u in (citizen, viewer, admin, officer("justice", TAN_HONG)))
    assert access.can_act_at_counter(clerk, own) and not access.can_act_at_counter(clerk, neighbour)
    # The citizen and the admin may act on the dossier, but not as its counter.
    assert not access.can_act_at_counter(citizen, own) and not access.can_act_at_counter(admin, own)
    assert access.uses_citizen_pages(citizen) and not access.uses_citizen_pages(clerk)
    assert not access.uses_citizen_pages(UserFactory(role=Role.CITIZEN, is_superuser=True))
    assert access.sees_every_province(admin) and not access.sees_every_province(viewer)
    assert access.difficulty_agency(clerk) == "one_stop"
    assert access.difficulty_agency(officer("police", TAN_HONG)) == "police"


def test_agencies_imports_nothing_of_the_apps_built_on_it():
    """The dependency direction (agencies <- dossiers <- staff, citizens,
    reports): access looks the dossiers' models up by name."""
    import ast
    from pathlib import Path

    root = Path(access.__file__).resolve().parent
    found = []
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            found += [f"{path.relative_to(root)}: {n}" for n in names
                      if n.split(".")[0] in ("dossiers", "staff", "citizens", "reports")]
    assert found == []
