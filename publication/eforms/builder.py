"""The XML of one eForms notice (SDK 1.15) of a CPI process, from its public data.

The notice reads the same public context as the process's OCDS release for the same step
(``publication.ocds.builder.context_build``): the notice, its lots and criteria once published,
who bid once the bids closed (LCSP art. 157), the award resolutions and the contracts. Never an
envelope, a score, a consultation response, or anything unpublished.

Subtypes (``notice-types.json`` of the SDK; see ``SUBTYPES``):

- ``E1``: the preliminary market consultation (LCSP art. 115; Directive 2014/24 art. 40);
- ``16``: the contract notice of a CPTI tender (open procedure) or of an innovation
  partnership (LCSP arts. 135 and 177-182; Directive 2014/24 art. 31);
- ``E3``: the call of a pre-commercial procurement, outside the directives (LCSP art. 8;
  Directive 2014/24 art. 14);
- ``29``: the award of a CPTI tender or partnership, once the contract is signed (LCSP
  art. 154; Directive 2014/24 art. 50);
- ``E4``: the award of a PCP, once its contracts are signed;
- ``38``: a modification of a signed contract (LCSP art. 207.3; Directive 2014/24 art. 72.1).

A change notice (the pliegos corrected, the deadline extended: LCSP arts. 122.1 and 136.2) is
the contract notice again, with its own notice id, naming the notice it changes and saying
what changed and why (``efac:Changes``, BT-758, BT-140, BT-141, BT-718, BT-719).

Elements are written in the order of the SDK's XSDs (``xsdSequenceOrder`` in
``fields.json``), following the SDK's own example notices.
"""

import datetime as dt
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import translation
from lxml import etree

from procurement.core.models import AuditEntry
from publication.eforms.xml import extension, path, root, serialise, sub
from publication.ocds import builder as ocds
from tenders.models import Bid, PhaseContract
from tenders.procedures import CPTI, PARTNERSHIP, PCP

SDK_CUSTOMIZATION = "eforms-sdk-1.15"

E1, CN, PCP_CALL, CAN, PCP_AWARD, MODIFICATION = "E1", "16", "E3", "29", "E4", "38"

# subtype -> (document type, notice type list, notice type, regulatory domain)
SUBTYPES = {
    E1: ("PriorInformationNotice", "consultation", "pmc", "other"),
    CN: ("ContractNotice", "competition", "cn-standard", "32014L0024"),
    PCP_CALL: ("ContractNotice", "competition", "cn-standard", "other"),
    CAN: ("ContractAwardNotice", "result", "can-standard", "32014L0024"),
    PCP_AWARD: ("ContractAwardNotice", "result", "can-standard", "other"),
    MODIFICATION: ("ContractAwardNotice", "cont-modif", "can-modif", "32014L0024"),
}

# BT-105: the CPTI is tendered by open procedure; the partnership is its own procedure (LCSP
# art. 177); a PCP's call, outside the directives (LCSP art. 8), takes offers in one stage
# and then runs its phases by contract.
PROCEDURE_TYPE = {CPTI: "open", PARTNERSHIP: "innovation", PCP: "oth-single"}

# BT-776 (codelist innovative-acquisition): what makes the purchase innovative. A CPTI buys a
# solution new to the market; a PCP buys research and development (LCSP art. 8); an innovation
# partnership both develops and buys it (LCSP art. 177).
INNOVATION = {CPTI: ("mar-nov",), PCP: ("rd-act",), PARTNERSHIP: ("rd-act", "mar-nov")}

# BT-23: OCDS's mainProcurementCategory in the eForms contract-nature codelist.
CONTRACT_NATURE = {"goods": "supplies", "services": "services", "works": "works"}

LANGUAGE = {"es": "SPA", "en": "ENG", "ca": "SPA", "eu": "SPA", "gl": "SPA"}

# ISO 3166-1 alpha-2 to the alpha-3 codes of the eForms ``country`` codelist (the EEA and CH).
COUNTRY = {
    "AT": "AUT", "BE": "BEL", "BG": "BGR", "CH": "CHE", "CY": "CYP", "CZ": "CZE", "DE": "DEU",
    "DK": "DNK", "EE": "EST", "ES": "ESP", "FI": "FIN", "FR": "FRA", "GR": "GRC", "HR": "HRV",
    "HU": "HUN", "IE": "IRL", "IS": "ISL", "IT": "ITA", "LI": "LIE", "LT": "LTU", "LU": "LUX",
    "LV": "LVA", "MT": "MLT", "NL": "NLD", "NO": "NOR", "PL": "POL", "PT": "PRT", "RO": "ROU",
    "SE": "SWE", "SI": "SVN", "SK": "SVK", "GB": "GBR",
}  # fmt: skip

BUYER_ORG = "ORG-0001"
REVIEW_ORG = "ORG-0002"

# The notice namespace for the procedure identifier (BT-04): one per process, stable.
PROCEDURE_NAMESPACE = uuid.UUID("6f1d3c1e-2b8e-4c55-9a53-0c1f6b1e6a40")


class NoticeNotApplicable(ValueError):
    """The process has no such notice at this step (nothing of it is public yet)."""


@dataclass
class Organisation:
    """An organisation as the notice names it (BT-500, BT-501, BT-506, BT-513, BT-507...)."""

    key: str
    name: str
    country: str
    identifier: str = ""
    email: str = ""
    telephone: str = ""
    town: str = ""
    postal_code: str = ""
    nuts: str = ""
    size: str = ""  # BT-165: economic-operator-size, for winners


