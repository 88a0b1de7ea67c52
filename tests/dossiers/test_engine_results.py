"""Results of each service (docs/domain.md §6) and the rules in force at the
effective dates, as the results show them."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from dossiers import identifiers, services
from dossiers.models import Leg, NumberSequence, Transition
from lienthong.errors import DomainError
from tests.dossiers.payloads import birth_payload, death_payload
from tests.factories import leg_of

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def _complete(leg: Leg, officer, result=None) -> Leg:
    services.leg_accept(leg_id=leg.pk, user=officer)
    return services.leg_complete(leg_id=leg.pk, user=officer, result=result)


def _through_first(eng, dossier, service: str) -> Leg:
    first = _complete(leg_of(dossier, service), eng.justice)
    services.leg_fan_out(leg_id=first.pk)
    return first


def test_birth_registration_issues_numbers_and_a_valid_personal_id(eng):
    dossier = services.dossier_submit(data=birth_payload(), user=eng.citizen)
    leg = _complete(leg_of(dossier, "birth_registration"), eng.justice)
    dob = date.fromisoformat(dossier.subject["date_of_birth"])
    pid = leg.result["personal_id"]
    assert identifiers.personal_id_errors(pid, sex="male", date_of_birth=dob) == []
    assert pid.startswith("082")  # Đồng Tháp (82)
    assert leg.result["registration_number"].endswith(f"/{leg.finished_at.year}") and leg.result["book"]
    dossier.refresh_from_db()
    assert dossier.subject_personal_id == pid and pid in dossier.search_text


def test_two_children_never_get_the_same_personal_id(eng):
    ids = set()
    for _ in range(2):
        dossier = services.dossier_submit(data=birth_payload(), user=eng.citizen)
        ids.add(_complete(leg_of(dossier, "birth_registration"), eng.justice).result["personal_id"])
    assert len(ids) == 2


def test_officer_sent_personal_id_is_checked_and_a_bad_one_changes_nothing(eng):
    dossier = services.dossier_submit(data=birth_payload(), user=eng.citizen)
    leg = leg_of(dossier, "birth_registration")
    services.leg_accept(leg_id=leg.pk, user=eng.justice)
    counters = NumberSequence.objects.count()
    with pytest.raises(DomainError) as exc:
        # female digit for a boy
        services.leg_complete(leg_id=leg.pk, user=eng.justice, result={"personal_id": "082326000001"})
    assert exc.value.errors["result.personal_id"] == [
        "Số định danh cá nhân là của người có giới tính nữ, không khớp với giới tính đã khai."]
    assert leg_of(dossier, "birth_registration").status == "in_progress"
    assert NumberSequence.objects.count() == counters
    good = identifiers.personal_id_generate(province_code="082", sex="male",
                                            date_of_birth=date.fromisoformat(dossier.subject["date_of_birth"]),
                                            serial=999999)
    done = services.leg_complete(leg_id=leg.pk, user=eng.justice,
                                 result={"personal_id": good, "registration_number": "7/2026"})
    assert done.result["personal_id"] == good and done.result["registration_number"] == "7/2026"


def test_unknown_result_fields_are_refused(eng):
    dossier = services.dossier_submit(data=birth_payload(), user=eng.citizen)
    leg = leg_of(dossier, "birth_registration")
    services.leg_accept(leg_id=leg.pk, user=eng.justice)
    with pytest.raises(DomainError) as exc:
        services.leg_complete(leg_id=leg.pk, user=eng.justice, result={"amount": 5})
    assert exc.value.errors["result.amount"] == ["Trường này không thuộc kết quả của thủ tục."]


def test_health_insurance_card_number_and_validity_until_72_months(eng):
    dossier = services.dossier_submit(data=birth_payload(), user=eng.citizen)
    birth = _through_first(eng, dossier, "birth_registration")
    card = _complete(leg_of(dossier, "health_insurance_card"), eng.bhxh)
    number = card.result["card_number"]
    assert number.startswith("TE182") and len(number) == 15 and number[3:].isdigit()
    dob = date.fromisoformat(dossier.subject["date_of_birth"])
    assert card.result["valid_until"] == date(dob.year + 6, dob.month, dob.day).isoformat()
    assert card.result["personal_id"] == birth.result["personal_id"]


def test_residence_confirmation_names_the_address_and_household(eng):
    dossier = services.dossier_submit(data=birth_payload(), user=eng.citizen)
    _through_first(eng, dossier, "birth_registration")
    leg = _complete(leg_of(dossier, "residence_registration"), eng.police)
    assert "Ấp 1" in leg.result["address"] and "Tân Hồng" in leg.result["address"]
    assert "Trần Văn Minh" in leg.result["household"]


def test_death_extract_number(eng):
    dossier = services.dossier_submit(data=death_payload(), user=eng.citizen)
    leg = _complete(leg_of(dossier, "death_registration"), eng.justice)
    assert leg.result["extract_number"] and leg.result["book"]


def _died(day: date, **overrides):
    age = day.year - 1952 - ((day.month, day.day) < (3, 4))
    return death_payload(subject__date_of_death=day.isoformat(), subject__age_at_death=age, **overrides)


@pytest.mark.parametrize(("died", "amount"), [(date(2024, 6, 30), 18_000_000), (date(2024, 7, 1), 23_400_000)])
def test_funeral_allowance_uses_the_base_salary_of_the_date_of_death(eng, died, amount):
    dossier = services.dossier_submit(data=_died(died), user=eng.citizen)
    assert dossier.is_late_registration
    _through_first(eng, dossier, "death_registration")
    leg = _complete(leg_of(dossier, "funeral_allowance"), eng.bhxh)
    assert leg.result["amount"] == amount
    assert leg.result["decision_number"].endswith("/QĐ-BHXH")


@pytest.mark.parametrize(("died", "amount"), [(date(2024, 6, 30), 7_200_000), (date(2024, 7, 1), 10_000_000)])
def test_funeral_support_uses_the_social_assistance_standard(eng, died, amount):
    payload = _died(died, services=["death_registration", "residence_removal", "funeral_support"],
                    subject__benefit_category="social_protection")
    dossier = services.dossier_submit(data=payload, user=eng.citizen)
    _through_first(eng, dossier, "death_registration")
    leg = _complete(leg_of(dossier, "funeral_support"), eng.labour)
    assert leg.result["amount"] == amount


def _import_death(eng, when: datetime, **overrides):
    died = when.date() - timedelta(days=2)
    payload = _died(died, submitted_at=when.isoformat(), **overrides)
    return services.dossier_submit(data=payload, user=eng.admin)


def test_before_15_3_2026_residence_removal_is_asked_for_and_done_by_the_police(eng):
    dossier = _import_death(eng, datetime(2026, 3, 13, 10, tzinfo=TZ),
                            services=["death_registration", "funeral_allowance"])
    assert not dossier.legs.filter(service="residence_removal").exists()
    with_removal = _import_death(eng, datetime(2026, 3, 13, 10, tzinfo=TZ))
    removal = leg_of(with_removal, "residence_removal")
    assert not removal.automatic and removal.deadline_days == 5
    _through_first(eng, with_removal, "death_registration")
    assert leg_of(with_removal, "residence_removal").status == "pending"  # the police act on it
    with pytest.raises(DomainError):
        _import_death(eng, datetime(2026, 3, 13, 10, tzinfo=TZ), subject__is_household_head=True)


def test_from_15_3_2026_residence_removal_is_automatic(eng):
    dossier = _import_death(eng, datetime(2026, 3, 16, 10, tzinfo=TZ),
                            services=["death_registration", "funeral_allowance"], subject__is_household_head=True)
    removal = leg_of(dossier, "residence_removal")
    assert removal.automatic and removal.deadline_days == 1 and removal.status == "waiting"
    assert any("chủ hộ" in notice for notice in dossier.notices)
    _through_first(eng, dossier, "death_registration")
    removal = leg_of(dossier, "residence_removal")
    assert removal.status == "completed" and removal.result["confirmation_number"]
    row = Transition.objects.filter(leg=removal, action="complete").get()
    assert row.actor is None and "58/2026" in row.reason
    assert leg_of(dossier, "funeral_allowance").status == "pending"


def test_sweep_adds_the_missing_automatic_removal_leg(eng):
    dossier = _import_death(eng, datetime(2026, 3, 16, 10, tzinfo=TZ),
                            services=["death_registration", "funeral_allowance"])
    Leg.objects.filter(dossier=dossier, service="residence_removal").delete()
    counts = services.dossiers_sweep()
    assert counts["automatic"] == 1
    removal = leg_of(dossier, "residence_removal")
    assert removal.automatic and removal.status == "waiting"
    assert services.dossiers_sweep()["automatic"] == 0


# What a spreadsheet would run as a formula, or a page would render as markup,
# when an officer's result is exported or shown (issue 15, hardening).
BAD_RESULT_TEXT = [
    ("registration_number", "=1+1"), ("registration_number", "+84912345678"), ("book", "-2+3"),
    ("note", "@SUM(A1:A9)"), ("note", "\t=cmd|' /C calc'!A0"), ("note", "\rđã kiểm tra"),
    ("note", " =HYPERLINK(\"http://x\")"), ("note", "<b>đậm</b>"), ("book", "01>2026"),
]
RESULT_TEXT_REFUSED = ("Không được chứa mã HTML (< >) hay bắt đầu bằng ký tự công thức (= + - @, tab, xuống "
                       "dòng).")


@pytest.mark.parametrize("key, value", BAD_RESULT_TEXT)
def test_result_text_refuses_markup_and_leading_formula_characters(eng, key, value):
    dossier = services.dossier_submit(data=birth_payload(), user=eng.citizen)
    leg = leg_of(dossier, "birth_registration")
    services.leg_accept(leg_id=leg.pk, user=eng.justice)
    counters = NumberSequence.objects.count()
    with pytest.raises(DomainError) as exc:
        services.leg_complete(leg_id=leg.pk, user=eng.justice, result={key: value})
    assert exc.value.errors == {f"result.{key}": [RESULT_TEXT_REFUSED]}
    assert leg_of(dossier, "birth_registration").status == "in_progress"
    assert NumberSequence.objects.count() == counters


def test_result_text_may_hold_a_hyphen_or_sign_inside(eng):
    dossier = services.dossier_submit(data=birth_payload(), user=eng.citizen)
    leg = _complete(leg_of(dossier, "birth_registration"), eng.justice, result={
        "book": "01/2026-A", "note": "Đã đối chiếu bản chính - hợp lệ; liên hệ hotro@xa.gov.vn, +1 bản sao"})
    assert leg.result["book"] == "01/2026-A" and leg.result["note"].startswith("Đã đối chiếu")
