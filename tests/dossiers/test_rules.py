"""The rule table: loading, the value in force at a date, citations, amounts."""
from __future__ import annotations

import json
from datetime import UTC, date
from pathlib import Path

import pytest
from django.core.management import call_command

from dossiers import rules
from dossiers.models import Rule

pytestmark = pytest.mark.django_db

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "rules.json"

# Every key the contract (notes/contract.md) names.
CONTRACT_KEYS = [
    "deadline.birth_registration", "deadline.residence_registration", "deadline.residence_registration.verification",
    "deadline.health_insurance_card", "deadline.death_registration", "deadline.residence_removal",
    "deadline.funeral_allowance", "deadline.funeral_support", "deadline.bundle.birth",
    "deadline.bundle.birth.verification", "deadline.bundle.birth_card", "deadline.bundle.death",
    "deadline.supplement_answer", "cutoff_time", "amount.base_salary", "amount.social_assistance_standard",
    "amount.funeral_allowance.multiplier", "amount.funeral_support.multiplier", "late_registration.birth_days",
    "late_registration.death_days", "health_insurance_card.max_age_months", "residence_removal.automatic",
    "funeral_allowance.min_compulsory_months", "funeral_allowance.min_voluntary_total_months",
    "funeral_support.min_age",
]
OLD_REGIME, NEW_REGIME = date(2023, 7, 10), date(2024, 7, 1)


@pytest.fixture(autouse=True)
def _fresh_cache():
    rules.clear_cache()
    yield
    rules.clear_cache()


@pytest.mark.parametrize("key", CONTRACT_KEYS)
def test_every_contract_key_is_in_force_for_every_linked_dossier(key):
    # From the first day of the linked service (10/7/2023) to today.
    for day in (OLD_REGIME, NEW_REGIME, date(2026, 3, 15), date.today()):
        row = rules.rule(key, day)
        assert row.citation.strip(), key


def test_every_row_has_a_citation_and_the_table_is_loaded_from_the_fixture():
    rows = json.loads(FIXTURE.read_text(encoding="utf-8"))
    assert Rule.objects.count() >= len(rows)
    assert not Rule.objects.filter(citation="").exists()


def test_load_rules_is_an_idempotent_upsert():
    before = Rule.objects.count()
    Rule.objects.filter(key="deadline.funeral_support", valid_from=NEW_REGIME).update(value=99, citation="x")
    extra = Rule.objects.create(key="deadline.funeral_support", valid_from=date(2030, 1, 1), value=4,
                                citation="Nghị định tương lai")
    call_command("load_rules", verbosity=0)
    call_command("load_rules", verbosity=0)
    assert Rule.objects.count() == before + 1  # nothing duplicated; the admin's own row is kept
    row = Rule.objects.get(key="deadline.funeral_support", valid_from=NEW_REGIME)
    assert (row.value, row.citation) == (5, "Nghị định 20/2021/NĐ-CP, Điều 11.4")
    assert rules.value("deadline.funeral_support", date(2030, 1, 2)) == 4
    extra.delete()


@pytest.mark.parametrize("key, day, expected", [
    ("deadline.residence_removal", date(2026, 3, 14), 5),
    ("deadline.residence_removal", date(2026, 3, 15), 1),
    ("residence_removal.automatic", date(2026, 3, 14), False),
    ("residence_removal.automatic", date(2026, 3, 15), True),
    ("amount.base_salary", date(2024, 6, 30), 1_800_000),
    ("amount.base_salary", date(2024, 7, 1), 2_340_000),
    ("amount.base_salary", date(2023, 6, 30), 1_490_000),
    ("amount.social_assistance_standard", date(2024, 6, 30), 360_000),
    ("amount.social_assistance_standard", date(2024, 7, 1), 500_000),
    # The 2023 regime (Công văn 2084) against Nghị định 63/2024.
    ("deadline.bundle.birth", date(2024, 6, 30), 20),
    ("deadline.bundle.birth", date(2024, 7, 1), 3),
    ("deadline.bundle.birth_card", date(2023, 7, 10), 15),
    ("deadline.bundle.birth_card", date(2024, 7, 1), 3),
    ("deadline.bundle.birth.verification", date(2024, 7, 1), 5),
    ("deadline.supplement_answer", date(2025, 1, 2), 7),
    ("cutoff_time", date(2025, 1, 2), "15:00"),
    ("late_registration.birth_days", date(2025, 1, 2), 60),
    ("late_registration.death_days", date(2025, 1, 2), 15),
    ("health_insurance_card.max_age_months", date(2025, 1, 2), 72),
])
def test_the_value_in_force_switches_at_its_effective_date(key, day, expected):
    assert rules.value(key, day) == expected


