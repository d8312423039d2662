from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "documents"
    verbose_name = _("Legal documents")

    def ready(self) -> None:
        from documents import effects  # noqa: F401 - registers the effect handlers
        from documents.signatures import signatures_missing
        from workflows.signature_gates import signature_checker_register

        # The procedures' steps that wait for signed documents ask this (tenders may not
        # import documents).
        signature_checker_register(signatures_missing)
