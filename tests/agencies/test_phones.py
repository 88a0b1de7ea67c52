"""The one phone rule (agencies.phones), as every door applies it."""
from __future__ import annotations

import pytest

from agencies.auth import contact_parse
from agencies.phones import PHONE_INVALID, phone_is_valid, phone_normalize
from lienthong.errors import DomainError


@pytest.mark.parametrize("typed, stored", [
    ("0912345678", "0912345678"), ("+84 912 345 678", "0912345678"), ("84912345678", "0912345678"),
    ("0912.345.678", "0912345678"), ("02773851234", "02773851234"), ("+84 277 385 1234", "02773851234"),
    ("842773851234", "02773851234"), ("(0277) 385-1234", "02773851234"),
])
def test_common_spellings_are_stored_the_same_and_accepted(typed, stored):
    assert phone_normalize(typed) == stored
    assert phone_is_valid(phone_normalize(typed))


@pytest.mark.parametrize("typed", ["0112345678", "12345", "091234567", "09123456789", "0212345678", ""])
def test_numbers_outside_the_vietnamese_plan_are_refused(typed):
    assert not phone_is_valid(phone_normalize(typed))


def test_login_and_sign_up_use_the_same_rule():
    assert contact_parse("+84 277 385 1234") == ("phone", "02773851234")
    with pytest.raises(DomainError) as refused:
        contact_parse("0112345678")
    assert refused.value.errors == {"contact": [str(PHONE_INVALID)]}
