"""The portal's error answers (lienthong/urls.py: handler400/403/404/500).

Pages get the portal's own Vietnamese pages (templates/4xx.html, 500.html);
anything under /api/ gets JSON in the contract's shapes (docs/api.md,
Errors), a 500 included, never Django's HTML. The 500 answer reads neither
the database nor a context processor: they may be what failed."""
from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults


def _api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def _json(body: dict, status: int) -> JsonResponse:
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _api(request):
        return _json({"non_field_errors": [_("Yêu cầu không hợp lệ.")]}, 400)
    return defaults.bad_request(request, exception)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _api(request):
        return _json({"detail": _("Bạn không có quyền thực hiện thao tác này.")}, 403)
    return defaults.permission_denied(request, exception)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _api(request):
        return _json({"detail": _("Không tìm thấy.")}, 404)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    if _api(request):
        return _json({"non_field_errors": [_("Lỗi hệ thống khi xử lý yêu cầu. "
                                              "Vui lòng thử lại sau.")]}, 500)
    return defaults.server_error(request)
