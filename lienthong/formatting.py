"""How the portal writes numbers, dates and money for people (Vietnamese
conventions: dd/mm/yyyy, 2.340.000 ₫)."""
from __future__ import annotations


def money(amount: int) -> str:
    """2340000 → "2.340.000 ₫" (Vietnamese grouping)."""
    return f"{amount:,}".replace(",", ".") + " ₫"
