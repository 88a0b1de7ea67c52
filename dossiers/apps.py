from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DossiersConfig(AppConfig):
    name = "dossiers"
    verbose_name = _("Hồ sơ liên thông")

    def ready(self) -> None:
        from django.core import checks

        from lienthong.checks import portal_base_url_check

        # Documents and notices carry absolute links: no address, no start.
        checks.register(portal_base_url_check)
