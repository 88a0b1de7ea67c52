"""The one domain exception type, mapped to HTTP in `lienthong.api` and to
form errors in the HTML views."""
from __future__ import annotations

from collections.abc import Mapping, Sequence


class DomainError(Exception):
    """A refusal with messages per field (dotted paths for nested fields,
    `non_field_errors` otherwise). Raised before anything is written."""

    status_code = 400

    def __init__(self, errors: Mapping[str, Sequence[str] | str] | str) -> None:
        if isinstance(errors, str):
            errors = {"non_field_errors": [errors]}
        self.errors: dict[str, list[str]] = {
            key: [str(m) for m in ([value] if isinstance(value, str) else value)]
            for key, value in errors.items()
        }
        super().__init__(self.errors)


class Conflict(DomainError):
    """The object is no longer in a state that allows the action (HTTP 409)."""

    status_code = 409
