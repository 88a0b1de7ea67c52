"""Vendor fragments for the reports' raw SQL and aggregates.

PostgreSQL is the production and test database and the reports are written
for it (docs/benchmarks.md). The zero-setup `make run` (no DATABASE_URL)
runs on SQLite with demo-size data, so the few PostgreSQL-only spellings go
through these helpers: on PostgreSQL each returns exactly the SQL the reports
used before (same plans), on SQLite an equivalent that SQLite understands.
The logic of every query stays in one place (reports/selectors.py).
"""
from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection

_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")
_CASTS = {  # PostgreSQL type -> SQLite type affinity
    "int": "INTEGER", "bigint": "INTEGER", "float": "REAL",
}


def is_postgresql() -> bool:
    return connection.vendor == "postgresql"


def json_array_has(column: str, value: str) -> str:
    """`column` (a JSON array of names) contains the string `value`.

    PostgreSQL: `@>` with a jsonb literal, served by the GIN index on
    Dossier.services. SQLite: a match of the quoted name in the array's text
    (names are [a-z_] identifiers from the code, never user input, so the
    quoted form cannot match a part of another name)."""
    if not _NAME.match(value):
        raise ValueError(f"not a service name: {value!r}")
    if is_postgresql():
        return f"""{column} @> '["{value}"]'::jsonb"""
    return f"""instr({column}, '"{value}"') > 0"""


def cast(expression: str, type_: str) -> str:
    """`expression::type_` on PostgreSQL, CAST(... AS affinity) on SQLite."""
    if is_postgresql():
        return f"{expression}::{type_}"
    return f"CAST({expression} AS {_CASTS[type_]})"


def nullable_param(name: str, type_: str) -> str:
    """A parameter compared with IS NULL: PostgreSQL needs its type spelled
    out (an untyped NULL parameter cannot be inferred), SQLite does not."""
    return f"%({name})s::{type_}" if is_postgresql() else f"%({name})s"


def in_list(expression: str, name: str, values: Iterable[Any], params: dict[str, Any]) -> str:
    """`expression` is one of `values`, bound as parameter `name`.

    PostgreSQL: `= ANY(%(name)s)` with one array parameter (one plan whatever
    the length). SQLite has no arrays: one parameter per value, `IN (...)`
    (`IN (NULL)` when empty, which matches nothing, like ANY of an empty
    array)."""
    values = list(values)
    if is_postgresql():
        params[name] = values
        return f"{expression} = ANY(%({name})s)"
    names = []
    for i, v in enumerate(values):
        params[f"{name}_{i}"] = v
        names.append(f"%({name}_{i})s")
    return f"{expression} IN ({', '.join(names) or 'NULL'})"


def percentile_cont(values: Sequence[float], fraction: float) -> float | None:
    """PostgreSQL's percentile_cont in Python (linear interpolation between
    the two closest ranks). Used on SQLite only, which has no ordered-set
    aggregates; the demo database has a few dozen legs, so sorting them in
    Python is fine there. PostgreSQL computes it in the query."""
    if not values:
        return None
    ordered = sorted(values)
    pos = fraction * (len(ordered) - 1)
    lo, hi = math.floor(pos), math.ceil(pos)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)

