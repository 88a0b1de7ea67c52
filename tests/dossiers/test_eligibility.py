"""Eligibility of docs/domain.md §3.1 (birth) and §3.2 (death): each rule allowed
and refused, the legs planned, and the rules switching at their effective dates."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from dossiers import eligibility
from dossiers.eligibility import explain, plan
from lienthong.errors import DomainError

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 23)
BIRTH_ALL = ["birth_registration", "residence_registration", "health_insurance_card"]


def birth(**overrides) -> dict:
    facts = {
        "full_name": "Trần Minh Khang", "sex": "male", "date_of_birth": TODAY - timedelta(days=10),
        "special_case": None,
        "mother": {"full_name": "Nguyễn Thị Hoa"}, "father": {"full_name": "Trần Văn Minh"},
        "residence": {"unit": "29926", "address": "Ấp 1", "household_type": "family"},
        "first_health_insurance_card": True,
    }
    facts.update(overrides)
    return facts


def death(**overrides) -> dict:
    facts = {
        "full_name": "Lê Văn Bình", "sex": "male", "date_of_birth": date(1952, 3, 4),
        "date_of_death": TODAY - timedelta(days=3), "had_permanent_residence": True, "is_household_head": False,
        "benefit_category": "pensioner", "social_insurance_number": "4512345678",
        "compulsory_months": 0, "voluntary_months": 0, "age_at_death": 74,
    }
    facts.update(overrides)
    return facts


def refusal(bundle: str, services: list[str], facts: dict, on: date = TODAY) -> dict[str, list[str]]:
    with pytest.raises(DomainError) as exc:
        plan(bundle, services, facts, on=on)
    return exc.value.errors


# --- birth bundle -------------------------------------------------------------

@pytest.mark.parametrize("services", [
    BIRTH_ALL,
    ["birth_registration", "health_insurance_card"],
    ["birth_registration", "residence_registration"],
    ["health_insurance_card", "birth_registration"],  # order of the request does not matter
])
def test_birth_combinations_allowed(services):
    result = plan("birth", services, birth(), on=TODAY)
    assert result.services == [s for s in BIRTH_ALL if s in services]
    assert result.legs[0].service == "birth_registration" and result.legs[0].depends_on is None
    assert all(leg.depends_on == "birth_registration" for leg in result.legs[1:])


@pytest.mark.parametrize("services, message", [
    (["birth_registration"], "ít nhất một thủ tục"),
    (["residence_registration", "health_insurance_card"], "luôn gồm"),
    (["birth_registration", "residence_registration", "residence_registration"], "một lần"),
    (["birth_registration", "residence_removal"], "không thuộc nhóm"),
])
def test_birth_combinations_refused(services, message):
    errors = refusal("birth", services, birth())
    assert any(message in m for m in errors["services"])


@pytest.mark.parametrize("case, article", [("abandoned", 14), ("parent_unidentified", 15), ("surrogacy", 16)])
def test_special_birth_cases_are_refused_with_their_article(case, article):
    errors = refusal("birth", BIRTH_ALL, birth(special_case=case))
    assert f"Nghị định 123/2015/NĐ-CP, Điều {article}" in errors["subject.special_case"][0]


@pytest.mark.parametrize("parent", ["mother", "father"])
def test_unidentified_parent_is_the_article_15_case(parent):
    errors = refusal("birth", BIRTH_ALL, birth(**{parent: None}))
    assert "Điều 15" in errors[f"subject.{parent}"][0]


def test_collective_household_gets_no_residence_leg():
    facts = birth(residence={"unit": "29926", "address": "Doanh trại", "household_type": "collective"})
    errors = refusal("birth", BIRTH_ALL, facts)
    assert "nhân khẩu tập thể" in errors["services"][0] and "Kế hoạch 74" in errors["services"][0]
    # ... and birth + card is still allowed for that child.
    assert plan("birth", ["birth_registration", "health_insurance_card"], facts, on=TODAY).services == [
        "birth_registration", "health_insurance_card"]


def test_family_household_gets_the_residence_leg_at_the_police():
    leg = plan("birth", BIRTH_ALL, birth(), on=TODAY).legs[1]
    assert (leg.service, leg.agency) == ("residence_registration", "police")


def test_card_only_for_the_first_card():
    errors = refusal("birth", ["birth_registration", "health_insurance_card"],
                     birth(first_health_insurance_card=False))
    assert "lần đầu" in errors["services"][0]


def test_card_needs_the_first_card_answer():
    errors = refusal("birth", ["birth_registration", "health_insurance_card"],
                     birth(first_health_insurance_card=None))
    assert errors["subject.first_health_insurance_card"] == [
        "Cho biết đây có phải lần đầu trẻ được cấp thẻ BHYT không (Kế hoạch 74/KH-UBND, mục II.1)."]


@pytest.mark.parametrize("born, offered", [
    (date(2020, 11, 24), True),   # 71 months on 23/11/2026
    (date(2020, 11, 23), False),  # exactly 72 months
    (date(2019, 1, 1), False),
])
def test_card_only_under_72_months(born, offered):
    facts = birth(date_of_birth=born)
    if offered:
        assert plan("birth", ["birth_registration", "health_insurance_card"], facts, on=TODAY).legs[1].agency \
            == "social_insurance"
    else:
        errors = refusal("birth", ["birth_registration", "health_insurance_card"], facts)
        assert "72 tháng" in errors["services"][0] and "Nghị định 146/2018" in errors["services"][0]


def test_birth_deadlines_come_from_the_rules_and_verification_lengthens_residence():
    plain = {leg.service: leg.deadline_days for leg in plan("birth", BIRTH_ALL, birth(), on=TODAY).legs}
    assert plain == {"birth_registration": 0, "residence_registration": 2, "health_insurance_card": 2}
    verified = plan("birth", BIRTH_ALL, birth(), on=TODAY, needs_verification=True).legs[1]
    assert verified.deadline_days == 5


# --- death bundle -------------------------------------------------------------

BEFORE = date(2026, 3, 14)   # last day of the application-based removal
FROM = date(2026, 3, 15)     # automatic removal (Nghị định 58/2026)


def test_removal_needs_a_permanent_residence():
    errors = refusal("death", ["death_registration", "residence_removal"], death(had_permanent_residence=False),
                     on=BEFORE)
    assert "thường trú" in errors["services"][0] and "II.2.b" in errors["services"][0]


def test_household_head_gets_no_removal_leg_before_15_march_2026():
    facts = death(is_household_head=True, date_of_death=BEFORE - timedelta(days=2))
    errors = refusal("death", ["death_registration", "residence_removal"], facts, on=BEFORE)
    assert "chủ hộ" in errors["services"][0]


def test_removal_before_15_march_2026_is_applied_for_and_takes_5_days():
    facts = death(date_of_death=BEFORE - timedelta(days=2))
    result = plan("death", ["death_registration", "residence_removal"], facts, on=BEFORE)
    removal = result.legs[1]
    assert (removal.service, removal.automatic, removal.deadline_days, removal.agency) == (
        "residence_removal", False, 5, "police")


def test_removal_is_automatic_from_15_march_2026_even_when_not_asked():
    facts = death(date_of_death=FROM - timedelta(days=1), benefit_category="pensioner")
    result = plan("death", ["death_registration", "funeral_allowance"], facts, on=FROM)
    assert result.services == ["death_registration", "residence_removal", "funeral_allowance"]
    removal = result.legs[1]
    assert removal.automatic and removal.deadline_days == 1 and removal.depends_on == "death_registration"
    assert result.notices == []


def test_household_head_death_from_15_march_2026_raises_the_notice():
    facts = death(is_household_head=True, date_of_death=FROM)
    result = plan("death", ["death_registration", "residence_removal"], facts, on=FROM)
    assert result.legs[1].automatic
    assert any("chủ hộ" in n for n in result.notices)


def test_no_automatic_removal_without_permanent_residence():
    facts = death(had_permanent_residence=False, benefit_category="pensioner")
    result = plan("death", ["death_registration", "funeral_allowance"], facts, on=FROM)
    assert result.services == ["death_registration", "funeral_allowance"]


def test_death_registration_alone_is_not_a_linked_bundle():
    errors = refusal("death", ["death_registration"], death(had_permanent_residence=False, benefit_category="none"),
                     on=FROM)
    assert "ít nhất một thủ tục" in errors["services"][0]


def test_death_bundle_always_starts_with_death_registration():
    errors = refusal("death", ["residence_removal"], death(), on=BEFORE)
    assert "luôn gồm" in errors["services"][0]


def test_two_funeral_benefits_are_refused():
    errors = refusal("death", ["death_registration", "funeral_allowance", "funeral_support"], death())
    assert any("một chế độ mai táng" in m for m in errors["services"])


# Each funeral-benefit category: which service it gives and where it goes.
@pytest.mark.parametrize("overrides, service, agency", [
    ({"benefit_category": "pensioner"}, "funeral_allowance", "social_insurance"),
    ({"benefit_category": "monthly_benefit"}, "funeral_allowance", "social_insurance"),
    ({"benefit_category": "awaiting_pension_age"}, "funeral_allowance", "social_insurance"),
    ({"benefit_category": "reserved_contributions", "compulsory_months": 12}, "funeral_allowance",
     "social_insurance"),
    ({"benefit_category": "voluntary_participant", "compulsory_months": 12}, "funeral_allowance",
     "social_insurance"),
    ({"benefit_category": "voluntary_participant", "compulsory_months": 10, "voluntary_months": 50},
     "funeral_allowance", "social_insurance"),
    ({"benefit_category": "meritorious_person", "social_insurance_number": ""}, "funeral_allowance", "labour"),
    ({"benefit_category": "social_protection", "social_insurance_number": ""}, "funeral_support", "labour"),
    ({"benefit_category": "survivor_allowance", "age_at_death": 80}, "funeral_support", "labour"),
])
def test_funeral_benefit_allowed_by_category(overrides, service, agency):
    result = plan("death", ["death_registration", service], death(**overrides), on=TODAY)
    leg = result.legs[-1]
    assert (leg.service, leg.agency) == (service, agency)
    # Luật BHXH 2024: 10 working days; Nghị định 20/2021 Điều 11.4: 5 (fixtures/rules.json).
    assert leg.deadline_days == {"funeral_allowance": 10, "funeral_support": 5}[service]


@pytest.mark.parametrize("overrides, asked, reason", [
    ({"benefit_category": "reserved_contributions", "compulsory_months": 11}, "funeral_allowance", "12 tháng"),
    ({"benefit_category": "voluntary_participant", "compulsory_months": 11, "voluntary_months": 48},
     "funeral_allowance", "60"),
    ({"benefit_category": "survivor_allowance", "age_at_death": 79}, "funeral_support", "80 tuổi"),
    ({"benefit_category": "none"}, "funeral_allowance", "không thuộc đối tượng"),
    ({"benefit_category": "none"}, "funeral_support", "không thuộc đối tượng"),
    # Asking for the other benefit than the one the situation gives.
    ({"benefit_category": "pensioner"}, "funeral_support", "Trợ cấp mai táng"),
    ({"benefit_category": "social_protection"}, "funeral_allowance", "Hỗ trợ chi phí mai táng"),
    ({"benefit_category": "meritorious_person"}, "funeral_support", "Trợ cấp mai táng"),
])
def test_funeral_benefit_refused_with_the_reason(overrides, asked, reason):
    errors = refusal("death", ["death_registration", "residence_removal", asked], death(**overrides))
    assert reason in errors["services"][0]


def test_bhxh_allowance_needs_the_social_insurance_number():
    errors = refusal("death", ["death_registration", "funeral_allowance"], death(social_insurance_number=""))
    assert errors["subject.social_insurance_number"] == [
        "Trợ cấp mai táng do cơ quan BHXH chi trả cần mã số bảo hiểm xã hội của người chết."]


def test_first_match_wins_an_80_year_old_pensioner_gets_the_bhxh_allowance():
    verdicts = {v.service: v for v in explain(
        {"bundle": "death", "subject": {**death(age_at_death=85, benefit_category="pensioner"),
                                        "date_of_birth": "1941-01-01", "date_of_death": TODAY.isoformat()}},
        on=TODAY)}
    assert verdicts["funeral_allowance"].offered and not verdicts["funeral_support"].offered


def test_funeral_rules_are_those_of_the_date_of_death():
    # The 60-month total is checked against the rule of the date of death;
    # a death before the table starts cannot get a benefit the engine could not price.
    facts = death(date_of_death=date(2015, 6, 1), date_of_birth=date(1940, 1, 1), benefit_category="pensioner")
    errors = refusal("death", ["death_registration", "residence_removal", "funeral_allowance"], facts)
    assert "ngày chết" in errors["services"][0]


# --- explain() ------------------------------------------------------------------

def test_explain_gives_one_verdict_per_service_of_the_bundle():
    data = {"bundle": "birth", "subject": {"date_of_birth": "2019-01-01", "first_health_insurance_card": True,
                                           "residence": {"household_type": "collective"}}}
    verdicts = explain(data, on=TODAY)
    assert [v.service for v in verdicts] == BIRTH_ALL
    offered = {v.service: v.offered for v in verdicts}
    assert offered == {"birth_registration": True, "residence_registration": False, "health_insurance_card": False}
    assert all(v.reason and v.citation for v in verdicts)


@pytest.mark.parametrize("data", [None, [], {}, {"bundle": "x"}, {"bundle": "death", "subject": "nope"},
                                  {"bundle": "birth", "subject": {"date_of_birth": "not a date"}},
                                  {"bundle": ["birth"]}, {"bundle": "birth", "subject": {"special_case": [1],
                                                                                       "residence": "x"}},
                                  {"bundle": "death", "subject": {"benefit_category": {}, "age_at_death": "80",
                                                                  "compulsory_months": [12]}}])
def test_explain_tolerates_half_filled_forms(data):
    verdicts = explain(data, on=TODAY)
    assert isinstance(verdicts, list)


def test_explain_marks_the_automatic_removal():
    verdicts = {v.service: v for v in explain({"bundle": "death", "subject": {"had_permanent_residence": True}},
                                              on=FROM)}
    assert verdicts["residence_removal"].automatic
    before = {v.service: v for v in explain({"bundle": "death", "subject": {"had_permanent_residence": True}},
                                            on=BEFORE)}
    assert not before["residence_removal"].automatic


def test_age_in_months_counts_completed_months():
    assert eligibility.age_in_months(date(2020, 1, 31), date(2020, 2, 29)) == 0
    assert eligibility.age_in_months(date(2020, 1, 31), date(2020, 3, 1)) == 1
    assert eligibility.age_in_months(date(2020, 11, 23), date(2026, 11, 23)) == 72


def test_explain_flags_a_commune_other_than_the_parents():
    data = {"bundle": "birth", "unit": "00004", "subject": {"residence": {"unit": "29926"}}}
    first = explain(data, on=TODAY)[0]
    assert not first.offered and first.citation == "Luật Hộ tịch 2014, Điều 13"
    data["unit"] = "29926"
    assert explain(data, on=TODAY)[0].offered
