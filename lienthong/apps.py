"""The project's own app config: the admin's third-party sections under
Vietnamese names. axes, django_celery_beat and DRF's authtoken title their
sections in English (their msgids are English, which the portal's catalogue,
keyed by Vietnamese msgids, cannot reach), so the project names them here."""
from __future__ import annotations

from django.apps import AppConfig, apps
from django.utils.translation import gettext_lazy as _

THIRD_PARTY_SECTIONS = {
    "axes": _("Chống dò mật khẩu (khóa đăng nhập)"),
    "django_celery_beat": _("Tác vụ định kỳ"),
    "authtoken": _("Khóa truy cập API"),
}


class PortalConfig(AppConfig):
    name = "lienthong"
    verbose_name = _("Liên thông")

    def ready(self) -> None:
        for label, title in THIRD_PARTY_SECTIONS.items():
            apps.get_app_config(label).verbose_name = title