def test_a_datetime_is_read_on_its_vietnamese_date():
    from datetime import datetime

    # 17:30 UTC on 14/3/2026 is already 15/3/2026 in Hà Nội.
    assert rules.value("deadline.residence_removal", datetime(2026, 3, 14, 17, 30, tzinfo=UTC)) == 1


def test_before_the_first_row_nothing_is_in_force():
    with pytest.raises(rules.RuleMissing):
        rules.value("deadline.bundle.birth", date(2023, 7, 9))
    with pytest.raises(rules.RuleMissing):
        rules.value("no.such.key", date(2025, 1, 1))


@pytest.mark.parametrize("key", ["deadline.funeral_allowance", "deadline.funeral_support", "deadline.bundle.death"])
def test_values_domain_marks_unconfirmed_are_flagged(key):
    assert rules.rule(key, date(2025, 1, 2)).unconfirmed


def test_older_regime_rows_exist_for_every_leg_deadline():
    for service in ("birth_registration", "residence_registration", "health_insurance_card", "death_registration",
                    "residence_removal", "funeral_allowance", "funeral_support"):
        assert Rule.objects.filter(key=f"deadline.{service}", valid_from=OLD_REGIME).exists(), service


@pytest.mark.parametrize("service, died, amount", [
    ("funeral_allowance", date(2024, 6, 30), 18_000_000),
    ("funeral_allowance", date(2024, 7, 1), 23_400_000),
    ("funeral_allowance", date(2025, 7, 1), 23_400_000),  # Luật BHXH 2024: 10 × mức tham chiếu
    ("funeral_support", date(2024, 6, 30), 7_200_000),
    ("funeral_support", date(2024, 7, 1), 10_000_000),
])
def test_funeral_amount_follows_the_date_of_death(service, died, amount):
    assert rules.funeral_amount(service, died) == amount


def test_changing_an_amount_is_a_data_change():
    Rule.objects.create(key="amount.base_salary", valid_from=date(2026, 7, 1), value=2_530_000,
                        citation="Nghị định (giả định cho kiểm thử)")
    rules.clear_cache()
    assert rules.funeral_amount("funeral_allowance", date(2026, 7, 1)) == 25_300_000
    assert rules.funeral_amount("funeral_allowance", date(2026, 6, 30)) == 23_400_000


def test_cache_is_per_process_until_cleared():
    assert rules.value("funeral_support.min_age", date(2025, 1, 1)) == 80
    Rule.objects.filter(key="funeral_support.min_age").update(value=81)
    assert rules.value("funeral_support.min_age", date(2025, 1, 1)) == 80
    rules.clear_cache()
    assert rules.value("funeral_support.min_age", date(2025, 1, 1)) == 81


@pytest.mark.parametrize("service", ["birth_registration", "residence_registration", "health_insurance_card",
                                     "death_registration", "residence_removal", "funeral_allowance",
                                     "funeral_support"])
def test_rejection_reasons_cite_a_rule_and_end_with_other(service):
    reasons = rules.rejection_reasons(service)
    assert reasons[-1] == ("other", "Lý do khác")
    assert len({code for code, _ in reasons}) == len(reasons)
    assert len(reasons) >= 2, reasons  # at least one reason with its rule, then "other"
    for code, label in reasons[:-1]:
        assert any(word in label for word in ("Điều", "Kế hoạch", "mục")), (code, label)


def test_load_rules_reports_what_it_loaded(capsys):
    call_command("load_rules")
    assert "quy tắc" in capsys.readouterr().out
