"""What documents about a process hold: its criteria, lots, bids and award from the database, and
the consultation's public face; never an envelope before its opening nor a confidential answer."""

import datetime as dt
import json

import pytest

from documents.context import SCHEMA, Field, process_context, sample_context
from documents.kinds import KINDS
from documents.models import GeneratedDocument
from procurement.core.formatting import money
from tenders.models import Tender
from tests.documents.conftest import pdf_text
from workflows.registry import MACHINES
from workflows.services import fire_due_events, transition_perform

pytestmark = pytest.mark.django_db

AWARDED = "Plataforma de gestión de la demanda energética municipal"
IN_EVALUATION = "Semáforos que dan prioridad a los autobuses urbanos"
ACME = "Acme Smart Solutions S.L."
NOVA = "Nova Urban Robotics S.L."
SECRET = "calibración por aprendizaje automático"


@pytest.fixture
def seeded(library, django_capture_on_commit_callbacks):
    """The demo processes with every after-commit effect run, so each step made its documents."""
    from tenders import demo as tenders_demo

    with django_capture_on_commit_callbacks(execute=True):
        tenders_demo.seed()
    return library


def _flat(text: str) -> str:
    return " ".join(text.split())


def _made_at(tender: Tender, kind: str, step: str) -> GeneratedDocument:
    from procurement.core.audit import audit_history

    entry = next(e for e in audit_history(tender) if e.name == step)
    return GeneratedDocument.objects.get(key=f"effect:{entry.pk}:{kind}")


def _sealed_contents() -> list[str]:
    from tenders.demo import BIDS
    from tenders.models import Score

    texts = ["DEUC firmado."] + [plan for plan, _amount, _years in BIDS.values()]
    return texts + list(Score.objects.values_list("justification", flat=True).distinct())


def test_the_award_resolution_of_the_awarded_demo_process_names_acme_and_the_award_value(
    seeded,
):
    tender = Tender.objects.get(title=AWARDED)
    document = _made_at(tender, "award_resolution", "award")
    assert document.status == GeneratedDocument.Status.READY
    text = _flat(pdf_text(document.pdf.read()))
    assert f"Adjudicar el contrato a {ACME}" in text
    assert _flat(money(150000, "EUR", "es")) in text
    # Every bidder, with its admission outcome, points and offer once envelope C is open.
    assert NOVA in text and "admitida" in text.lower()
    assert _flat(money(158000, "EUR", "es")) in text
    award = document.data["award"]
    assert award["winner"] == ACME and award["value"] == money(150000, "EUR", "es")
    assert award["points"] and award["lots"][0]["lot"] == 1
    assert [b["name"] for b in document.data["bids"]] == [ACME, NOVA]
    assert all(b["total_points"] and b["rank"] for b in document.data["bids"])
    for sealed in _sealed_contents():
        assert sealed not in text


def test_a_document_made_at_a_step_holds_only_what_was_opened_at_that_step(seeded):
    tender = Tender.objects.get(title=AWARDED)
    # The documents were made after the whole process ran, yet each speaks for its own step.
    admission = _made_at(tender, "committee_minutes", "check_admin").data
    assert [p["name"] for p in admission["participants"]] == [ACME, NOVA]
    for bid in admission["bids"]:
        assert bid["admission"] and not bid["offer"] and not bid["value_judgement_points"]
        assert not bid["total_points"] and not bid["rank"]
    assert admission["award"]["winner"] == "" and admission["award"]["proposed"] == ""

    report = _made_at(tender, "evaluation_report", "sign_value_report").data
    assert all(b["value_judgement_points"] and not b["offer"] for b in report["bids"])
    assert all(not b["formula_points"] for b in report["bids"])

    opening = _made_at(tender, "committee_minutes", "open_envelope_c").data
    assert all(b["offer"] and b["total_points"] for b in opening["bids"])
    assert opening["award"]["winner"] == ""

    proposal = _made_at(tender, "committee_minutes", "propose_award").data
    assert proposal["award"]["proposed"] == ACME and proposal["award"]["winner"] == ""

    # The process in evaluation: B open, its report unsigned, C sealed.
    evaluating = Tender.objects.get(title=IN_EVALUATION)
    assert evaluating.status == "tech_opened"
    for document in GeneratedDocument.objects.filter(tender=evaluating):
        data = json.dumps(document.data, ensure_ascii=False)
        for sealed in _sealed_contents():
            assert sealed not in data
        for bid in document.data.get("bids", []):
            assert not bid["offer"] and not bid["total_points"]
            assert not bid["value_judgement_points"]
    context = process_context(
        process_id=evaluating.pk,
        kind="award_resolution",
        language="es",
        at=dt.datetime.now(dt.UTC),
    )
    assert context["award"]["winner"] == "" and not context["award"]["lots"]
    assert all(not b["offer"] and not b["formula_points"] for b in context["bids"])


