from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgenciesConfig(AppConfig):
    name = "agencies"
    verbose_name = _("Danh mục và người dùng")

    def ready(self) -> None:
        # The project's system checks (the development key with DEBUG off).
        from django.contrib.auth.signals import user_logged_out

        from lienthong import checks  # noqa: F401
        from lienthong.tokens import tokens_revoke_on_logout

        user_logged_out.connect(tokens_revoke_on_logout, dispatch_uid="tokens_revoke_on_logout")
