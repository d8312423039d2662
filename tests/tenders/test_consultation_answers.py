"""Suppliers answer until the closing time, never after; files are checked; nothing is lost."""

import datetime as dt
import io

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from procurement.core.audit import audit_history
from tenders.consultation.services import consultation_save, question_save
from tenders.models import Answer, Response
from tests.factories.tenders import make_tender
from workflows.registry import MACHINES
from workflows.services import fire_due_events, transition_perform

OPENS = dt.datetime(2026, 5, 4, 8, 0, tzinfo=dt.UTC)
CLOSES = dt.datetime(2026, 5, 29, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def consultation(demo):
    officer = demo.user("officer.logrono")
    tender = make_tender(city=demo.city("logrono"), state="consultation_draft")
    consultation = consultation_save(
        actor=officer, tender=tender, subject="Smart benches", opens_at=OPENS, closes_at=CLOSES
    )
    question_save(actor=officer, consultation=consultation, text="Your solution?", required=True)
    question_save(
        actor=officer,
        consultation=consultation,
        text="Maturity",
        kind="single",
        choices=["lab", "pilot", "product"],
    )
    question_save(actor=officer, consultation=consultation, text="Price per unit", kind="number")
    question_save(actor=officer, consultation=consultation, text="Datasheet", kind="file")
    transition_perform(
        process=tender, name="publish_consultation", actor=officer, now=OPENS - dt.timedelta(days=2)
    )
    fire_due_events(models=MACHINES, now=OPENS)
    return consultation


def _q(consultation, order):
    return consultation.questions.get(order=order).pk


def test_a_supplier_drafts_edits_submits_and_withdraws_until_the_close(consultation, api_as):
    api = api_as("supplier.acme")
    with time_machine.travel(OPENS + dt.timedelta(days=1), tick=False):
        created = api.post(
            f"/api/v1/consultations/{consultation.pk}/responses/",
            {"answers": [{"question": _q(consultation, 2), "value": "pilot"}]},
            format="json",
        )
        assert created.status_code == 201, created.json()
        rid = created.json()["id"]
        refused = api.post(f"/api/v1/responses/{rid}/submit/")
        assert refused.status_code == 409 and "1" in refused.json()["reasons"][0]
        patched = api.patch(
            f"/api/v1/responses/{rid}/",
            {
                "answers": [
                    {
                        "question": _q(consultation, 1),
                        "value": "Benches with sensors",
                        "confidential": True,
                    },
                    {"question": _q(consultation, 3), "value": "1500.50"},
                ]
            },
            format="json",
        )
        assert patched.status_code == 200
        assert api.post(f"/api/v1/responses/{rid}/submit/").json()["status"] == "submitted"
        assert api.post(f"/api/v1/responses/{rid}/withdraw/").json()["status"] == "withdrawn"
        assert api.post(f"/api/v1/responses/{rid}/submit/").json()["status"] == "submitted"
    response = Response.objects.get(pk=rid)
    values = {
        a.question.order: (a.value, a.confidential)
        for a in response.answers.select_related("question")
    }
    assert values == {1: ("Benches with sensors", True), 2: ("pilot", False), 3: ("1500.50", False)}


@pytest.mark.parametrize(
    ("order", "value", "message"),
    [
        (2, "quantum", "choose one"),
        (3, "cheap", "not a number"),
        (3, "1e400", "out of range"),
        (1, "x" * 20001, "20,000"),
    ],
)
def test_bad_answers_are_refused_with_the_question_number(
    consultation, api_as, order, value, message
):
    api = api_as("supplier.acme")
    with time_machine.travel(OPENS + dt.timedelta(days=1), tick=False):
        rid = api.post(f"/api/v1/consultations/{consultation.pk}/responses/").json()["id"]
        good = api.patch(
            f"/api/v1/responses/{rid}/",
            {"answers": [{"question": _q(consultation, 1), "value": "kept"}]},
            format="json",
        )
        assert good.status_code == 200
        bad = api.patch(
            f"/api/v1/responses/{rid}/",
            {
                "answers": [
                    {"question": _q(consultation, 1), "value": "lost?"},
                    {"question": _q(consultation, order), "value": value},
                ]
            },
            format="json",
        )
    assert bad.status_code == 400
    assert message in bad.json()["detail"] and str(order) in bad.json()["detail"]
    assert Answer.objects.get(response_id=rid, question_id=_q(consultation, 1)).value == "kept"


def test_last_second_submission_is_kept_and_a_late_one_refused_without_loss(consultation, api_as):
    acme, nova = api_as("supplier.acme"), api_as("supplier.nova")
    with time_machine.travel(OPENS + dt.timedelta(days=3), tick=False):
        acme_id = acme.post(
            f"/api/v1/consultations/{consultation.pk}/responses/",
            {"answers": [{"question": _q(consultation, 1), "value": "Acme's answer"}]},
            format="json",
        ).json()["id"]
        nova_id = nova.post(
            f"/api/v1/consultations/{consultation.pk}/responses/",
            {"answers": [{"question": _q(consultation, 1), "value": "Nova's draft"}]},
            format="json",
        ).json()["id"]
    with time_machine.travel(CLOSES - dt.timedelta(seconds=1), tick=False):
        last_second = acme.post(f"/api/v1/responses/{acme_id}/submit/")
    assert last_second.status_code == 200
    with time_machine.travel(CLOSES + dt.timedelta(seconds=1), tick=False):
        late = nova.post(f"/api/v1/responses/{nova_id}/submit/")
        late_edit = acme.patch(
            f"/api/v1/responses/{acme_id}/",
            {"answers": [{"question": _q(consultation, 1), "value": "changed after close"}]},
            format="json",
        )
        late_withdraw = acme.post(f"/api/v1/responses/{acme_id}/withdraw/")
        late_new = api_as("supplier.acme").post(
            f"/api/v1/consultations/{consultation.pk}/responses/"
        )
    for refused in (late, late_edit, late_withdraw):
        assert refused.status_code == 409
        assert "closed" in refused.json()["detail"]
    assert late_new.status_code in (201, 409)
    acme_response, nova_response = (
        Response.objects.get(pk=acme_id),
        Response.objects.get(pk=nova_id),
    )
    assert (
        acme_response.status == "submitted"
        and acme_response.submitted_at == CLOSES - dt.timedelta(seconds=1)
    )
    assert acme_response.answers.get().value == "Acme's answer"
    assert nova_response.status == "draft" and nova_response.answers.get().value == "Nova's draft"
    # The scheduler closes the process at the closing time; responses stay sealed.
    fire_due_events(models=MACHINES, now=CLOSES + dt.timedelta(minutes=1))
    consultation.tender.refresh_from_db()
    assert consultation.tender.status == "consultation_closed"


def test_the_close_happens_by_server_time_even_before_the_scheduler_fires(consultation, demo):
    from procurement.core.exceptions import Conflict
    from tenders.consultation.services import response_start

    consultation.tender.refresh_from_db()
    assert consultation.tender.status == "consultation_open"
    with pytest.raises(Conflict):
        response_start(
            actor=demo.user("supplier.acme"),
            consultation=consultation,
            now=CLOSES + dt.timedelta(seconds=1),
        )


def _upload(api, rid, content, name, question=None, confidential=False):
    data = {"file": SimpleUploadedFile(name, content), "confidential": confidential}
    if question:
        data["question"] = question
    return api.post(f"/api/v1/responses/{rid}/attachments/", data, format="multipart")


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_files_are_checked_by_content_named_safely_and_served_as_downloads(
    consultation, api_as, settings
):
    api = api_as("supplier.acme")
    with time_machine.travel(OPENS + dt.timedelta(days=1), tick=False):
        rid = api.post(f"/api/v1/consultations/{consultation.pk}/responses/").json()["id"]
        ok = _upload(
            api,
            rid,
            PDF,
            "../../Ficha técnica <v2>.pdf",
            question=_q(consultation, 4),
            confidential=True,
        )
        assert ok.status_code == 201, ok.json()
        assert ok.json()["name"] == "Ficha-tecnica-v2.pdf"
        assert ok.json()["content_type"] == "application/pdf" and ok.json()["confidential"]
        disguised = _upload(api, rid, b"MZ\x90\x00\x03" + bytes(range(256)) * 4, "invoice.pdf")
        assert disguised.status_code == 400 and "not accepted" in disguised.json()["detail"]
        settings.UPLOAD_MAX_BYTES = 1024
        huge = _upload(api, rid, b"%PDF-" + b"0" * 2048, "big.pdf")
        assert huge.status_code == 400 and "limit" in huge.json()["detail"]
    attachment_id = ok.json()["id"]
    download = api.get(f"/api/v1/attachments/{attachment_id}/")
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert b"".join(download.streaming_content) == PDF
    from tenders.models import Attachment

    stored = Attachment.objects.get(pk=attachment_id).file.path
    assert stored.startswith(str(settings.PRIVATE_MEDIA_ROOT))
    assert not stored.startswith(str(settings.STATIC_ROOT))
    assert api_as("supplier.nova").get(f"/api/v1/attachments/{attachment_id}/").status_code == 404
    assert (
        api_as("officer.terrassa").get(f"/api/v1/attachments/{attachment_id}/").status_code == 404
    )
    # the owning city reads it once the response is submitted
    assert api_as("officer.logrono").get(f"/api/v1/attachments/{attachment_id}/").status_code == 404
    with time_machine.travel(OPENS + dt.timedelta(days=2), tick=False):
        api.patch(
            f"/api/v1/responses/{rid}/",
            {"answers": [{"question": _q(consultation, 1), "value": "With a datasheet"}]},
            format="json",
        )
        assert api.post(f"/api/v1/responses/{rid}/submit/").status_code == 200
    assert api_as("officer.logrono").get(f"/api/v1/attachments/{attachment_id}/").status_code == 200


def test_a_submitted_edit_is_on_the_record(consultation, api_as):
    api = api_as("supplier.acme")
    with time_machine.travel(OPENS + dt.timedelta(days=1), tick=False):
        rid = api.post(
            f"/api/v1/consultations/{consultation.pk}/responses/",
            {"answers": [{"question": _q(consultation, 1), "value": "v1"}]},
            format="json",
        ).json()["id"]
        api.post(f"/api/v1/responses/{rid}/submit/")
        api.patch(
            f"/api/v1/responses/{rid}/",
            {"answers": [{"question": _q(consultation, 1), "value": "v2"}]},
            format="json",
        )
    names = [e.name for e in audit_history(Response.objects.get(pk=rid))]
    assert names == ["response_submit", "response_edit"]


def test_the_web_form_keeps_typed_answers_when_refused(consultation, login):
    client = login("supplier.acme")
    with time_machine.travel(OPENS + dt.timedelta(days=1), tick=False):
        response = client.post(
            f"/consultations/{consultation.pk}/respond/",
            {f"q{_q(consultation, 1)}": "", f"q{_q(consultation, 3)}": "12", "action": "submit"},
        )
    page = response.content.decode()
    assert response.status_code == 409
    assert "Required questions unanswered: 1" in page
    assert 'value="12"' in page


def test_export_lists_every_answer_and_marks_confidential_ones(open_consultation, login):
    client = login("officer.logrono")
    csv_text = client.get(f"/consultations/{open_consultation.pk}/export.csv").content.decode(
        "utf-8-sig"
    )
    assert "Acme Smart Solutions S.L." in csv_text and "Nova Urban Robotics S.L." in csv_text
    acme_line = next(line for line in csv_text.splitlines() if "Sensores electroquímicos" in line)
    assert acme_line.endswith("yes")
    from openpyxl import load_workbook

    book = load_workbook(
        io.BytesIO(client.get(f"/consultations/{open_consultation.pk}/export.xlsx").content)
    )
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0][0] == "Supplier" and len(rows) == 1 + 2 * 4


