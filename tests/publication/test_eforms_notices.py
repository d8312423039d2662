"""eForms notices: each published step that has one makes it, from the process's public data,
and it passes the XSD and the SDK's static schematron with zero errors (../shared/eforms).

Slow by nature: the first notice of each subtype in a process compiles that subtype's
schematron (about 5-10 s); the validator is shared by the whole session (conftest)."""

import datetime as dt

import pytest
from lxml import etree

from procurement.core.models import AuditEntry
from publication.eforms import builder
from publication.eforms.services import modification_notice_make, notices_build
from publication.eforms.xml import NS
from publication.models import BuyerProfile, Notice
from tests.factories.tenders import make_tender
from workflows.services import transition_perform

# One worker runs them all, so each subtype's schematron is compiled once per CI run.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("eforms")]

DAY = dt.timedelta(days=1)


def _errors(notice: Notice) -> list[dict]:
    return [f for f in notice.findings if f["severity"] == "ERROR"]


def _xpath(notice: Notice, expression: str) -> list[str]:
    tree = etree.fromstring(notice.xml.encode())
    return [str(v).strip() for v in tree.xpath(expression, namespaces=NS)]


def _made(tender, capture, **fields):
    with capture(execute=True):
        made = make_tender(**fields)
    return made, list(Notice.objects.filter(tender=made).order_by("built_at", "pk"))


def _only(notices: list[Notice], subtype: str) -> Notice:
    found = [n for n in notices if n.subtype == subtype]
    assert len(found) == 1, [(n.subtype, n.status) for n in notices]
    return found[0]


def _valid(notice: Notice) -> Notice:
    assert notice.status == Notice.Status.VALID, _errors(notice)
    assert _errors(notice) == []
    return notice


# --- E1: the preliminary market consultation ----------------------------------------------------


def test_the_published_consultation_makes_a_valid_e1_notice(
    eforms_on, demo, django_capture_on_commit_callbacks
):
    tender, notices = _made(
        None,
        django_capture_on_commit_callbacks,
        city=demo.city("logrono"),
        state="consultation_open",
        title="Sensores de ruido en tiempo real",
        cpv_codes=["38000000-5"],
    )
    notice = _valid(_only(notices, "E1"))
    assert _xpath(notice, "/*/cbc:NoticeTypeCode/text()") == ["pmc"]
    assert "Sensores de ruido en tiempo real" in notice.xml
    closes = tender.consultation_for_engine().closes_at.astimezone(tender.city.zone)
    end_dates = _xpath(notice, "//efac:AnswerReceptionPeriod/cbc:EndDate/text()")
    assert end_dates and end_dates[0].startswith(closes.date().isoformat())
    # BT-776 is forbidden in E1.
    assert "innovative-acquisition" not in notice.xml


# --- 16: contract notice (CPTI, open procedure; innovation partnership) -------------------------


def test_the_published_cpti_tender_makes_a_valid_contract_notice_marked_innovative(
    eforms_on, demo, django_capture_on_commit_callbacks
):
    tender, notices = _made(
        None,
        django_capture_on_commit_callbacks,
        city=demo.city("logrono"),
        state="published",
        title="Robots de recogida de residuos",
        cpv_codes=["34144900-7", "90511000-2"],
    )
    notice = _valid(_only(notices, "16"))
    assert _xpath(notice, "/*/cac:TenderingProcess/cbc:ProcedureCode/text()") == ["open"]
    lots = list(tender.lots.order_by("number"))
    assert _xpath(notice, "/*/cac:ProcurementProjectLot/cbc:ID/text()") == [
        f"LOT-{lot.number:04d}" for lot in lots
    ]
    innovative = (
        "cac:ProcurementAdditionalType[cbc:ProcurementTypeCode/@listName='innovative-acquisition']"
    )
    assert _xpath(
        notice,
        f"//cac:ProcurementProjectLot/cac:ProcurementProject/{innovative}/cbc:ProcurementTypeCode/text()",
    ) == ["mar-nov"] * len(lots)
    assert _xpath(
        notice,
        "/*/cac:ProcurementProject/cac:MainCommodityClassification/cbc:ItemClassificationCode/text()",
    ) == ["34144900"]
    deadline = tender.submission_deadline.astimezone(tender.city.zone)
    assert _xpath(notice, "//cac:TenderSubmissionDeadlinePeriod/cbc:EndDate/text()")[0].startswith(
        deadline.date().isoformat()
    )
    names = {c.name for c in tender.criteria.all()}
    assert names and names <= set(
        _xpath(notice, "//cac:SubordinateAwardingCriterion/cbc:Name/text()")
    )
    assert (
        _xpath(notice, "//efac:Company/cac:PartyLegalEntity/cbc:CompanyID/text()")[0] == "P2608900C"
    )
    assert _xpath(notice, "/*/cbc:NoticeLanguageCode/text()") == ["SPA"]


