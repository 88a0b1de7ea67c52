"""The OpenAPI schema's error answers (docs/api.md, Errors), declared once
for every operation of the API. Its own module: drf-spectacular loads the
schema class while views are being defined."""
from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import ResolvedComponent

_MESSAGES = {"type": "array", "items": {"type": "string", "minLength": 1}, "minItems": 1}
ERROR_SHAPES: dict[str, dict[str, Any]] = {
    "FieldErrors": {
        "type": "object", "minProperties": 1, "additionalProperties": _MESSAGES,
        "description": "Khóa là trường bị từ chối (đường dẫn có dấu chấm cho trường lồng nhau, "
                       "\"non_field_errors\" cho lỗi chung), mỗi khóa một danh sách thông báo.",
        "example": {"subject.date_of_birth": ["Ngày sinh không được sau ngày nộp hồ sơ (20/11/2026)."]}},
    "NonFieldErrors": {"type": "object", "properties": {"non_field_errors": _MESSAGES},
                       "required": ["non_field_errors"]},
    "ErrorDetail": {"type": "object", "properties": {"detail": {"type": "string", "minLength": 1}},
                    "required": ["detail"]},
}
ERRORS: dict[int, tuple[str, str]] = {
    400: ("FieldErrors", "Yêu cầu bị từ chối; không có gì được ghi."),
    401: ("ErrorDetail", "Chưa đăng nhập hoặc mã xác thực sai."),
    403: ("ErrorDetail", "Đã đăng nhập nhưng vai trò không được làm thao tác này."),
    404: ("ErrorDetail", "Không tồn tại hoặc ngoài phạm vi của người gọi (không phân biệt hai trường hợp)."),
    409: ("NonFieldErrors", "Hồ sơ hoặc thủ tục không còn ở trạng thái cho phép thao tác này."),
    413: ("NonFieldErrors", "Dữ liệu gửi lên quá lớn."),
    429: ("NonFieldErrors", "Đăng nhập sai quá số lần cho phép: tên đăng nhập này từ địa chỉ này tạm khóa."),
}


class ErrorsSchema(AutoSchema):
    """drf-spectacular's schema (settings.REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"]),
    plus the error answers each operation can give, in the shapes the
    exception handler, the middlewares and lienthong/error_views.py send:
    400, 401 and 403 everywhere; 404 wherever something is looked up (all
    but the token endpoint: objects, pages, provinces); 409 where one
    dossier or leg changes state (a POST on a path naming it); 413 on every
    POST; 429 when the token endpoint refuses a locked-out log-in."""

    def error_statuses(self) -> list[int]:
        from rest_framework.authtoken.views import ObtainAuthToken  # its module needs the app registry

        token = isinstance(self.view, ObtainAuthToken)
        post = self.method == "POST"
        statuses = [400, 401, 403]
        statuses += [] if token else [404]
        statuses += [409] if post and "{" in self.path else []
        statuses += [413] if post else []
        statuses += [429] if token and post else []
        return statuses

    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        for status in self.error_statuses():
            name, description = ERRORS[status]
            component = ResolvedComponent(name=name, type=ResolvedComponent.SCHEMA, object=name,
                                          schema=ERROR_SHAPES[name])
            self.registry.register_on_missing(component)
            response = {"content": {"application/json": {"schema": component.ref}}, "description": description}
            if status == 429:
                response["headers"] = {"Retry-After": {"schema": {"type": "integer"},
                                                       "description": "Thời gian khóa, tính bằng giây."}}
            responses.setdefault(str(status), response)
        return responses
