"""A step's documents raise ``document_ready`` once stored, and the step's OCDS release is
written then, listing them: never before, never twice."""

import importlib
import json

import pytest
from django.apps import apps

from documents.models import GeneratedDocument
from documents.tasks import documents_for_effect_task
from procurement.core.models import AuditEntry
from publication.models import OcdsRelease
from publication.ocds.tasks import ocds_release_write_task
from tests.factories.tenders import make_tender
from workflows.models import PendingEffect
from workflows.services import transition_perform

pytestmark = pytest.mark.django_db


def _step(tender, name: str) -> AuditEntry:
    return AuditEntry.objects.get(object_id=str(tender.pk), name=name, action="transition")


def test_the_release_of_a_step_waits_for_its_documents_and_lists_them(
    library, consultation_process, django_capture_on_commit_callbacks
):
    tender = consultation_process
    with django_capture_on_commit_callbacks(execute=False):  # committed, not dispatched yet
        transition_perform(
            process=tender, name="publish_consultation", actor=library.user("officer.logrono")
        )
    entry = _step(tender, "publish_consultation")

    # Open data's own effect comes first: the notice is not made yet, so nothing is written.
    ocds_release_write_task.delay(tender.pk, entry.pk, "consultation_notice")
    assert not OcdsRelease.objects.filter(tender=tender).exists()

    # The notice is made; storing it raises document_ready, whose handler writes the release.
    with django_capture_on_commit_callbacks(execute=True):
        documents_for_effect_task.delay("consultation_notice", tender.pk, entry.pk)
    document = GeneratedDocument.objects.get(tender=tender)
    assert document.status == "ready" and document.audit_entry == entry
    ready = PendingEffect.objects.get(audit_entry_id=entry.pk, effect="document_ready")
    assert (ready.model, ready.object_pk) == ("tenders.Tender", str(tender.pk))
    assert ready.dispatched_at is not None
    release = OcdsRelease.objects.get(tender=tender, audit_entry=entry)
    assert f'"doc-{document.pk}"' in json.dumps(release.data)
    assert document.sha256 in json.dumps(release.data)

    # Delivered again (a retry, a late relay): no second document, effect or release.
    with django_capture_on_commit_callbacks(execute=True):
        documents_for_effect_task.delay("consultation_notice", tender.pk, entry.pk)
        ocds_release_write_task.delay(tender.pk, entry.pk, "document_ready")
        ocds_release_write_task.delay(tender.pk, entry.pk, "consultation_notice")
    assert GeneratedDocument.objects.filter(tender=tender).count() == 1
    assert PendingEffect.objects.filter(effect="document_ready").count() == 1
    assert OcdsRelease.objects.filter(tender=tender).count() == 1


def test_a_document_that_failed_does_not_hold_the_release_back(
    demo, consultation_process, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        transition_perform(
            process=consultation_process,
            name="publish_consultation",
            actor=demo.user("officer.logrono"),
        )
    assert GeneratedDocument.objects.get(tender=consultation_process).status == "failed"
    release = OcdsRelease.objects.get(
        tender=consultation_process, audit_entry=_step(consultation_process, "publish_consultation")
    )
    assert "doc-" not in json.dumps(release.data)


def test_a_published_step_that_makes_no_document_is_released_at_once(
    demo, django_capture_on_commit_callbacks
):
    tender = make_tender(city=demo.city("logrono"), state="need_validated")
    with django_capture_on_commit_callbacks(execute=True):
        transition_perform(
            process=tender, name="publish_demand_map", actor=demo.user("officer.logrono")
        )
    assert OcdsRelease.objects.filter(
        tender=tender, audit_entry=_step(tender, "publish_demand_map")
    ).exists()
    assert not PendingEffect.objects.filter(effect="document_ready").exists()


def test_the_migration_links_earlier_documents_to_their_step_from_their_key(
    demo, consultation_process, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        transition_perform(
            process=consultation_process,
            name="publish_consultation",
            actor=demo.user("officer.logrono"),
        )
    entry = _step(consultation_process, "publish_consultation")
    GeneratedDocument.objects.update(audit_entry=None)
    keys = [f"retry:effect:{entry.pk}:consultation_notice", "order:made-on-demand"]
    keys.append(f"effect:{entry.pk + 10**9}:consultation_notice")  # no such step
    for number, key in enumerate(keys, start=2):
        GeneratedDocument.objects.create(
            key=key,
            tender=consultation_process,
            kind="consultation_notice",
            language="es",
            number=number,
            trigger="test",
            verification_code=f"CODE-{number}",
        )
    migration = importlib.import_module(
        "documents.migrations.0003_generateddocument_audit_entry_and_new_kinds"
    )
    migration.link_documents_to_their_steps(apps, None)
    linked = dict(GeneratedDocument.objects.values_list("key", "audit_entry_id"))
    assert linked[f"effect:{entry.pk}:consultation_notice"] == entry.pk
    assert linked[keys[0]] == entry.pk
    assert linked[keys[1]] is None and linked[keys[2]] is None
