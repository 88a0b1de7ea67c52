"""System checks of the project's own settings (registered by agencies.apps)."""
from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, register


@register("security")
def development_secret_key(app_configs, **kwargs) -> list[Error]:
    """The fixed development key signs sessions, password-reset links and
    CSRF tokens; it is public (it is in the repository). Anywhere DEBUG is off
    it would let anyone forge them."""
    if settings.DEBUG or settings.SECRET_KEY != settings.DEV_SECRET_KEY:
        return []
    return [Error("SECRET_KEY is the development key while DEBUG is off.",
                  hint="Set SECRET_KEY in the environment to a long random value (or DEBUG=1 for development).",
                  id="lienthong.E001")]