def test_an_officer_drafts_a_consultation_with_its_questionnaire_through_the_api(demo, api_as):
    tender = make_tender(city=demo.city("logrono"), state="consultation_draft")
    opens = timezone.now() + dt.timedelta(days=7)
    body = {
        "tender": tender.pk,
        "subject": "Benches",
        "opens_at": opens.isoformat(),
        "closes_at": (opens + dt.timedelta(days=30)).isoformat(),
        "advisers": [{"name": "Dr. Ruiz", "reason": "Urban furniture expert"}],
        "questions": [
            {"text": "Solution?", "required": True},
            {"text": "Maturity", "kind": "single", "choices": ["lab", "pilot"]},
        ],
    }
    created = api_as("officer.logrono").post("/api/v1/consultations/", body, format="json")
    assert created.status_code == 201, created.json()
    assert [q["text"] for q in created.json()["questions"]] == ["Solution?", "Maturity"]
    assert (
        api_as("officer.terrassa").post("/api/v1/consultations/", body, format="json").status_code
        == 404
    )
    assert (
        api_as("legal.logrono").post("/api/v1/consultations/", body, format="json").status_code
        == 403
    )
    bad = api_as("officer.logrono").post(
        "/api/v1/consultations/",
        {**body, "closes_at": (opens - dt.timedelta(days=1)).isoformat()},
        format="json",
    )
    assert bad.status_code == 400 and "close after" in bad.json()["detail"]
    one_choice = {**body, "questions": [{"text": "Pick", "kind": "single", "choices": ["only"]}]}
    assert (
        api_as("officer.logrono")
        .post("/api/v1/consultations/", one_choice, format="json")
        .status_code
        == 400
    )
