from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublicationConfig(AppConfig):
    """What the public reads: OCDS open data, the portal, indicators and the Atom feed.

    A step's release is written once the documents it made are stored (``document_ready``, see
    ``ocds.effects``), whatever order the apps' handlers run in.
    """

    name = "publication"
    verbose_name = _("Open data")

    def ready(self) -> None:
        # The effect handlers, and the release task: Celery's autodiscovery looks for
        # ``publication.tasks`` only, and a worker that never imported ``ocds.tasks`` would
        # refuse the task as unregistered.
        from publication.eforms import effects as eforms_effects  # noqa: F401
        from publication.eforms import tasks as eforms_tasks  # noqa: F401
        from publication.ocds import effects, tasks  # noqa: F401
