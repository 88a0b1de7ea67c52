"""Navigation links by role, for the base template."""
from __future__ import annotations

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from agencies import access
from agencies.models import Role

NAV = {
    Role.CITIZEN: [("citizen:home", _("Hồ sơ của tôi")), ("citizen:wizard", _("Nộp hồ sơ mới"))],
    Role.ONE_STOP_CLERK: [("staff:counter", _("Tiếp nhận hồ sơ")), ("staff:dossiers", _("Danh sách hồ sơ")),
                          ("staff:difficulties", _("Vướng mắc")), ("staff:contacts", _("Đầu mối phối hợp"))],
    Role.OFFICER: [("staff:queue", _("Hàng đợi xử lý")), ("staff:dossiers", _("Hồ sơ")),
                   ("staff:difficulties", _("Vướng mắc")), ("staff:contacts", _("Đầu mối phối hợp")),
                   ("reports:outside_counts", _("Số liệu ngoài liên thông"))],
    Role.PROVINCIAL_VIEWER: [("reports:dashboard", _("Bảng điều khiển")), ("reports:daily_list", _("Báo cáo ngày")),
                             ("reports:adoption", _("Tỷ lệ liên thông")), ("staff:dossiers", _("Hồ sơ")),
                             ("staff:difficulties", _("Vướng mắc")),
                             ("reports:outside_counts", _("Số liệu ngoài liên thông")),
                             ("staff:unusual_access", _("Truy cập bất thường"))],
    Role.ADMIN: [("admin:index", _("Quản trị")), ("reports:dashboard", _("Bảng điều khiển")),
                 ("staff:unusual_access", _("Truy cập bất thường"))],
}


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_links": []}
    links = []
    for name, label in NAV.get(user.role, []):
        if name == "reports:outside_counts" and not access.can_report_outside_counts(user):
            continue
        if name == "staff:unusual_access" and not access.can_review_access(user):
            continue
        try:
            links.append({"url": reverse(name), "label": label, "active": request.path.startswith(reverse(name))})
        except NoReverseMatch:
            continue  # that part of the portal is not installed
    return {"nav_links": links}
