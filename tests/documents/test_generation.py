"""Documents made by the engine's effects and on demand: once per event, never changed,
readable by the process's city and, when public, by anybody."""

import hashlib

import pytest
from django.contrib.contenttypes.models import ContentType

from documents.models import CityApproval, GeneratedDocument
from documents.services import document_generate, document_pdf_rebuild, documents_for_effect
from documents.tasks import document_generate_task, documents_for_effect_task
from procurement.core.models import AuditEntry
from tests.documents.conftest import pdf_text
from workflows.services import transition_perform

pytestmark = pytest.mark.django_db


def _publish(tender, officer, capture):
    with capture(execute=True):
        transition_perform(process=tender, name="publish_consultation", actor=officer)


def test_publishing_a_consultation_makes_its_public_notice_from_the_approved_template(
    library, consultation_process, django_capture_on_commit_callbacks
):
    _publish(
        consultation_process, library.user("officer.logrono"), django_capture_on_commit_callbacks
    )
    document = GeneratedDocument.objects.get(tender=consultation_process)
    assert document.kind == "consultation_notice" and document.language == "es"
    assert document.status == GeneratedDocument.Status.READY
    assert document.public and document.trigger == "effect:consultation_notice"
    assert document.template_version.template.network.slug == "reci"
    pdf = document.pdf.read()
    assert hashlib.sha256(pdf).hexdigest() == document.sha256
    text = " ".join(pdf_text(pdf).split())
    assert "Sensores de calidad del aire en colegios" in text and "Logroño" in text
    assert document.data["process"]["title"] == "Sensores de calidad del aire en colegios"
    # The snapshot alone makes the same bytes again.
    assert document_pdf_rebuild(document) == pdf


def test_a_retried_generation_task_makes_no_duplicate(
    library, consultation_process, django_capture_on_commit_callbacks
):
    _publish(
        consultation_process, library.user("officer.logrono"), django_capture_on_commit_callbacks
    )
    document = GeneratedDocument.objects.get(tender=consultation_process)
    entry_id = int(document.key.split(":")[1])
    documents_for_effect_task.delay("consultation_notice", consultation_process.pk, entry_id)
    document_generate_task.delay(document.pk)
    again = GeneratedDocument.objects.get(tender=consultation_process)
    assert again.pk == document.pk and again.sha256 == document.sha256
    assert GeneratedDocument.objects.count() == 1


def test_without_an_approved_template_the_document_fails_with_a_clear_reason(
    demo, consultation_process, django_capture_on_commit_callbacks
):
    CityApproval.objects.filter(city__slug="logrono").delete()
    _publish(consultation_process, demo.user("officer.logrono"), django_capture_on_commit_callbacks)
    document = GeneratedDocument.objects.get(tender=consultation_process)
    assert document.status == GeneratedDocument.Status.FAILED
    # The reason is written in the document's language (Spanish for Logroño's documents).
    assert document.language == "es"
    assert "ninguna plantilla aprobada" in document.failure_reason
    assert not document.pdf


def test_the_citys_own_approved_template_wins_over_the_network_default(
    library, consultation_process
):
    from documents.services import template_create
    from tests.documents.test_sharing import _approve

    legal = library.user("legal.logrono")
    own = template_create(
        actor=legal,
        kind="consultation_notice",
        language="es",
        source="# Propio\n{{ process.title }} — {{ city.name }}\n",
    )
    _approve(legal, own)
    step = AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(consultation_process),
        object_id=str(consultation_process.pk),
    ).latest("pk")
    [document] = documents_for_effect(
        effect="consultation_notice", process_id=consultation_process.pk, audit_entry_id=step.pk
    )
    document_generate(document_id=document.pk)
    document.refresh_from_db()
    assert document.template_version.template == own
    assert "Propio" in pdf_text(document.pdf.read())


