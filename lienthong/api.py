"""API plumbing shared by every app: the exception handler that turns domain
errors, refused transitions, Django validation errors and bodies no parser
could read into the contract's 400/409 shapes (documented on every
operation by lienthong.schema); the token endpoint."""
from __future__ import annotations

from typing import Any

from axes.helpers import get_cool_off, get_lockout_message
from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition, TransitionNotAllowed
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.exceptions import ParseError, UnsupportedMediaType, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from lienthong.errors import Conflict, DomainError


class TokenView(ObtainAuthToken):
    """POST /api/v1/auth/token/: DRF's token view, reading bodies with the
    portal's parsers (settings.REST_FRAMEWORK) instead of its own list, and
    saying so when django-axes has locked the username out (as the log-in
    page does) instead of answering as for a wrong password."""

    parser_classes = APIView.parser_classes

    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        try:
            return super().post(request, *args, **kwargs)
        except ValidationError:
            # Set by axes on the request it was given (this one) when the
            # attempt is refused or is the one that locks the pair out.
            if not getattr(request, "axes_locked_out", False):
                raise
        cool_off = get_cool_off(request)
        return Response({"non_field_errors": [str(get_lockout_message())]}, status=settings.AXES_HTTP_RESPONSE_CODE,
                        headers={"Retry-After": str(int(cool_off.total_seconds()))} if cool_off else None)


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
