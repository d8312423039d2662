from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublicationConfig(AppConfig):
    """What the public reads: OCDS open data, the portal, indicators and the Atom feed.

    Installed after ``documents``: handlers of one effect run in registration order, and a
    release should be built after the documents its step made (see ``ocds.effects``).
    """

    name = "publication"
    verbose_name = _("Open data")

    def ready(self) -> None:
        # Registers the effect handlers, and the release task for workers (autodiscovery looks
        # only for a top-level `tasks` module of each app).
        from publication.ocds import effects, tasks  # noqa: F401
