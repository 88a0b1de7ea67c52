from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgenciesConfig(AppConfig):
    name = "agencies"
    verbose_name = _("Danh mục và người dùng")

    def ready(self) -> None:
        # The project's system checks (the development key with DEBUG off).
        from lienthong import checks  # noqa: F401