def test_a_deadline_extension_makes_a_valid_change_notice_naming_the_original(
    eforms_on, demo, django_capture_on_commit_callbacks
):
    tender, notices = _made(
        None, django_capture_on_commit_callbacks, city=demo.city("logrono"), state="published"
    )
    original = _valid(_only(notices, "16"))
    new_deadline = tender.submission_deadline + 7 * DAY
    with django_capture_on_commit_callbacks(execute=True):
        transition_perform(
            process=tender,
            name="extend_deadline",
            actor=demo.user("officer.logrono"),
            reason="Más tiempo para consorcios.",
            data={"submission_deadline": new_deadline.isoformat()},
        )
    change = Notice.objects.get(tender=tender, changes=original)
    _valid(change)
    assert change.notice_id != original.notice_id
    assert _xpath(change, "//efac:Changes/efbc:ChangedNoticeIdentifier/text()") == [
        f"{original.notice_id}-01"
    ]
    assert (
        "Más tiempo para consorcios."
        in _xpath(change, "//efac:Changes/efac:Change/efbc:ChangeDescription/text()")[0]
    )
    local = new_deadline.astimezone(tender.city.zone)
    assert {
        d[:10] for d in _xpath(change, "//cac:TenderSubmissionDeadlinePeriod/cbc:EndDate/text()")
    } == {local.date().isoformat()}
    assert _xpath(change, "/*/cbc:ContractFolderID/text()") == _xpath(
        original, "/*/cbc:ContractFolderID/text()"
    )


def test_the_innovation_partnership_notice_is_a_valid_16_of_the_innovation_procedure(
    eforms_on, demo, django_capture_on_commit_callbacks
):
    _tender, notices = _made(
        None,
        django_capture_on_commit_callbacks,
        city=demo.city("logrono"),
        procedure="innovation_partnership",
        state="notice_published",
        cpv_codes=["34144910-0", "73100000-3"],
    )
    notice = _valid(_only(notices, "16"))
    assert _xpath(notice, "/*/cac:TenderingProcess/cbc:ProcedureCode/text()") == ["innovation"]
    assert _xpath(notice, "//cac:EconomicOperatorShortList/cbc:MinimumQuantity/text()") == ["3"]


# --- 29: contract award notice ------------------------------------------------------------------


def test_the_signed_cpti_contract_makes_a_valid_award_notice_with_winners_and_tenders(
    eforms_on, demo, django_capture_on_commit_callbacks
):
    tender, notices = _made(
        None,
        django_capture_on_commit_callbacks,
        city=demo.city("logrono"),
        state="contract_signed",
        cpv_codes=["48000000-8"],
    )
    notice = _valid(_only(notices, "29"))
    winners = {
        row.bid.supplier.name
        for row in tender.awards.filter(status="awarded").select_related("bid__supplier")
    }
    assert winners and winners <= set(
        _xpath(notice, "//efac:Company/cac:PartyName/cbc:Name/text()")
    )
    submitted = tender.bids.filter(status="submitted").count()
    received = _xpath(
        notice,
        "//efac:LotResult/efac:ReceivedSubmissionsStatistics[efbc:StatisticsCode='tenders']/efbc:StatisticsNumeric/text()",
    )
    assert sum(int(n) for n in received) == submitted
    assert _xpath(notice, "/*/cbc:ProcurementProject/cbc:ProcurementTypeCode/text()") in (
        [],
        ["supplies"],
    )
    assert "supplies" in _xpath(
        notice, "//cbc:ProcurementTypeCode[@listName='contract-nature']/text()"
    )
    # Never the committee's scores nor an envelope.
    assert "score" not in notice.xml.lower()


# --- E3 and E4: a PCP outside the directives ----------------------------------------------------


def test_the_pcp_call_makes_a_valid_e3_under_lcsp_article_8(
    eforms_on, demo, django_capture_on_commit_callbacks
):
    _tender, notices = _made(
        None,
        django_capture_on_commit_callbacks,
        city=demo.city("logrono"),
        procedure="pcp",
        state="call_published",
        cpv_codes=["73100000-3"],
    )
    notice = _valid(_only(notices, "E3"))
    assert _xpath(notice, "/*/cbc:RegulatoryDomain/text()") == ["other"]
    assert (
        "art. 8"
        in _xpath(
            notice, "//cac:ProcurementLegislationDocumentReference/cbc:DocumentDescription/text()"
        )[0]
    )
    assert "rd-act" in _xpath(
        notice, "//cbc:ProcurementTypeCode[@listName='innovative-acquisition']/text()"
    )