def test_criteria_and_lots_come_from_the_process(seeded):
    tender = Tender.objects.get(title=IN_EVALUATION)
    notice = _made_at(tender, "tender_notice", "publish_tender").data
    assert [(c["name"], c["weight"]) for c in notice["criteria"]] == [
        ("Calidad técnica e innovación", 40),
        ("Precio", 50),
        ("Garantía (años)", 10),
    ]
    assert [c["price"] for c in notice["criteria"]] == [False, True, False]
    (lot,) = notice["lots"]
    assert lot["number"] == 1 and lot["title"] == "Suministro, instalación y mantenimiento"
    assert lot["value"] == money(190000, "EUR", "es") and lot["duration_months"] == 24
    # Who bids is secret until the deadline: the notice knows of no bid.
    assert "bids" not in notice and "participants" not in notice


def test_the_consultation_report_lists_the_entities_consulted_and_no_confidential_answer(
    seeded, django_capture_on_commit_callbacks
):
    from tenders.consultation.services import consultation_report_save, question_summary_save

    officer = seeded.user("officer.logrono")
    tender = Tender.objects.get(status="consultation_open")
    consultation = tender.consultation_for_engine()
    after = consultation.closes_at + dt.timedelta(minutes=1)
    with django_capture_on_commit_callbacks(execute=True):
        fire_due_events(models=MACHINES, now=after)
    tender.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        tender = transition_perform(process=tender, name="draft_report", actor=officer, now=after)
        consultation_report_save(
            actor=officer, tender=tender, report="Se pedirán sensores calibrables in situ."
        )
        for question in consultation.questions.all():
            question_summary_save(
                actor=officer, question=question, text=f"Resumen no confidencial {question.order}."
            )
        transition_perform(process=tender, name="publish_report", actor=officer, now=after)
    document = _made_at(tender, "consultation_report", "publish_report")
    assert document.status == GeneratedDocument.Status.READY and document.public
    text = _flat(pdf_text(document.pdf.read()))
    assert ACME in text and NOVA in text
    assert "Resumen no confidencial 1." in text
    assert "Se pedirán sensores calibrables in situ." in text
    assert "Universidad de La Rioja, grupo de química atmosférica" in text
    assert SECRET not in text and "aprendizaje automático" not in text
    assert "Piloto en entorno real" not in text  # nor any other answer
    assert document.data["consultation"]["entities"] == [ACME, NOVA]
    assert SECRET not in json.dumps(document.data, ensure_ascii=False)

    # The notice, made when the consultation opened, names nobody who answered.
    notice = _made_at(tender, "consultation_notice", "publish_consultation").data
    assert notice["consultation"]["entities"] == []
    assert all(q["summary"] == "" for q in notice["consultation"]["questions"])


def _missing(fields: dict[str, Field], value: dict, path: str = "") -> list[str]:
    missing = []
    for name, field in fields.items():
        if name not in value:
            missing.append(f"{path}{name}")
        elif field.type == "object":
            missing += _missing(field.fields, value[name], f"{path}{name}.")
        elif field.type == "list" and field.fields:
            for item in value[name]:
                missing += _missing(field.fields, item, f"{path}{name}[].")
    return missing


@pytest.mark.parametrize("language", ["es", "en"])
@pytest.mark.parametrize("kind", [k.code for k in KINDS])
def test_the_sample_context_fills_every_field_of_the_schema(kind, language):
    assert _missing(SCHEMA[kind], sample_context(kind=kind, language=language)) == []


def test_a_process_context_fills_every_field_of_the_schema(seeded):
    tender = Tender.objects.get(title=AWARDED)
    for kind in SCHEMA:
        context = process_context(
            process_id=tender.pk, kind=kind, language="es", at=dt.datetime.now(dt.UTC)
        )
        assert _missing(SCHEMA[kind], context) == [], kind
        assert set(context) == set(SCHEMA[kind]), kind
