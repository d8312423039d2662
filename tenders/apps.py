from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TendersConfig(AppConfig):
    name = "tenders"
    verbose_name = _("Processes")

    def ready(self) -> None:
        # Imported here, not at the top: models and services may load only once the app
        # registry is ready.
        from tenders import effects  # noqa: F401 - registers the transition effect handlers
        from tenders.award import engine
        from tenders.models import Tender
        from tenders.phases import engine as phases_engine
        from tenders.procedures import effects as _cpi  # noqa: F401 - declares the CPI effects
        from tenders.process.ports import award_area_register, phase_area_register
        from workflows.registry import register_machine

        register_machine(Tender)
        # The process's guards and transitions reach bids and awards through this registration,
        # so that the process models need not import the award area built on them.
        award_area_register(engine)
        phase_area_register(phases_engine)

        from tenders.work import work_providers_register

        # The home page lives below the apps: each app brings it the work it knows of.
        work_providers_register()
