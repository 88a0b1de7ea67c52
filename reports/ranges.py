"""The one bound on what a report may be asked for: dates inside the portal's
window (lienthong.dates) and at most MAX_DAYS days from first to last, since
the dashboard's series has a row per day of the range. Used by every report
page and API."""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime

from django.utils.translation import gettext as _

from lienthong.dates import out_of_bounds
from lienthong.errors import DomainError
from lienthong.forms import DATE_INPUT_FORMATS

MAX_DAYS = 366
ISO = ("%Y-%m-%d",)


def parse_day(params: Mapping[str, str], name: str, default: date, *, formats=DATE_INPUT_FORMATS,
              label: str | None = None) -> date:
    """The date in parameter `name` (ISO, or dd/mm/yyyy as typed in the
    forms), `default` when absent; a DomainError on `name` otherwise, whose
    message names the field by `label` (a page's) or by `name` (the API's)."""
    label = str(label or name)
    raw = (params.get(name) or "").strip()
    if not raw:
        return default
    for fmt in formats:
        try:
            value = datetime.strptime(raw, fmt).date()
        except ValueError:
            continue
        message = out_of_bounds(value, label)
        if message:
            raise DomainError({name: [message]})
        return value
    raise DomainError({name: [_("“%(field)s”: ngày không hợp lệ; dùng dạng %(form)s.") % {
        "field": label, "form": "YYYY-MM-DD" if formats == ISO else "dd/mm/yyyy"}]})


def report_range(params: Mapping[str, str], default_first: date, default_last: date, *,
                 first_name: str = "from", last_name: str = "to", formats=DATE_INPUT_FORMATS,
                 labels: Mapping[str, str] | None = None) -> tuple[date, date]:
    """(first, last) of a report: each bounded, first ≤ last, at most MAX_DAYS
    days. A DomainError naming the offending parameter(s) (by their `labels`
    on a page)."""
    labels = labels or {}
    errors: dict[str, list[str]] = {}
    days = {}
    for name, default in ((first_name, default_first), (last_name, default_last)):
        try:
            days[name] = parse_day(params, name, default, formats=formats, label=labels.get(name))
        except DomainError as exc:
            errors.update(exc.errors)
    if errors:
        raise DomainError(errors)
    first, last = days[first_name], days[last_name]
    if first > last:
        raise DomainError({last_name: [_("“%(last)s” không được trước “%(first)s”.") % {
            "first": labels.get(first_name, first_name), "last": labels.get(last_name, last_name)}]})
    if (last - first).days + 1 > MAX_DAYS:
        raise DomainError({last_name: [_("Một báo cáo trải tối đa %(n)s ngày; hãy thu hẹp “%(first)s” – “%(last)s”.")
                                       % {"n": MAX_DAYS, "first": labels.get(first_name, first_name),
                                          "last": labels.get(last_name, last_name)}]})
    return first, last
