"""Personal ID and social insurance number structure (docs/domain.md §7)."""
from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from agencies.models import AdminUnit
from dossiers.identifiers import (
    LEGACY_PROVINCE_CODES,
    personal_id_errors,
    personal_id_generate,
    personal_id_sex,
    social_insurance_number_errors,
)


@pytest.mark.parametrize("value, sex, born", [
    ("082190001234", "female", None),            # docs/api.md's mother, born 1990
    ("082088004321", "male", date(1988, 5, 1)),  # docs/api.md's father
    ("045052000123", "male", date(1952, 3, 4)),  # docs/api.md's deceased
    ("001226000001", "male", date(2026, 1, 1)),  # Hà Nội, boy born 2026
    ("096325123456", "female", date(2025, 12, 31)),  # Cà Mau, girl born 2025
    ("001200000000", None, None),                # no sex or date stated: structure only
])
def test_valid_numbers(value, sex, born):
    assert personal_id_errors(value, sex=sex, date_of_birth=born) == []


@pytest.mark.parametrize("value, sex, born, fragment", [
    ("08219000123", None, None, "12 chữ số"),
    ("0821900012345", None, None, "12 chữ số"),
    ("08219000123a", None, None, "12 chữ số"),
    ("０８２１９０００１２３４", None, None, "12 chữ số"),  # full-width digits
    ("", None, None, "12 chữ số"),
    ("003190001234", None, None, "mã tỉnh"),     # 003 is not a province code
    ("097190001234", None, None, "mã tỉnh"),
    ("000190001234", None, None, "mã tỉnh"),
    ("082690001234", None, None, "từ 0 đến 5"),  # century digit 6
    ("082990001234", None, None, "từ 0 đến 5"),
    ("082190001234", "male", None, "giới tính"),  # 1 = female
    ("082088004321", "female", None, "giới tính"),
    ("082088004321", "male", date(1989, 1, 1), "năm sinh 1988"),
    ("082226000001", "male", date(1926, 1, 1), "năm sinh 2026"),
    ("082290000001", None, None, "chưa đến"),    # born 2090, no date stated
])
def test_invalid_numbers(value, sex, born, fragment):
    errors = personal_id_errors(value, sex=sex, date_of_birth=born)
    assert errors and any(fragment in e for e in errors), errors


@pytest.mark.parametrize("value", [None, 82190001234, ["082190001234"], {"a": 1}])
def test_non_strings_are_refused_not_crashed(value):
    assert personal_id_errors(value, sex=None, date_of_birth=None)  # type: ignore[arg-type]


@pytest.mark.django_db
def test_province_codes_are_exactly_the_legacy_provinces():
    legacy = AdminUnit.objects.filter(map=AdminUnit.Map.LEGACY, level=AdminUnit.Level.PROVINCE)
    assert LEGACY_PROVINCE_CODES == {f"{int(u.code):03d}" for u in legacy}
    assert len(LEGACY_PROVINCE_CODES) == 63


def test_generate_examples():
    assert personal_id_generate(province_code="87", sex="male", date_of_birth=date(2026, 11, 10), serial=42) \
        == "087226000042"
    assert personal_id_generate(province_code="001", sex="female", date_of_birth=date(1999, 1, 1), serial=999999) \
        == "001199999999"


@pytest.mark.parametrize("kwargs", [
    {"province_code": "03", "sex": "male", "date_of_birth": date(2026, 1, 1), "serial": 1},
    {"province_code": "01", "sex": "other", "date_of_birth": date(2026, 1, 1), "serial": 1},
    {"province_code": "01", "sex": "male", "date_of_birth": date(1899, 12, 31), "serial": 1},
    {"province_code": "01", "sex": "male", "date_of_birth": date(2026, 1, 1), "serial": 1_000_000},
    {"province_code": "01", "sex": "male", "date_of_birth": date(2026, 1, 1), "serial": -1},
])
def test_generate_refuses_impossible_numbers(kwargs):
    with pytest.raises(ValueError):
        personal_id_generate(**kwargs)


@given(
    province=st.sampled_from(sorted(LEGACY_PROVINCE_CODES)),
    sex=st.sampled_from(["male", "female"]),
    born=st.dates(min_value=date(1900, 1, 1), max_value=date.today()),
    serial=st.integers(min_value=0, max_value=999_999),
)
def test_generated_numbers_validate_and_contradictions_are_caught(province, sex, born, serial):
    value = personal_id_generate(province_code=province, sex=sex, date_of_birth=born, serial=serial)
    assert len(value) == 12 and value.isdigit() and value.startswith(province)
    assert personal_id_errors(value, sex=sex, date_of_birth=born) == []
    assert personal_id_sex(value) == sex
    other = "female" if sex == "male" else "male"
    assert personal_id_errors(value, sex=other, date_of_birth=born)
    assert personal_id_errors(value, sex=sex, date_of_birth=born.replace(year=born.year - 1, day=1))


@given(st.text(max_size=20))
def test_any_text_gives_a_list_of_messages_never_an_exception(value):
    errors = personal_id_errors(value, sex="male", date_of_birth=None)
    assert isinstance(errors, list) and all(isinstance(e, str) for e in errors)
    if errors == []:
        assert len(value) == 12 and value.isascii() and value.isdigit()


@pytest.mark.parametrize("value, ok", [
    ("4512345678", True), ("0000000000", True), ("451234567", False), ("45123456789", False),
    ("45123456a8", False), ("", False), (None, False),
])
def test_social_insurance_number(value, ok):
    assert (social_insurance_number_errors(value) == []) is ok
