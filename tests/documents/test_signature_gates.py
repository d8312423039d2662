"""Steps that need signed documents wait for them, and say which signature is missing
(ProZorro-style gates; LCSP arts. 150.3 and 153; L40/2015 art. 43.1)."""

import pytest

from documents.services import document_generate, document_order
from documents.signatures import document_signature_add
from procurement.core.exceptions import Conflict
from tenders.procedures.names import S, T
from tests.factories.pki import TestCA, sign_pdf, write_trust
from tests.factories.tenders import make_tender
from workflows.services import transition_options, transition_perform

pytestmark = pytest.mark.django_db

LUCIA_DNI = "12345678Z"


@pytest.fixture(scope="module")
def ca():
    return TestCA()


@pytest.fixture
def lucia(library):
    officer = library.user("officer.logrono")
    officer.national_id = LUCIA_DNI
    officer.save(update_fields=["national_id"])
    return officer


def _trust(settings, tmp_path, ca):
    """Install the trust list: from then on the gates are on (``auto``)."""
    write_trust(tmp_path / "trust", ca)
    settings.OPENCPI_TRUST_DIR = str(tmp_path / "trust")


def _sign(process, officer, kind, identity):
    document = document_generate(
        document_id=document_order(actor=officer, process_id=process.pk, kind=kind).pk
    )
    with document.pdf.open("rb") as handle:
        signed = sign_pdf(handle.read(), identity)
    return document_signature_add(actor=officer, document=document, upload=signed)


def test_award_waits_for_the_resolution_signed_by_the_contracting_body(
    library, lucia, ca, settings, tmp_path
):
    tender = make_tender(city=library.city("logrono"), state=S.DOCUMENTS_RECEIVED)
    _trust(settings, tmp_path, ca)
    with pytest.raises(Conflict) as refused:
        transition_perform(process=tender, name=T.AWARD, actor=lucia)
    (reason,) = refused.value.reasons
    assert "award resolution signed by the contracting body is missing" in reason
    assert reason.endswith("(LCSP art. 150.3; L40/2015 art. 43.1).")
    # The process page shows the same reason beside the step.
    options = {option.name: option for option in transition_options(process=tender, user=lucia)}
    assert reason in options[T.AWARD].reasons

    _sign(tender, lucia, "award_resolution", ca.person("Lucía", "Sáenz", LUCIA_DNI))
    tender = transition_perform(process=tender, name=T.AWARD, actor=lucia)
    assert tender.status == S.AWARDED


def test_a_resolution_made_but_not_signed_does_not_open_the_award(
    library, lucia, ca, settings, tmp_path
):
    tender = make_tender(city=library.city("logrono"), state=S.DOCUMENTS_RECEIVED)
    _trust(settings, tmp_path, ca)
    document_generate(
        document_id=document_order(actor=lucia, process_id=tender.pk, kind="award_resolution").pk
    )
    with pytest.raises(Conflict) as refused:
        transition_perform(process=tender, name=T.AWARD, actor=lucia)
    assert "signed by the contracting body is missing" in refused.value.reasons[0]


def test_contract_signature_waits_for_the_signed_contract(library, lucia, ca, settings, tmp_path):
    tender = make_tender(city=library.city("logrono"), state=S.AWAITING_SIGNATURE)
    _trust(settings, tmp_path, ca)
    with pytest.raises(Conflict) as refused:
        transition_perform(process=tender, name=T.SIGN_CONTRACT, actor=lucia)
    assert any(
        "contract signed by the contracting body is missing" in reason
        and reason.endswith("(LCSP art. 153.1; L40/2015 art. 43.1).")
        for reason in refused.value.reasons
    )
    _sign(tender, lucia, "contract", ca.person("Lucía", "Sáenz", LUCIA_DNI))
    tender = transition_perform(process=tender, name=T.SIGN_CONTRACT, actor=lucia)
    assert tender.status == S.CONTRACT_SIGNED


def test_without_a_trust_list_no_step_waits_for_signatures(library, lucia):
    """No signature could be accepted without a trust list, so the gates stay off (auto)."""
    tender = make_tender(city=library.city("logrono"), state=S.DOCUMENTS_RECEIVED)
    tender = transition_perform(process=tender, name=T.AWARD, actor=lucia)
    assert tender.status == S.AWARDED