def test_on_demand_documents_are_private_new_versions(
    library, consultation_process, api_as, django_capture_on_commit_callbacks
):
    api = api_as("officer.logrono")
    with django_capture_on_commit_callbacks(execute=True):
        first = api.post(
            f"/api/v1/tenders/{consultation_process.pk}/documents/", {"kind": "pcap"}, format="json"
        )
        second = api.post(
            f"/api/v1/tenders/{consultation_process.pk}/documents/", {"kind": "pcap"}, format="json"
        )
    assert first.status_code == 202 and second.status_code == 202
    one, two = (api.get(f"/api/v1/documents/{r.json()['id']}/").json() for r in (first, second))
    assert (one["number"], two["number"]) == (1, 2)
    assert one["status"] == "ready" and len(one["sha256"]) == 64
    assert one["template_version"]["number"] == 1
    assert not one["public"]
    pdf = api.get(f"/api/v1/documents/{one['id']}/pdf/")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert hashlib.sha256(b"".join(pdf.streaming_content)).hexdigest() == one["sha256"]


def test_another_citys_people_and_strangers_get_404_for_private_documents(
    library, consultation_process, api_as
):
    made = (
        api_as("officer.logrono")
        .post(
            f"/api/v1/tenders/{consultation_process.pk}/documents/", {"kind": "ppt"}, format="json"
        )
        .json()
    )
    for who in ("officer.terrassa", "legal.terrassa", "supplier.acme", None):
        api = api_as(who)
        assert api.get(f"/api/v1/documents/{made['id']}/").status_code == 404
        assert api.get(f"/api/v1/documents/{made['id']}/pdf/").status_code == 404
    assert (
        api_as("officer.terrassa")
        .post(
            f"/api/v1/tenders/{consultation_process.pk}/documents/", {"kind": "ppt"}, format="json"
        )
        .status_code
        == 404
    )
    assert api_as("legal.logrono").get(f"/api/v1/documents/{made['id']}/").status_code == 200


def test_public_documents_are_readable_by_anyone_and_verifiable_by_their_hash(
    library, consultation_process, api_as, client, django_capture_on_commit_callbacks
):
    _publish(
        consultation_process, library.user("officer.logrono"), django_capture_on_commit_callbacks
    )
    document = GeneratedDocument.objects.get(tender=consultation_process)
    anonymous = api_as(None)
    assert anonymous.get(f"/api/v1/documents/{document.pk}/").json()["sha256"] == document.sha256
    assert anonymous.get(f"/api/v1/documents/{document.pk}/pdf/").status_code == 200
    listed = anonymous.get(f"/api/v1/tenders/{consultation_process.pk}/documents/").json()
    assert [d["id"] for d in listed["results"]] == [document.pk]
    page = client.get("/documents/verify/", {"sha256": document.sha256})
    assert page.status_code == 200 and b'data-testid="verified"' in page.content
    assert b"not-verified" in client.get("/documents/verify/", {"sha256": "0" * 64}).content


def test_listing_a_process_documents_takes_constant_queries(
    library, consultation_process, api_as, django_assert_max_num_queries
):
    api = api_as("officer.logrono")
    for kind in ("pcap", "ppt", "contract"):
        api.post(
            f"/api/v1/tenders/{consultation_process.pk}/documents/", {"kind": kind}, format="json"
        )
    with django_assert_max_num_queries(12):
        response = api.get(f"/api/v1/tenders/{consultation_process.pk}/documents/")
    assert response.json()["count"] == 3


def test_the_seed_remakes_documents_that_failed_before_templates_existed(
    demo, consultation_process, django_capture_on_commit_callbacks
):
    from documents import demo as documents_demo

    _publish(consultation_process, demo.user("officer.logrono"), django_capture_on_commit_callbacks)
    assert GeneratedDocument.objects.get().status == "failed"
    documents_demo.seed()
    statuses = list(GeneratedDocument.objects.order_by("number").values_list("number", "status"))
    assert statuses == [(1, "failed"), (2, "ready")]
    documents_demo.seed()
    assert GeneratedDocument.objects.count() == 2
