"""Paged lists: one page size, and the links that keep the current filters."""
from __future__ import annotations

from django.http import HttpRequest

PAGE_SIZE = 25


def pager_query(request: HttpRequest) -> str:
    """The current filters, for the pager's links."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()
