"""The dates a filter or a report may ask for.

The portal's data begin after 2015 and nothing is planned more than a year
ahead; a date outside that window in a query string (`9999-12-31`,
`0001-01-01`) is a typing error or a probe, refused with a message naming
the field instead of overflowing the date arithmetic (a 500) or building a
row per day of a millennium. The reports' own limit on the length of a
range is in reports/ranges.py."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext

EARLIEST = date(2015, 1, 1)
# How far ahead of today a filter may reach: one year.
AHEAD = timedelta(days=366)


if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def latest() -> date:
    return timezone.localdate() + AHEAD


def out_of_bounds(value: date, field: str) -> str | None:
    """The refusal naming `field` (a label or a parameter name), or None."""
    if EARLIEST <= value <= latest():
        return None
    return gettext("“%(field)s” phải là ngày từ %(first)s đến %(last)s.") % {
        "field": field, "first": EARLIEST.strftime("%d/%m/%Y"), "last": latest().strftime("%d/%m/%Y")}


def bounded(field: StrOrPromise) -> Callable[[date], None]:
    """A form or serializer validator refusing a date outside the window."""
    def validate(value: date) -> None:
        message = out_of_bounds(value, str(field))
        if message:
            raise ValidationError(message, code="out_of_bounds")
    return validate
