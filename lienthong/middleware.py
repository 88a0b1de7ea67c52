"""Request-size limit enforced before any parsing.

Django's DATA_UPLOAD_MAX_MEMORY_SIZE guards form bodies it parses itself, but
DRF reads JSON from the stream and would parse a huge body whole. This checks
the declared length first: JSON and form bodies up to
DATA_UPLOAD_MAX_MEMORY_SIZE, multipart uploads up to MAX_REQUEST_SIZE (several
attachments of at most MAX_UPLOAD_SIZE each).
"""
from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _


class RequestSizeLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        multipart = request.META.get("CONTENT_TYPE", "").startswith("multipart/")
        limit = settings.MAX_REQUEST_SIZE if multipart else settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if length > limit:
            message = _("Dữ liệu gửi lên quá lớn (tối đa %(mb)s MB mỗi lần gửi).") % {"mb": limit // (1024 * 1024)}
            if request.path.startswith("/api/"):
                return JsonResponse({"non_field_errors": [message]}, status=413)
            return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