def test_the_pcp_phase_contracts_make_a_valid_e4_naming_every_supplier(
    eforms_on, demo, django_capture_on_commit_callbacks
):
    tender, notices = _made(
        None,
        django_capture_on_commit_callbacks,
        city=demo.city("logrono"),
        procedure="pcp",
        state="phase1_design",
        cpv_codes=["73100000-3"],
    )
    notice = _valid(_only(notices, "E4"))
    selected = {p.supplier.name for p in tender.participants.filter(status="selected")}
    assert selected and selected <= set(
        _xpath(notice, "//efac:Company/cac:PartyName/cbc:Name/text()")
    )


# --- 38: contract modification ------------------------------------------------------------------


def test_a_contract_modification_makes_a_valid_38_referring_to_the_award_notice(
    eforms_on, demo, django_capture_on_commit_callbacks
):
    tender, notices = _made(
        None,
        django_capture_on_commit_callbacks,
        city=demo.city("logrono"),
        state="contract_signed",
        cpv_codes=["48000000-8"],
    )
    award = _only(notices, "29")
    notice = modification_notice_make(
        tender=tender,
        modification=builder.Modification(
            description="Se amplía el servicio a dos edificios más.",
            reason="Necesidad sobrevenida no prevista en los pliegos (LCSP art. 205).",
        ),
    )
    _valid(notice)
    assert _xpath(notice, "//efac:ContractModification/efbc:ChangedNoticeIdentifier/text()") == [
        f"{award.notice_id}-01"
    ]


# --- failures and idempotency -------------------------------------------------------------------


def test_a_notice_missing_the_buyers_identifiers_is_invalid_and_says_which_fields(
    eforms_on, demo, django_capture_on_commit_callbacks
):
    BuyerProfile.objects.filter(city=demo.city("logrono")).delete()
    _tender, notices = _made(
        None, django_capture_on_commit_callbacks, city=demo.city("logrono"), state="published"
    )
    notice = _only(notices, "16")
    assert notice.status == Notice.Status.INVALID
    fields = {f["field"] for f in _errors(notice)}
    assert "BT-501-Organization-Company" in fields  # the buyer's organisation identifier
    names = {
        f["field_name"] for f in _errors(notice) if f["field"] == "BT-501-Organization-Company"
    }
    assert names and all(names)


def test_a_retried_task_makes_no_second_notice(eforms_on, demo, django_capture_on_commit_callbacks):
    tender, notices = _made(
        None, django_capture_on_commit_callbacks, city=demo.city("logrono"), state="published"
    )
    notice = _only(notices, "16")
    assert notices_build(tender_id=tender.pk, audit_entry_id=notice.audit_entry_id) == [notice]
    assert Notice.objects.filter(tender=tender).count() == len(notices)


def test_an_unpublished_process_has_no_notice(eforms_on, demo, django_capture_on_commit_callbacks):
    tender, notices = _made(
        None, django_capture_on_commit_callbacks, city=demo.city("logrono"), state="file_approved"
    )
    assert notices == []
    last = AuditEntry.objects.filter(object_id=str(tender.pk)).order_by("-pk").first()
    assert notices_build(tender_id=tender.pk, audit_entry_id=last.pk) == []


def test_a_correction_of_the_pliegos_makes_a_valid_change_notice(
    eforms_on, demo, django_capture_on_commit_callbacks
):
    from documents.models import Pliego
    from documents.pliego_services import pliego_amend
    from tests.factories.walks import signed_pdf

    tender, notices = _made(
        None, django_capture_on_commit_callbacks, city=demo.city("logrono"), state="published"
    )
    original = _valid(_only(notices, "16"))
    pcap = Pliego.objects.get(tender=tender, kind="pcap")
    with django_capture_on_commit_callbacks(execute=True):
        pliego_amend(
            actor=demo.user("officer.logrono"),
            pliego=pcap,
            changes="Una errata en la cláusula 4.",
            upload=signed_pdf("corrected"),
            filename="pcap-v2.pdf",
        )
    change = _valid(Notice.objects.get(tender=tender, changes=original))
    assert _xpath(
        change, "//efac:Changes/efac:Change/efbc:ProcurementDocumentsChangeIndicator/text()"
    ) == ["true"]
    assert (
        "Una errata en la cláusula 4."
        in _xpath(change, "//efac:Changes/efac:Change/efbc:ChangeDescription/text()")[0]
    )
