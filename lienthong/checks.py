"""System checks of the project's own settings.

Normal checks, not only `--deploy` ones: Django runs them before `migrate`
(the Procfile's release step) and `runserver`, so a production with the
public development key or without its public address refuses to start
instead of signing forgeable sessions or printing QR codes that lead nowhere.
`development_secret_key` registers itself on import (agencies.apps imports
this module); `portal_base_url_check` is registered by dossiers.apps, whose
documents and notices carry the links."""
from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, register


@register("security")
def development_secret_key(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    """The fixed development key signs sessions, password-reset links and
    CSRF tokens; it is public (it is in the repository). Anywhere DEBUG is off
    it would let anyone forge them."""
    if settings.DEBUG or settings.SECRET_KEY != settings.DEV_SECRET_KEY:
        return []
    return [Error("SECRET_KEY is the development key while DEBUG is off.",
                  hint="Set SECRET_KEY in the environment to a long random value (or DEBUG=1 for development).",
                  id="lienthong.E001")]


def portal_base_url_check(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    base = getattr(settings, "PORTAL_BASE_URL", "")
    if not base:
        if getattr(settings, "PRODUCTION", False):
            return [Error("PORTAL_BASE_URL is not set.",
                          hint="Set PORTAL_BASE_URL to the portal's public address (https://dichvucong.example.vn): "
                               "QR codes, SMS and e-mails link to it.",
                          id="lienthong.E002")]
        return []
    if not base.startswith(("http://", "https://")):
        return [Error(f"PORTAL_BASE_URL {base!r} is not an absolute http(s) address.",
                      hint="For example https://dichvucong.example.vn", id="lienthong.E003")]
    return []
