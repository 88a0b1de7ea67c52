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
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.translation import get_supported_language_variant
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


class NulCharacterMiddleware:
    """Refuse a URL carrying a NUL character (%00) in its path or in a query
    parameter's name or value, naming where it was. No field of the portal
    can hold one, and PostgreSQL cannot compare text containing it: left to
    the views, it became a database error (500) wherever the value reached a
    query. Bodies are checked by the forms and serializers themselves
    (Django's and DRF's CharFields refuse NUL)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        where = ["path"] if "\x00" in request.path else []
        where += sorted({key for key, values in request.GET.lists()
                         if "\x00" in key or any("\x00" in value for value in values)})
        if not where:
            return self.get_response(request)
        message = _("Địa chỉ chứa ký tự NUL (mã 0), không dùng được trong bất kỳ trường nào.")
        if request.path.startswith("/api/"):
            return JsonResponse({name: [message] for name in where}, status=400,
                                json_dumps_params={"ensure_ascii": False})
        return HttpResponse(f"{message} ({', '.join(where)})", status=400, content_type="text/plain; charset=utf-8")


class PortalLocaleMiddleware(LocaleMiddleware):
    """Vietnamese for everyone; English only for whoever picked it.

    Django's LocaleMiddleware follows the browser's Accept-Language, and most
    office PCs (English Windows) and Chromium itself ask for English. The
    pages therefore read only the language the person chose with the
    switcher (set_language stores it in the language cookie), else
    LANGUAGE_CODE. The API keeps following Accept-Language: API.md promises
    error messages in the request's language to the programs that call it."""

    def process_request(self, request: HttpRequest) -> None:
        if request.path.startswith("/api/"):
            super().process_request(request)
            return
        language = settings.LANGUAGE_CODE
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if chosen:
            try:
                language = get_supported_language_variant(chosen)
            except LookupError:
                pass
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