@dataclass
class Changes:
    """What a change notice changes: the notice it replaces and why (BT-758, BT-140...)."""

    notice_id: str
    version: str
    description: str
    documents_changed: bool
    changed_at: dt.datetime


@dataclass
class Modification:
    """A modification of a signed contract (subtype 38, LCSP arts. 203-207)."""

    description: str
    reason: str
    reason_code: str = "add-wss"  # modification-justification: additional works/supplies/services


@dataclass
class NoticeInput:
    """What one notice is made of, besides the process's public context."""

    subtype: str
    notice_id: str
    version: str
    issued_at: dt.datetime
    changes: Changes | None = None
    modification: Modification | None = None
    # The notice id of the award notice a modification notice refers to (BT-1501(n)).
    modified_notice_id: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


# --- values -------------------------------------------------------------------------------------


def procedure_identifier(tender) -> str:
    """BT-04: the same UUID for every notice of the process."""
    # Derived from the ocid, so stable; marked as version 4, the form BR-BT-00004-0052 accepts.
    derived = uuid.uuid5(PROCEDURE_NAMESPACE, ocds.tender_ocid(tender.pk))
    return str(uuid.UUID(bytes=derived.bytes, version=4))


def _local(moment: dt.datetime, zone) -> dt.datetime:
    return moment.astimezone(zone).replace(microsecond=0)


def _date(moment: dt.datetime, zone) -> str:
    local = _local(moment, zone)
    return local.date().isoformat() + local.isoformat()[19:]


def _time(moment: dt.datetime, zone) -> str:
    return _local(moment, zone).isoformat()[11:]


