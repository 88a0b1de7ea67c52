"""API tokens: they expire (settings.API_TOKEN_TTL) and logging out of the
website revokes them. Issued and revoked at /api/v1/auth/token/
(lienthong.api.TokenView)."""
from __future__ import annotations

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed


def token_expired(token: Token) -> bool:
    return token.created + settings.API_TOKEN_TTL <= timezone.now()


class ExpiringTokenAuthentication(TokenAuthentication):
    """`Authorization: Token <key>`, refused once the key is older than
    settings.API_TOKEN_TTL (ask for a new one at POST /api/v1/auth/token/)."""

    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if token_expired(token):
            raise AuthenticationFailed(_("Mã truy cập (token) đã hết hạn; hãy xin mã mới."))
        return user, token


def tokens_revoke_on_logout(sender, request, user, **kwargs) -> None:
    """Logging out of the website revokes the user's API token too."""
    if user is not None:
        Token.objects.filter(user=user).delete()
