"""The kinds of legal document a CPI leaves behind (cpi-process.md §4).

Each kind carries its Spanish legal name, its English name, its OCDS ``documentType``
(open-contracting codelist ``documentType.csv``), the engine effect that makes it (if any), and
whether a copy made by that effect is public, since it records a published step.
"""

from dataclasses import dataclass

from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from procurement.core import formatting


@dataclass(frozen=True)
class Kind:
    code: str
    name_es: str
    name_en: str
    ocds_document_type: str
    legal_basis: str
    effects: tuple[str, ...] = ()
    public: bool = False

    def name(self, language: str) -> str:
        return self.name_es if language == "es" else self.name_en

    def legal_basis_in(self, language: str) -> str:
        """The legal basis as a document in ``language`` cites it (“arts. 28 y 116” in es)."""
        return formatting.legal_basis(self.legal_basis, language)

    @property
    def local_name(self) -> str:
        """The name in the language of the page being shown."""
        return self.name(translation.get_language() or "es")


KINDS: tuple[Kind, ...] = (
    Kind(
        "consultation_notice",
        "Anuncio de consulta preliminar del mercado",
        "Call for preliminary market consultation",
        "plannedProcurementNotice",
        "LCSP art. 115.1",
        effects=("consultation_notice",),
        public=True,
    ),
    Kind(
        "consultation_report",
        "Informe de la consulta preliminar del mercado",
        "Preliminary market consultation report",
        "marketStudies",
        "LCSP art. 115.3",
        effects=("consultation_report",),
        public=True,
    ),
    Kind(
        "justification_memo",
        "Memoria justificativa",
        "Justification report",
        "needsAssessment",
        "LCSP arts. 28, 116.1 and 116.4",
    ),
    Kind(
        "pcap",
        "Pliego de cláusulas administrativas particulares",
        "Particular administrative clauses",
        "biddingDocuments",
        "LCSP art. 122; RGLCAP art. 67",
    ),
    Kind(
        "ppt",
        "Pliego de prescripciones técnicas particulares",
        "Technical specifications",
        "technicalSpecifications",
        "LCSP arts. 124–126; RGLCAP art. 68",
    ),
    Kind(
        "pcp_call_documents",
        "Documentos de la convocatoria de compra pública precomercial",
        "Pre-commercial procurement call documents",
        # The PCP's pliegos: the call, its phases, the evaluation criteria and the IPR terms.
        "biddingDocuments",
        "LCSP art. 8; COM(2007) 799",
    ),
    Kind(
        "partnership_descriptive_document",
        "Documento descriptivo de la asociación para la innovación",
        "Innovation partnership descriptive document",
        # The need, the minimum requirements and the phases, in place of the pliegos.
        "biddingDocuments",
        "LCSP arts. 177.1, 178 and 179",
    ),
    Kind(
        "tender_notice",
        "Anuncio de licitación",
        "Contract notice",
        "tenderNotice",
        "LCSP art. 135; Annex III",
        effects=("tender_notice",),
        public=True,
    ),
    Kind(
        "invitation",
        "Invitación a presentar proyectos de investigación e innovación",
        "Invitation to submit research and innovation projects",
        # Addressed to the selected candidates only: the bidding documents of their stage.
        "biddingDocuments",
        "LCSP arts. 178.3 and 179.1",
        effects=("invitation",),
    ),
    Kind(
        "negotiation_minutes",
        "Acta de negociación",
        "Minutes of the negotiation",
        "evaluationReports",
        "LCSP art. 179; art. 169.6 by analogy",
        effects=("negotiation_minutes",),
    ),
    Kind(
        "committee_minutes",
        "Acta de la mesa de contratación",
        "Minutes of the contracting committee",
        "evaluationReports",
        "LCSP arts. 63.3.e and 326; RGLCAP art. 87",
        effects=("committee_minutes",),
        public=True,
    ),
    Kind(
        "evaluation_report",
        "Informe de valoración",
        "Technical evaluation report",
        "evaluationReports",
        "LCSP arts. 146.2 and 157.5",
        effects=("evaluation_report",),
        public=True,
    ),
    Kind(
        "documents_requested",
        "Requerimiento de documentación al licitador propuesto",
        "Request for documents to the proposed awardee",
        # The proof of capacity, solvency and guarantee the bidder is asked for.
        "bidders",
        "LCSP art. 150.2",
        effects=("documents_requested",),
    ),
    Kind(
        "award_resolution",
        "Resolución de adjudicación",
        "Award resolution",
        "awardNotice",
        "LCSP arts. 150.3 and 151",
        effects=("award_resolution",),
        public=True,
    ),
    Kind(
        "contract",
        "Documento de formalización del contrato",
        "Contract",
        "contractSigned",
        "LCSP arts. 35 and 153; RGLCAP art. 71",
        effects=("contract",),
    ),
    Kind(
        "phase_evaluation",
        "Informe de evaluación de fase",
        "Phase evaluation report",
        "evaluationReports",
        "LCSP art. 180.1; COM(2007) 799",
        effects=("phase_evaluation",),
    ),
    Kind(
        "purchase_resolution",
        "Resolución sobre la adquisición de los resultados",
        "Resolution on the purchase of the results",
        # The partnership's last award: which partner's results are bought, and on what terms.
        "awardNotice",
        "LCSP art. 181",
        effects=("purchase_resolution",),
    ),
)