def _money(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.01'))}"


def _cpv(code: str) -> str:
    return str(code).split("-")[0]


def _nature_of(code: str) -> str:
    """BT-23 as the CPV implies it (BR-BT-00262): 45 works, 49 and above services, else
    supplies."""
    if code.startswith("45"):
        return "works"
    return "services" if code >= "49" else "supplies"


def nature_and_codes(tender, codes: list[str]) -> tuple[str, list[str]]:
    """The contract's nature (BT-23) and its CPV codes, the main one (BT-262) first.

    The nature is the OCDS release's ``mainProcurementCategory``; a PCP or partnership buys
    R&D services, so its main code is its first services code (73: R&D) when it has one."""
    codes = [_cpv(c) for c in codes] or ["73000000"]
    nature = CONTRACT_NATURE[ocds.main_procurement_category(tender)]
    main = next((c for c in codes if _nature_of(c) == nature), None)
    if main is None:
        main, nature = codes[0], _nature_of(codes[0])
    return nature, [main, *[c for c in dict.fromkeys(codes) if c != main]]


def _lang(tender) -> str:
    """BT-702: the notice's language. Its fixed texts are Spanish and a process's title and
    need are written once, in the city's language; a process holds no second language yet,
    so no text is repeated in English (``cbc:AdditionalNoticeLanguage``)."""
    return LANGUAGE.get(tender.city.language, "SPA")


def _country(code: str) -> str:
    return COUNTRY.get((code or "ES").upper(), "ESP")


# --- organisations ------------------------------------------------------------------------------


def buyer_organisation(tender) -> Organisation:
    """The city council, with the identifiers of its eForms profile (``BuyerProfile``)."""
    city = tender.city
    profile = getattr(city, "eforms_profile", None)
    return Organisation(
        key=BUYER_ORG,
        name=city.name,
        country=city.country,
        identifier=getattr(profile, "tax_id", ""),
        email=getattr(profile, "email", ""),
        telephone=getattr(profile, "telephone", ""),
        town=getattr(profile, "town", "") or city.name,
        postal_code=getattr(profile, "postal_code", ""),
        nuts=getattr(profile, "nuts", ""),
    )


def review_organisation(tender) -> Organisation:
    """The body that hears the special appeal (LCSP arts. 44-47), from the city's profile."""
    profile = getattr(tender.city, "eforms_profile", None)
    return Organisation(
        key=REVIEW_ORG,
        name=getattr(profile, "review_body", "")
        or "Tribunal Administrativo Central de Recursos Contractuales",
        country=tender.city.country,
        identifier=getattr(profile, "review_body_tax_id", ""),
        email=getattr(profile, "review_body_email", ""),
        town=getattr(profile, "review_body_town", "") or "Madrid",
        postal_code=getattr(profile, "review_body_postal_code", ""),
        nuts=getattr(profile, "review_body_nuts", "") or "ES300",
    )


def supplier_organisation(supplier, index: int) -> Organisation:
    """A winner, with the address of its eForms profile (``SupplierAddress``)."""
    address = getattr(supplier, "eforms_address", None)
    return Organisation(
        key=f"ORG-{index:04d}",
        name=supplier.name,
        country=supplier.country,
        identifier=supplier.tax_id,
        town=getattr(address, "town", ""),
        postal_code=getattr(address, "postal_code", ""),
        nuts=getattr(address, "nuts", ""),
        size="sme" if supplier.is_sme else "large",
    )


def organisations_section(ext: etree._Element, orgs: list[Organisation], *, lang: str) -> None:
    parent = sub(ext, "efac:Organizations")
    for org in orgs:
        organization = sub(parent, "efac:Organization")
        company = sub(organization, "efac:Company")
        if org.size:
            sub(company, "efbc:CompanySizeCode", org.size, listName="economic-operator-size")
        sub(path(company, "cac:PartyIdentification"), "cbc:ID", org.key, schemeName="organization")
        sub(path(company, "cac:PartyName"), "cbc:Name", org.name, languageID=lang)
        address = sub(company, "cac:PostalAddress")
        if org.town:
            sub(address, "cbc:CityName", org.town)
        if org.postal_code:
            sub(address, "cbc:PostalZone", org.postal_code)
        if org.nuts:
            sub(address, "cbc:CountrySubentityCode", org.nuts, listName="nuts")
        sub(
            path(address, "cac:Country"),
            "cbc:IdentificationCode",
            _country(org.country),
            listName="country",
        )
        if org.identifier:
            sub(path(company, "cac:PartyLegalEntity"), "cbc:CompanyID", org.identifier)
        if org.email or org.telephone:
            contact = sub(company, "cac:Contact")
            if org.telephone:
                sub(contact, "cbc:Telephone", org.telephone)
            if org.email:
                sub(contact, "cbc:ElectronicMail", org.email)


def _party_ref(parent: etree._Element, name: str, key: str) -> None:
    sub(path(parent, name, "cac:PartyIdentification"), "cbc:ID", key, schemeName="organization")


# --- the notice ---------------------------------------------------------------------------------


@dataclass
class Notice:
    """The pieces a subtype's sections share while the XML is written."""

    tender: Any
    ctx: ocds.Context
    spec: NoticeInput
    lang: str
    zone: Any
    buyer: Organisation
    review: Organisation
    winners: list[Organisation] = field(default_factory=list)

    @property
    def subtype(self) -> str:
        return self.spec.subtype

    @property
    def is_result(self) -> bool:
        return self.subtype in (CAN, PCP_AWARD, MODIFICATION)

    @property
    def under_directive(self) -> bool:
        return SUBTYPES[self.subtype][3] != "other"


def header_section(doc: etree._Element, n: Notice) -> None:
    _document_type, list_name, notice_type, domain = SUBTYPES[n.subtype]
    sub(doc, "cbc:UBLVersionID", "2.3")
    sub(doc, "cbc:CustomizationID", SDK_CUSTOMIZATION)
    sub(doc, "cbc:ID", n.spec.notice_id, schemeName="notice-id")
    if n.subtype != E1:  # a consultation has no procedure yet (BR-BT-00004-0003)
        sub(doc, "cbc:ContractFolderID", procedure_identifier(n.tender))
    sub(doc, "cbc:IssueDate", _date(n.spec.issued_at, n.zone))
    sub(doc, "cbc:IssueTime", _time(n.spec.issued_at, n.zone))
    sub(doc, "cbc:VersionID", n.spec.version)
    sub(doc, "cbc:RegulatoryDomain", domain)
    sub(doc, "cbc:NoticeTypeCode", notice_type, listName=list_name)
    sub(doc, "cbc:NoticeLanguageCode", n.lang)


def contracting_party_section(doc: etree._Element, n: Notice) -> None:
    party = sub(doc, "cac:ContractingParty")
    if n.under_directive and n.subtype != MODIFICATION:
        # BT-11 and BT-10: a city council is a local authority with general public services.
        sub(
            path(party, "cac:ContractingPartyType"),
            "cbc:PartyTypeCode",
            "la",
            listName="buyer-legal-type",
        )
        sub(
            path(party, "cac:ContractingActivity"),
            "cbc:ActivityTypeCode",
            "gen-pub",
            listName="authority-activity",
        )
    _party_ref(party, "cac:Party", BUYER_ORG)


def legal_basis_section(terms: etree._Element, n: Notice) -> None:
    """For a notice outside the directives, the national law it is published under (BT-01)."""
    reference = sub(terms, "cac:ProcurementLegislationDocumentReference")
    sub(reference, "cbc:ID", "LocalLegalBasis")
    if n.tender.procedure == PCP:
        text = "Ley 9/2017, de Contratos del Sector Público, art. 8 (compra pública precomercial)"
    else:
        text = "Ley 9/2017, de Contratos del Sector Público, art. 115 (consultas preliminares)"
    sub(reference, "cbc:DocumentDescription", text, languageID=n.lang)


def procedure_terms_section(doc: etree._Element, n: Notice) -> None:
    if n.subtype in (E1, PCP_CALL, PCP_AWARD):
        terms = sub(doc, "cac:TenderingTerms")
        legal_basis_section(terms, n)
        if n.subtype != PCP_CALL:
            return
    else:
        if n.is_result:
            return
        terms = sub(doc, "cac:TenderingTerms")
    # BT-806: the exclusion grounds are in the procurement documents (LCSP art. 71).
    sub(
        path(terms, "cac:TendererQualificationRequest", "cac:SpecificTendererRequirement"),
        "cbc:TendererRequirementTypeCode",
        "epo-procurement-document",
        listName="exclusion-grounds-source",
    )


def procedure_process_section(doc: etree._Element, n: Notice) -> None:
    if n.subtype in (E1, MODIFICATION):
        return
    process = sub(doc, "cac:TenderingProcess")
    sub(
        process,
        "cbc:ProcedureCode",
        PROCEDURE_TYPE[n.tender.procedure],
        listName="procurement-procedure-type",
    )
    if n.subtype == CN and n.tender.procedure == CPTI:
        # BT-106: no accelerated procedure (LCSP art. 119 is not used by OpenCPI).
        sub(
            path(process, "cac:ProcessJustification"),
            "cbc:ProcessReasonCode",
            "false",
            listName="accelerated-procedure",
        )


def _classification(project: etree._Element, n: Notice, codes: list[str]) -> None:
    sub(
        path(project, "cac:MainCommodityClassification"),
        "cbc:ItemClassificationCode",
        codes[0],
        listName="cpv",
    )
    for code in codes[1:]:
        sub(
            path(project, "cac:AdditionalCommodityClassification"),
            "cbc:ItemClassificationCode",
            code,
            listName="cpv",
        )


def _place(project: etree._Element, n: Notice) -> None:
    address = path(project, "cac:RealizedLocation", "cac:Address")
    if n.buyer.town:
        sub(address, "cbc:CityName", n.buyer.town)
    if n.buyer.nuts:
        sub(address, "cbc:CountrySubentityCode", n.buyer.nuts, listName="nuts")
    sub(
        path(address, "cac:Country"),
        "cbc:IdentificationCode",
        _country(n.buyer.country),
        listName="country",
    )


def project_section(parent: etree._Element, n: Notice, *, lot=None) -> None:
    """The procedure's (or a lot's) purpose: title, description, nature, value, CPV, place."""
    tender = n.tender
    project = sub(parent, "cac:ProcurementProject")
    if lot is not None:
        sub(project, "cbc:ID", str(lot.number), schemeName="InternalID")
    title = lot.title if lot is not None else tender.title
    sub(project, "cbc:Name", title, languageID=n.lang)
    sub(project, "cbc:Description", tender.description, languageID=n.lang)
    codes = (lot.cpv_codes if lot is not None and lot.cpv_codes else None) or tender.cpv_codes
    nature, codes = nature_and_codes(tender, list(codes or []))
    sub(project, "cbc:ProcurementTypeCode", nature, listName="contract-nature")
    if lot is not None and n.subtype != E1:
        additional = sub(project, "cac:ProcurementAdditionalType")
        sub(additional, "cbc:ProcurementTypeCode", "inn-pur", listName="strategic-procurement")
        sub(additional, "cbc:ProcurementType", "Compra pública de innovación", languageID=n.lang)
        for code in INNOVATION[tender.procedure]:
            sub(
                path(project, "cac:ProcurementAdditionalType"),
                "cbc:ProcurementTypeCode",
                code,
                listName="innovative-acquisition",
            )
    if n.subtype != E1 and not n.is_result:
        value = lot.value if lot is not None and lot.pk else tender.estimated_value
        sub(
            path(project, "cac:RequestedTenderTotal"),
            "cbc:EstimatedOverallContractAmount",
            _money(value),
            currencyID=tender.currency,
        )
    _classification(project, n, codes)
    _place(project, n)
    if lot is not None and n.subtype in (CN, PCP_CALL):
        months = getattr(lot, "duration_months", 0) or 12
        sub(path(project, "cac:PlannedPeriod"), "cbc:DurationMeasure", months, unitCode="MONTH")


# --- lots ---------------------------------------------------------------------------------------


@dataclass
class LotView:
    """A lot of the notice: a real lot of a CPTI tender, or the whole process as one lot."""

    number: int
    title: str
    value: Decimal
    cpv_codes: list[str]
    duration_months: int
    pk: int | None = None

    @property
    def key(self) -> str:
        return f"LOT-{self.number:04d}"


def lots_of(n: Notice) -> list[LotView]:
    tender = n.tender
    lots = n.ctx.lots or (list(tender.lots.order_by("number")) if n.is_result else [])
    if lots:
        return [
            LotView(
                number=lot.number,
                title=lot.title,
                value=lot.value,
                cpv_codes=list(lot.cpv_codes or []),
                duration_months=lot.duration_months,
                pk=lot.pk,
            )
            for lot in lots
        ]
    return [
        LotView(
            number=1,
            title=tender.title,
            value=tender.estimated_value,
            cpv_codes=list(tender.cpv_codes or []),
            duration_months=12,
        )
    ]


def submission_deadline(ctx: ocds.Context) -> dt.datetime | None:
    """The bid deadline as published, with every extension up to this step."""
    published = ctx.steps(ocds.TENDER_PUBLICATIONS)
    if not published:
        return None
    end = published[0].data.get("submission_deadline")
    for entry in ctx.entries:
        if entry.name in ocds.DEADLINE_EXTENSIONS and entry.data.get("submission_deadline"):
            end = entry.data["submission_deadline"]
    return dt.datetime.fromisoformat(end) if end else None


def process_url(tender) -> str:
    from django.urls import reverse

    return ocds.public_url(reverse("portal:process", args=[tender.pk]))


def _awarding_terms(terms: etree._Element, n: Notice) -> None:
    """BT-539, BT-734, BT-540, BT-541: the criteria and their weights as published (LCSP
    art. 145.5); a process without criteria (PCP, partnership) says where they are (BT-543)."""
    criterion = path(terms, "cac:AwardingTerms", "cac:AwardingCriterion")
    if not n.ctx.criteria:
        sub(
            criterion,
            "cbc:CalculationExpression",
            "Los criterios de adjudicación y su ponderación figuran en los pliegos.",
            languageID=n.lang,
        )
        item = sub(criterion, "cac:SubordinateAwardingCriterion")
        sub(item, "cbc:AwardingCriterionTypeCode", "quality", listName="award-criterion-type")
        sub(
            item,
            "cbc:Description",
            "Calidad e innovación de la solución propuesta.",
            languageID=n.lang,
        )
        return
    for row in n.ctx.criteria:
        item = sub(criterion, "cac:SubordinateAwardingCriterion")
        parameter = sub(extension(item), "efac:AwardCriterionParameter")
        sub(parameter, "efbc:ParameterCode", "per-exa", listName="number-weight")
        sub(parameter, "efbc:ParameterNumeric", ocds._points(row.weight))
        sub(
            item,
            "cbc:AwardingCriterionTypeCode",
            "price" if row.is_price else "quality",
            listName="award-criterion-type",
        )
        sub(item, "cbc:Name", row.name, languageID=n.lang)
        sub(item, "cbc:Description", str(row.get_kind_display()), languageID=n.lang)


def _appeal_terms(terms: etree._Element, n: Notice) -> None:
    appeal = sub(terms, "cac:AppealTerms")
    sub(
        path(appeal, "cac:PresentationPeriod"),
        "cbc:Description",
        "Recurso especial en materia de contratación en el plazo de quince días hábiles "
        "(LCSP arts. 44 y 50).",
        languageID=n.lang,
    )
    if n.subtype == CN:
        _party_ref(appeal, "cac:AppealInformationParty", BUYER_ORG)
    _party_ref(appeal, "cac:AppealReceiverParty", REVIEW_ORG)


def lot_terms_section(parent: etree._Element, n: Notice, lot: LotView) -> None:
    terms = sub(parent, "cac:TenderingTerms")
    if n.subtype in (CN, PCP_CALL):
        if n.subtype == CN:
            sub(terms, "cbc:VariantConstraintCode", "not-allowed", listName="permission")
            sub(terms, "cbc:FundingProgramCode", "no-eu-funds", listName="eu-funded")
            documents = sub(terms, "cac:CallForTendersDocumentReference")
            sub(documents, "cbc:ID", f"pliegos-{n.tender.pk}")
            sub(documents, "cbc:DocumentType", "non-restricted-document")
            sub(
                path(documents, "cac:Attachment", "cac:ExternalReference"),
                "cbc:URI",
                process_url(n.tender),
            )
            sub(
                path(terms, "cac:TendererQualificationRequest", "cac:SpecificTendererRequirement"),
                "cbc:TendererRequirementTypeCode",
                "none",
                listName="reserved-procurement",
            )
        sub(
            path(terms, "cac:TendererQualificationRequest", "cac:SpecificTendererRequirement"),
            "cbc:TendererRequirementTypeCode",
            "epo-procurement-document",
            listName="selection-criteria-source",
        )
        if n.subtype == CN:
            for code, list_name in (
                ("no", "reserved-execution"),
                ("required", "einvoicing"),
                ("allowed", "ecatalog-submission"),
            ):
                sub(
                    path(terms, "cac:ContractExecutionRequirement"),
                    "cbc:ExecutionRequirementCode",
                    code,
                    listName=list_name,
                )
            _awarding_terms(terms, n)
        recipient = sub(terms, "cac:TenderRecipientParty")
        sub(recipient, "cbc:EndpointID", process_url(n.tender))
        if n.subtype == CN:
            if n.tender.procedure == CPTI:
                # BT-98: bids bind for two months from the opening (LCSP art. 158.4).
                sub(
                    path(terms, "cac:TenderValidityPeriod"),
                    "cbc:DurationMeasure",
                    2,
                    unitCode="MONTH",
                )
            _appeal_terms(terms, n)
            sub(path(terms, "cac:Language"), "cbc:ID", n.lang)
            post = sub(terms, "cac:PostAwardProcess")
            sub(post, "cbc:ElectronicOrderUsageIndicator", "false")
            sub(post, "cbc:ElectronicPaymentUsageIndicator", "true")
    elif n.subtype == E1:
        recipient = sub(terms, "cac:TenderRecipientParty")
        sub(recipient, "cbc:EndpointID", process_url(n.tender))
        sub(path(terms, "cac:Language"), "cbc:ID", n.lang)
    elif n.subtype == MODIFICATION:
        _appeal_terms(terms, n)
    elif n.subtype == CAN:
        sub(terms, "cbc:FundingProgramCode", "no-eu-funds", listName="eu-funded")
        _awarding_terms(terms, n)
        _appeal_terms(terms, n)
    else:  # E4
        parent.remove(terms)


def lot_process_section(parent: etree._Element, n: Notice, lot: LotView) -> None:
    if n.subtype in (PCP_AWARD, MODIFICATION):
        return
    process = sub(parent, "cac:TenderingProcess")
    if n.subtype == E1:
        consultation = next(iter(ocds.consultations_published(n.ctx)), None)
        closes = consultation.closes_at if consultation is not None else None
        if closes is not None:
            period = sub(extension(process), "efac:AnswerReceptionPeriod")
            sub(period, "cbc:EndDate", _date(closes, n.zone))
            sub(period, "cbc:EndTime", _time(closes, n.zone))
        return
    partnership = n.tender.procedure == PARTNERSHIP
    if n.subtype == CN:
        sub(process, "cbc:SubmissionMethodCode", "required", listName="esubmission")
        if partnership:
            # BT-52: the partnership negotiates with the candidates selected, eliminating none
            # between rounds in this engine (LCSP art. 179).
            sub(process, "cbc:CandidateReductionConstraintIndicator", "false")
    if n.subtype in (CN, CAN, MODIFICATION):
        # BT-765: covered by the WTO Government Procurement Agreement (Directive 2014/24).
        sub(process, "cbc:GovernmentAgreementConstraintIndicator", "true")
    if n.subtype in (CN, PCP_CALL):
        deadline = submission_deadline(n.ctx)
        if deadline is not None:
            # A partnership's notice first asks for requests to participate (BT-1311).
            name = (
                "cac:ParticipationRequestReceptionPeriod"
                if partnership
                else "cac:TenderSubmissionDeadlinePeriod"
            )
            period = sub(process, name)
            sub(period, "cbc:EndDate", _date(deadline, n.zone))
            sub(period, "cbc:EndTime", _time(deadline, n.zone))
        if partnership and n.subtype == CN:
            # BT-50: at least three candidates are invited (LCSP art. 179.1).
            short_list = sub(process, "cac:EconomicOperatorShortList")
            # BT-661: no maximum number of candidates is set.
            sub(short_list, "cbc:LimitationDescription", "false")
            sub(short_list, "cbc:MinimumQuantity", max(n.tender.min_suppliers_start or 3, 3))
    if n.subtype in (CN, CAN, MODIFICATION):
        sub(path(process, "cac:AuctionTerms"), "cbc:AuctionConstraintIndicator", "false")
        for list_name in ("framework-agreement", "dps-usage"):
            sub(
                path(process, "cac:ContractingSystem"),
                "cbc:ContractingSystemTypeCode",
                "none",
                listName=list_name,
            )
    if not len(process):
        parent.remove(process)


def lots_section(doc: etree._Element, n: Notice) -> None:
    for lot in lots_of(n):
        element = sub(doc, "cac:ProcurementProjectLot")
        sub(element, "cbc:ID", lot.key, schemeName="Lot")
        lot_terms_section(element, n, lot)
        lot_process_section(element, n, lot)
        project_section(element, n, lot=lot)


# --- results ------------------------------------------------------------------------------------


@dataclass
class Winner:
    lot: LotView
    supplier: Any
    value: Decimal | None
    signed_at: dt.datetime | None
    reference: str = ""


@dataclass
class LotStatistics:
    """BT-759/BT-760 of a lot: tenders received, and how many by SMEs, electronically (all of
    them: LCSP DA 15ª), from another EEA country than the buyer's, and from outside the EEA."""

    tenders: int = 0
    sme: int = 0
    other_eea: int = 0
    outside_eea: int = 0

    @classmethod
    def of(cls, suppliers: list[Any], *, buyer_country: str) -> "LotStatistics":
        eea = set(COUNTRY) - {"CH", "GB"}
        return cls(
            tenders=len(suppliers),
            sme=sum(1 for s in suppliers if s.is_sme),
            other_eea=sum(1 for s in suppliers if s.country in eea and s.country != buyer_country),
            outside_eea=sum(1 for s in suppliers if s.country not in eea),
        )

    def rows(self) -> list[tuple[str, int]]:
        return [
            ("tenders", self.tenders),
            ("t-sme", self.sme),
            ("t-large", self.tenders - self.sme),
            ("t-esubm", self.tenders),
            ("t-oth-eea", self.other_eea),
            ("t-no-eea", self.outside_eea),
        ]


def winners_of(n: Notice) -> list[Winner]:
    """Who won each lot, once the contract is signed: a CPTI's award rows; a PCP's or
    partnership's suppliers chosen by the award step (as the OCDS release says)."""
    lots = {lot.pk: lot for lot in lots_of(n)}
    winners = []
    if n.ctx.is_cpti:
        for step in n.ctx.steps(ocds.AWARD_STEPS):
            for row in ocds.award_rows_of_step(n.ctx, step):
                if ocds.award_row_status(n.ctx, row) != "awarded":
                    continue
                winners.append(
                    Winner(
                        lot=lots[row.lot_id],
                        supplier=row.bid.supplier,
                        value=row.value,
                        signed_at=row.contract_signed_at,
                        reference=row.contract_reference,
                    )
                )
        return winners
    steps = n.ctx.steps(ocds.AWARD_STEPS)
    contracts = n.ctx.steps(ocds.CONTRACT_STEPS)
    if not steps:
        return []
    only = next(iter(lots.values()))
    ids = ocds.award_supplier_ids(n.tender, steps[-1])
    # A supplier's phase contracts signed by this step are public (the OCDS release publishes
    # them): its tender value is what they add up to (BT-720). Without phase contracts no
    # price per supplier is public (the award names whom, not how much).
    signed: dict[int, Decimal] = {}
    for supplier_id, price in PhaseContract.objects.filter(
        phase__tender=n.tender, supplier_id__in=ids, signed_at__lte=n.ctx.entry.at
    ).values_list("supplier_id", "price"):
        signed[supplier_id] = signed.get(supplier_id, Decimal(0)) + price
    for pk in ids:
        supplier = n.ctx.suppliers.get(pk)
        if supplier is not None:
            winners.append(
                Winner(
                    lot=only,
                    supplier=supplier,
                    value=signed.get(pk),
                    signed_at=contracts[-1].at if contracts else None,
                )
            )
    return winners


def statistics_of(n: Notice, lot: LotView) -> LotStatistics:
    """BT-759 and BT-760: tenders received for the lot, and how many from SMEs (public once
    the bids closed, as in the OCDS release); a PCP or partnership counts its applicants."""
    if n.ctx.is_cpti:
        closing = n.ctx.steps(ocds.BIDS_CLOSED_STEPS)
        if not closing:
            return LotStatistics()
        bids = Bid.objects.filter(
            tender=n.tender,
            lot__number=lot.number,
            status=Bid.Status.SUBMITTED,
            submitted_at__lte=closing[-1].at,
        ).select_related("supplier")
        suppliers = [b.supplier for b in bids]
    else:
        suppliers = [p.supplier for p in n.tender.participants.select_related("supplier")]
    return LotStatistics.of(suppliers, buyer_country=n.tender.city.country)


def results_section(ext: etree._Element, n: Notice, winners: list[Winner]) -> None:
    """``efac:NoticeResult``: per lot its result, tenders received and winners; one tender and
    one tendering party per winner, and the contract signed with it."""
    result = sub(ext, "efac:NoticeResult")
    # BT-161: the CPTI's awarded prices; for a PCP or partnership, as in the OCDS release, the
    # process's estimated value, the most the contracts may reach.
    if n.ctx.is_cpti:
        total = sum((w.value for w in winners if w.value is not None), Decimal(0))
    else:
        total = n.tender.estimated_value
    sub(result, "cbc:TotalAmount", _money(total), currencyID=n.tender.currency)
    tender_key = {id(w): f"TEN-{i:04d}" for i, w in enumerate(winners, start=1)}
    # One contract per winner; but eForms allows several contracts in one lot only within a
    # framework agreement or a DPS (BR-OPT-00322-0053), so the parallel phase contracts of a
    # PCP or a partnership's partners are one contract award of the lot, with its tenders.
    if n.ctx.is_cpti:
        contract_key = {id(w): f"CON-{i:04d}" for i, w in enumerate(winners, start=1)}
    else:
        contract_key = {id(w): f"CON-{w.lot.number:04d}" for w in winners}
    party_key = {id(w): f"TPA-{i:04d}" for i, w in enumerate(winners, start=1)}
    for index, lot in enumerate(lots_of(n), start=1):
        won = [w for w in winners if w.lot.number == lot.number]
        lot_result = sub(result, "efac:LotResult")
        sub(lot_result, "cbc:ID", f"RES-{index:04d}", schemeName="result")
        if n.subtype != MODIFICATION:
            sub(
                lot_result,
                "cbc:TenderResultCode",
                "selec-w" if won else "clos-nw",
                listName="winner-selection-status",
            )
        for w in won:
            sub(
                path(lot_result, "efac:LotTender"), "cbc:ID", tender_key[id(w)], schemeName="tender"
            )
        if n.subtype == CAN:
            stats = statistics_of(n, lot)
            for code, number in stats.rows():
                statistic = sub(lot_result, "efac:ReceivedSubmissionsStatistics")
                sub(statistic, "efbc:StatisticsCode", code, listName="received-submission-type")
                sub(statistic, "efbc:StatisticsNumeric", number)
        for key in dict.fromkeys(contract_key[id(w)] for w in won):
            sub(path(lot_result, "efac:SettledContract"), "cbc:ID", key, schemeName="contract")
        sub(path(lot_result, "efac:TenderLot"), "cbc:ID", lot.key, schemeName="Lot")
    for rank, w in enumerate(winners, start=1):
        lot_tender = sub(result, "efac:LotTender")
        sub(lot_tender, "cbc:ID", tender_key[id(w)], schemeName="tender")
        if n.subtype != PCP_AWARD:
            sub(lot_tender, "cbc:RankCode", 1)
            sub(lot_tender, "efbc:TenderRankedIndicator", "true")
        if w.value is not None:
            sub(
                path(lot_tender, "cac:LegalMonetaryTotal"),
                "cbc:PayableAmount",
                _money(w.value),
                currencyID=n.tender.currency,
            )
        if n.subtype != PCP_AWARD:
            sub(
                path(lot_tender, "efac:SubcontractingTerm"),
                "efbc:TermCode",
                "no",
                listName="applicability",
            )
        sub(
            path(lot_tender, "efac:TenderingParty"),
            "cbc:ID",
            party_key[id(w)],
            schemeName="tendering-party",
        )
        sub(path(lot_tender, "efac:TenderLot"), "cbc:ID", w.lot.key, schemeName="Lot")
        sub(path(lot_tender, "efac:TenderReference"), "cbc:ID", f"{n.tender.pk}-{rank}")
    contracts: dict[str, list[Winner]] = {}
    for w in winners:
        contracts.setdefault(contract_key[id(w)], []).append(w)
    for key, signed in contracts.items():
        first = signed[0]
        contract = sub(result, "efac:SettledContract")
        sub(contract, "cbc:ID", key, schemeName="contract")
        if first.signed_at is not None:
            sub(contract, "cbc:IssueDate", _date(first.signed_at, n.zone))
        if n.subtype != PCP_AWARD:
            _party_ref(contract, "cac:SignatoryParty", BUYER_ORG)
        sub(
            path(contract, "efac:ContractReference"),
            "cbc:ID",
            first.reference or f"{n.tender.pk}-{key}",
        )
        for w in signed:
            sub(path(contract, "efac:LotTender"), "cbc:ID", tender_key[id(w)], schemeName="tender")
    for w in winners:
        party = sub(result, "efac:TenderingParty")
        sub(party, "cbc:ID", party_key[id(w)], schemeName="tendering-party")
        sub(
            path(party, "efac:Tenderer"),
            "cbc:ID",
            _winner_org(n, w.supplier).key,
            schemeName="organization",
        )


def _winner_org(n: Notice, supplier) -> Organisation:
    for org in n.winners:
        if org.identifier == supplier.tax_id and org.name == supplier.name:
            return org
    org = supplier_organisation(supplier, len(n.winners) + 3)
    if n.subtype == MODIFICATION:
        org.size = ""  # BR-BT-00165-0047: not asked again when the contract changes
    n.winners.append(org)
    return org


def modification_section(ext: etree._Element, n: Notice) -> None:
    """BT-1501, BT-202, BT-200, BT-201: which contract changed, how and why (LCSP art. 207.3)."""
    mod = n.spec.modification
    if mod is None:
        raise NoticeNotApplicable("A modification notice needs the modification.")
    element = sub(ext, "efac:ContractModification")
    if n.spec.modified_notice_id:
        sub(
            element,
            "efbc:ChangedNoticeIdentifier",
            f"{n.spec.modified_notice_id}-01",
            schemeName="notice-id-ref",
        )
    sub(element, "efbc:ModifiedContractIdentifier", "CON-0001", schemeName="contract")
    sub(path(element, "efac:Change"), "efbc:ChangeDescription", mod.description, languageID=n.lang)
    reason = sub(element, "efac:ChangeReason")
    sub(reason, "cbc:ReasonCode", mod.reason_code, listName="modification-justification")
    sub(reason, "efbc:ReasonDescription", mod.reason, languageID=n.lang)


def changes_section(ext: etree._Element, n: Notice) -> None:
    """BT-758, BT-140, BT-762, BT-141, BT-718, BT-719: the notice changed and what changed."""
    changes = n.spec.changes
    if changes is None:
        return
    element = sub(ext, "efac:Changes")
    sub(
        element,
        "efbc:ChangedNoticeIdentifier",
        f"{changes.notice_id}-{changes.version}",
        schemeName="notice-id-ref",
    )
    change = sub(element, "efac:Change")
    sub(change, "efbc:ChangeDescription", changes.description, languageID=n.lang)
    if changes.documents_changed:
        sub(change, "efbc:ProcurementDocumentsChangeDate", _date(changes.changed_at, n.zone))
    sub(change, "efbc:ProcurementDocumentsChangeIndicator", str(changes.documents_changed).lower())
    # BT-13716: the sections changed are the lots (their deadline, their documents).
    for lot in lots_of(n):
        sub(path(change, "efac:ChangedSection"), "efbc:ChangedSectionIdentifier", lot.key)
    reason = sub(element, "efac:ChangeReason")
    sub(reason, "cbc:ReasonCode", "cor-buy", listName="change-corrig-justification")
    sub(reason, "efbc:ReasonDescription", changes.description, languageID=n.lang)


def extension_section(doc: etree._Element, n: Notice) -> None:
    ext = extension(doc)
    if n.subtype == MODIFICATION:
        modification_section(ext, n)
    changes_section(ext, n)
    if n.is_result:
        winners = winners_of(n)
        if not winners and n.subtype != MODIFICATION:
            raise NoticeNotApplicable("No award of this process is public yet.")
        results_section(ext, n, winners)
    sub(
        path(ext, "efac:NoticeSubType"),
        "cbc:SubTypeCode",
        n.subtype,
        listName="notice-subtype",
    )
    orgs = [n.buyer]
    if n.subtype in (CN, CAN, MODIFICATION):
        orgs.append(n.review)
    organisations_section(ext, orgs + n.winners, lang=n.lang)


def tender_result_section(doc: etree._Element, n: Notice) -> None:
    if not n.is_result:
        return
    steps = n.ctx.steps(ocds.AWARD_STEPS)
    awarded = steps[-1].at if steps else n.spec.issued_at
    sub(path(doc, "cac:TenderResult"), "cbc:AwardDate", _date(awarded, n.zone))


def notice_xml(*, tender, entry: AuditEntry, spec: NoticeInput) -> bytes:
    """The XML of notice ``spec`` of ``tender``, as public at step ``entry``."""
    if spec.subtype not in SUBTYPES:
        raise NoticeNotApplicable(f"Unknown notice subtype {spec.subtype!r}.")
    with translation.override(tender.city.language):
        ctx = ocds.context_build(tender=tender, entry=entry)
        n = Notice(
            tender=tender,
            ctx=ctx,
            spec=spec,
            lang=_lang(tender),
            zone=tender.city.zone,
            buyer=buyer_organisation(tender),
            review=review_organisation(tender),
        )
        if spec.subtype == E1 and not ocds.consultations_published(ctx):
            raise NoticeNotApplicable("The consultation of this process is not published.")
        if spec.subtype in (CN, PCP_CALL) and not ctx.steps(ocds.TENDER_PUBLICATIONS):
            raise NoticeNotApplicable("The notice of this process is not published.")
        doc = root(SUBTYPES[spec.subtype][0])
        # The extension is written first but filled last: it lists the winners' organisations.
        extension_holder = etree.SubElement(doc, "placeholder")
        header_section(doc, n)
        contracting_party_section(doc, n)
        procedure_terms_section(doc, n)
        procedure_process_section(doc, n)
        project_section(doc, n)
        lots_section(doc, n)
        tender_result_section(doc, n)
        filled = etree.Element("holder")
        extension_section(filled, n)
        doc.replace(extension_holder, filled[0])
    return serialise(doc)
