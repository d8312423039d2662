from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TendersConfig(AppConfig):
    name = "tenders"
    verbose_name = _("Processes")

    def ready(self) -> None:
        from tenders import effects  # noqa: F401 - registers the transition effect handlers
        from tenders.models import Tender
        from tenders.procedures import effects as _cpi  # noqa: F401 - declares the CPI effects
        from workflows.registry import register_machine

        register_machine(Tender)
