from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OcdsConfig(AppConfig):
    """Registers the open-data effect handlers.

    A separate app config only so that it can be listed after ``documents`` in
    ``INSTALLED_APPS``: handlers of one effect run in registration order, and a release should
    be built after the documents its step made (see ``effects``).
    """

    name = "tenders.ocds"
    label = "tenders_ocds"
    verbose_name = _("Open data")

    def ready(self) -> None:
        from tenders.ocds import effects  # noqa: F401 - registers the effect handlers
