from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "documents"
    verbose_name = _("Legal documents")

    def ready(self) -> None:
        from documents import context, effects  # noqa: F401 - registers the effect handlers
        from documents.pliego_services import pliegos_demo_fulfil, pliegos_missing
        from workflows.requirements import requirement_register

        # The approve_file guard asks which required pliegos are missing (LCSP art. 122.1);
        # tenders may not import documents, so the check is registered by name.
        requirement_register(
            context.pliegos_requirement_name(), pliegos_missing, demo_fulfil=pliegos_demo_fulfil
        )

        from documents.signatures import pdf_verdict, signatures_missing
        from workflows.signature_gates import pdf_checker_register, signature_checker_register

        # The procedures' steps that wait for signed documents ask this (tenders may not
        # import documents).
        signature_checker_register(signatures_missing)
        # Bids' files are validated when their envelope is opened (tenders.award).
        pdf_checker_register(pdf_verdict)

        from documents.selectors import review_work
        from procurement.core.work import work_provider_register

        # The legal team's home page lists the templates waiting for its review.
        work_provider_register(review_work)
