"""System checks of the deployment's settings (registered by
dossiers.apps, whose documents and notices carry the links).

A normal check, not only a `--deploy` one: Django runs it before `migrate`
(the Procfile's release step) and `runserver`, so a production without its
public address refuses to start instead of printing QR codes that lead
nowhere."""
from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error


def portal_base_url_check(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    base = getattr(settings, "PORTAL_BASE_URL", "")
    if not base:
        if getattr(settings, "PRODUCTION", False):
            return [Error("PORTAL_BASE_URL is not set.",
                          hint="Set PORTAL_BASE_URL to the portal's public address (https://dichvucong.example.vn): "
                               "QR codes, SMS and e-mails link to it.",
                          id="lienthong.E001")]
        return []
    if not base.startswith(("http://", "https://")):
        return [Error(f"PORTAL_BASE_URL {base!r} is not an absolute http(s) address.",
                      hint="For example https://dichvucong.example.vn", id="lienthong.E002")]
    return []
