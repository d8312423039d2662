from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "procurement.accounts"
    label = "accounts"
    verbose_name = _("Parties")

    def ready(self) -> None:
        from procurement.accounts import signals  # noqa: F401 - audit of logins
