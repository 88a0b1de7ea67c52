"""Writing user text into spreadsheets as text, never as a formula.

A difficulty report, a name or a reason typed as `=HYPERLINK("http://…"&C6,
"Chi tiết")` would otherwise become a live formula in the province's daily
XLSX, run by whoever opens the file (OWASP: CSV/formula injection). Every
export of the portal writes its cells through this module.
"""
from __future__ import annotations

from typing import Any

# What a spreadsheet program reads as the start of a formula (OWASP).
FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")


def xlsx_cell(ws, row: int, column: int, value: Any):
    """Write `value` into the openpyxl sheet `ws`; text stays text (cell type
    "s", the value unchanged) whatever character it begins with."""
    cell = ws.cell(row=row, column=column, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
    return cell


def csv_value(value: Any) -> Any:
    """A value for a CSV writer: text beginning like a formula gets a leading
    apostrophe, which spreadsheet programs show as text."""
    if isinstance(value, str) and value.startswith(FORMULA_LEADS):
        return "'" + value
    return value
