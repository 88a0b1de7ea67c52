"""Absolute links to the portal, for what leaves it: QR codes on issued
documents, SMS and e-mail. The one place that reads PORTAL_BASE_URL
(`make run` derives it from the port it serves on; production must set it:
lienthong/checks.py)."""
from __future__ import annotations

from django.conf import settings


def absolute_url(path: str) -> str:
    """`path` (as reverse() gives it) on the portal's public address."""
    return settings.PORTAL_BASE_URL.rstrip("/") + "/" + path.lstrip("/")
