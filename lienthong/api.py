"""API plumbing shared by every app: the exception handler that turns domain
errors, refused transitions, Django validation errors and bodies no parser
could read into the contract's 400/409 shapes (documented on every
operation by lienthong.schema), and the API tokens (expiring, revocable)."""
from __future__ import annotations

from typing import Any

from axes.helpers import get_cool_off
from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition, TransitionNotAllowed
from rest_framework import status
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.exceptions import ParseError, UnsupportedMediaType, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from lienthong.errors import Conflict, DomainError
from lienthong.tokens import ExpiringTokenAuthentication, token_expired


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, (ParseError, UnsupportedMediaType)):
        # DRF says "JSON parse error - …" in English, under `detail`.
        return Response({"non_field_errors": [_("Nội dung yêu cầu không phải JSON hợp lệ.")]}, status=400)
    if isinstance(exc, DomainError):
        return Response(exc.errors, status=exc.status_code)
    if isinstance(exc, (TransitionNotAllowed, ConcurrentTransition)):
        return Response({"non_field_errors": [_("Hồ sơ đã thay đổi trạng thái; thao tác này không còn thực hiện được.")]},
                        status=Conflict.status_code)
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            return Response({k: [str(m) for e in v for m in e.messages] for k, v in exc.error_dict.items()}, status=400)
        return Response({"non_field_errors": exc.messages}, status=400)
    return drf_exception_handler(exc, context)


class TokenView(ObtainAuthToken):
    """POST: a token for a user name and password (a new one once the old has
    expired); DELETE: revoke the token the call is made with. Bodies are read
    with the portal's parsers (settings.REST_FRAMEWORK), not DRF's own list."""

    parser_classes = APIView.parser_classes

    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        if not serializer.is_valid():
            # django-axes marks the request it refused; its middleware only
            # sees Django's request, not DRF's wrapper, so answer here.
            if getattr(request, "axes_locked_out", False) or getattr(request._request, "axes_locked_out", False):
                cool_off = get_cool_off(request._request)
                return Response({"non_field_errors": [str(settings.AXES_COOLOFF_MESSAGE)]},
                                status=status.HTTP_429_TOO_MANY_REQUESTS,
                                headers={"Retry-After": str(int(cool_off.total_seconds()))} if cool_off else None)
            raise ValidationError(serializer.errors)
        user = serializer.validated_data["user"]
        with transaction.atomic():
            token = Token.objects.select_for_update().filter(user=user).first()
            if token is not None and token_expired(token):
                token.delete()
                token = None
            if token is None:
                token = Token.objects.create(user=user)
        return Response({"token": token.key})

    def delete(self, request, *args, **kwargs):
        if not isinstance(request.auth, Token):
            return Response({"non_field_errors": [_("Chỉ thu hồi được mã truy cập gửi kèm chính lời gọi này "
                                                    "trong tiêu đề Authorization.")]}, status=400)
        request.auth.delete()
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _revoking(self) -> bool:
        return getattr(getattr(self, "request", None), "method", None) == "DELETE"

    def get_authenticators(self):
        # Logging in needs no credentials (a stale token in the header must not
        # stop anyone getting a new one); revoking needs the token revoked.
        return [ExpiringTokenAuthentication()] if self._revoking() else []

    def get_permissions(self):
        return [IsAuthenticated()] if self._revoking() else []