KIND_BY_CODE: dict[str, Kind] = {kind.code: kind for kind in KINDS}
KINDS_BY_EFFECT: dict[str, list[Kind]] = {}
for _kind in KINDS:
    for _effect in _kind.effects:
        KINDS_BY_EFFECT.setdefault(_effect, []).append(_kind)

# Labels for forms and the admin; the legal names above are what documents print.
KIND_CHOICES = [
    ("consultation_notice", _("Call for preliminary market consultation")),
    ("consultation_report", _("Preliminary market consultation report")),
    ("justification_memo", _("Justification report")),
    ("pcap", _("Particular administrative clauses (PCAP)")),
    ("ppt", _("Technical specifications (PPT)")),
    ("pcp_call_documents", _("Pre-commercial procurement call documents")),
    ("partnership_descriptive_document", _("Innovation partnership descriptive document")),
    ("tender_notice", _("Contract notice")),
    ("invitation", _("Invitation to submit research and innovation projects")),
    ("negotiation_minutes", _("Minutes of the negotiation")),
    ("committee_minutes", _("Minutes of the contracting committee")),
    ("evaluation_report", _("Technical evaluation report")),
    ("documents_requested", _("Request for documents to the proposed awardee")),
    ("award_resolution", _("Award resolution")),
    ("contract", _("Contract")),
    ("phase_evaluation", _("Phase evaluation report")),
    ("purchase_resolution", _("Resolution on the purchase of the results")),
]
assert [code for code, _label in KIND_CHOICES] == [kind.code for kind in KINDS]


class Language(models.TextChoices):
    ES = "es", _("Spanish")
    EN = "en", _("English")


# Documents of the file that OpenCPI does not make: reports the city's legal services write and
# sign with their own tools, uploaded signed. They are not generated kinds (no template, no
# OCDS release: they are internal to the file), so they live apart from ``KINDS``.
FILE_KINDS: tuple[Kind, ...] = (
    Kind(
        "legal_report",
        "Informe jurídico",
        "Legal report",
        # The OCDS codelist has no legal opinion; the file's planning documents are the closest.
        "procurementPlan",
        "LCSP DA 3ª.8",
    ),
    Kind(
        "credit_certificate",
        "Certificado de existencia de crédito",
        "Certificate that credit exists",
        "procurementPlan",
        "LCSP art. 116.3",
    ),
)
FILE_KIND_BY_CODE: dict[str, Kind] = {kind.code: kind for kind in FILE_KINDS}
FILE_KIND_CHOICES = [
    ("legal_report", _("Legal report")),
    ("credit_certificate", _("Certificate that credit exists")),
]
assert [code for code, _label in FILE_KIND_CHOICES] == [kind.code for kind in FILE_KINDS]
