"""Open data: an OCDS release for every published step, records compiled from them, every package
valid against the official OCDS 1.1.5 schema, and nothing confidential in any of it."""

import datetime as dt
import json
import os
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from procurement.core.models import AuditEntry
from publication.models import OcdsRelease
from tenders.consultation.services import consultation_report_save, question_summary_save
from tenders.models import Tender
from tests.conftest import module_media_root, module_world
from tests.factories.tenders import make_tender
from workflows.registry import MACHINES
from workflows.services import fire_due_events, process_fire_due, transition_perform

SECRET = "calibración por aprendizaje automático"
DAY = dt.timedelta(days=1)


def _schemas_or_skip() -> None:
    folder = Path(settings.OCDS_SCHEMA_DIR)
    if not (folder / "release-package-schema.json").is_file():
        message = (
            f"the official OCDS 1.1.5 schemas are missing from OCDS_SCHEMA_DIR={folder}: "
            "copy ../shared/ocds there or set OCDS_SCHEMA_DIR"
        )
        if os.environ.get("OPENCPI_REQUIRE_SERVICES") == "1":
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(scope="module")
def _world_folder(tmp_path_factory):
    return tmp_path_factory.mktemp("ocds-world")


@pytest.fixture(scope="module")
def _world(django_db_setup, django_db_blocker, _world_folder):
    """The published world below, made once for the module (see ``module_world``)."""
    from django.test import TestCase

    from procurement.accounts import demo as accounts_demo
    from tests.conftest import Demo

    with module_world(django_db_blocker, _world_folder):
        accounts_demo.seed()
        yield _published_world(Demo(), TestCase.captureOnCommitCallbacks)


@pytest.fixture(autouse=True)
def _media_root(_world_folder, settings):
    module_media_root(settings, _world_folder)


@pytest.fixture
def published(_world, db) -> dict:
    """The demo processes with the documents library, every after-commit effect run (so each
    published step wrote its release), then taken further: the consultation's report published,
    a PCP from its call to its first contracts, a need cancelled after publication, and a PCP
    call declared void."""
    from tenders.models import Consultation

    return {
        "consultation": Consultation.objects.get(pk=_world["consultation"]),
        **{key: Tender.objects.get(pk=_world[key]) for key in ("pcp", "need", "void")},
    }


def _published_world(demo, django_capture_on_commit_callbacks) -> dict:
    """The demo processes with the documents library, every after-commit effect run (so each
    published step wrote its release), then taken further: the consultation's report published,
    a PCP from its call to its first contracts, a need cancelled after publication, and a PCP
    call declared void."""
    from documents import demo as documents_demo
    from tenders import demo as tenders_demo

    with django_capture_on_commit_callbacks(execute=True):
        documents_demo.seed()
        tenders_demo.seed()
    officer = demo.user("officer.logrono")
    committee = demo.user("committee.logrono")

    # The open consultation closes and its report is published.
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

    # A PCP from its call to the phase-1 contracts.
    start = after + DAY
    pcp = make_tender(
        city=demo.city("logrono"),
        procedure="pcp",
        state="file_approved",
        title="Semáforos que dan prioridad a los autobuses",
        cpv_codes=["73100000-3", "73120000-9"],  # a PCP buys R&D services only (LCSP art. 8)
    )
    with django_capture_on_commit_callbacks(execute=True):
        pcp = transition_perform(
            process=pcp,
            name="publish_call",
            actor=officer,
            now=start,
            data={"submission_deadline": (start + 40 * DAY).isoformat()},
        )
        pcp = transition_perform(
            process=pcp,
            name="extend_deadline",
            actor=officer,
            now=start + DAY,
            reason="Más tiempo para consorcios.",
            data={"submission_deadline": (start + 45 * DAY).isoformat()},
        )
    process_fire_due(model=Tender, pk=pcp.pk, now=start + 46 * DAY)
    pcp.refresh_from_db()
    suppliers = [demo.supplier(s).pk for s in ("acme", "nova", "unirioja")]
    with django_capture_on_commit_callbacks(execute=True):
        for pk in suppliers:
            pcp = transition_perform(
                process=pcp,
                name="register_applicant",
                actor=officer,
                reason="Received on paper at the registry during a platform outage.",
                now=start + 47 * DAY,
                data={"supplier": pk},
            )
        pcp = transition_perform(
            process=pcp,
            name="select_suppliers",
            actor=committee,
            now=start + 50 * DAY,
            data={"suppliers": suppliers},
        )
        transition_perform(
            process=pcp,
            name="start_phase1",
            actor=officer,
            now=start + 55 * DAY,
            data={"phase_ends_at": (start + 200 * DAY).isoformat()},
        )

    # A need published in the early demand map, then cancelled.
    need = make_tender(city=demo.city("logrono"), title="Bancos que miden el calor")
    with django_capture_on_commit_callbacks(execute=True):
        need = transition_perform(process=need, name="validate_need", actor=officer, now=start)
        need = transition_perform(
            process=need, name="publish_demand_map", actor=officer, now=start + DAY
        )
        transition_perform(
            process=need,
            name="cancel",
            actor=officer,
            now=start + 2 * DAY,
            reason="El área metropolitana lo comprará para todos.",
        )

    # A PCP call nobody answered: declared void.
    void = make_tender(
        city=demo.city("logrono"), procedure="pcp", state="file_approved", title="Drones de riego"
    )
    with django_capture_on_commit_callbacks(execute=True):
        void = transition_perform(
            process=void,
            name="publish_call",
            actor=officer,
            now=start,
            data={"submission_deadline": (start + 40 * DAY).isoformat()},
        )
    process_fire_due(model=Tender, pk=void.pk, now=start + 41 * DAY)
    void.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        transition_perform(
            process=void,
            name="declare_void",
            actor=officer,
            now=start + 42 * DAY,
            reason="Ninguna oferta recibida.",
        )
    return {"consultation": consultation.pk, "pcp": pcp.pk, "need": need.pk, "void": void.pk}


def _records_package(api) -> list[dict]:
    ocids = sorted(set(OcdsRelease.objects.values_list("ocid", flat=True)))
    return [api.get(f"/api/v1/ocds/records/{ocid}/").json() for ocid in ocids]


def _all_release_pages(api) -> list[dict]:
    pages, url = [], "/api/v1/ocds/releases/?page_size=10"
    while url:
        body = api.get(url).json()
        pages.append(body)
        url = body.get("links", {}).get("next")
    return pages


def test_every_release_and_record_package_from_the_demo_is_valid_ocds(published, api_as):
    _schemas_or_skip()
    from publication.ocds.validation import closed_codelist_errors, package_errors

    api = api_as(None)
    release_pages = _all_release_pages(api)
    assert sum(len(p["releases"]) for p in release_pages) == OcdsRelease.objects.count() >= 12
    for package in release_pages:
        assert package_errors(package, kind="release") == []
        assert closed_codelist_errors(package) == []
    records = _records_package(api)
    assert len(records) >= 6
    for package in records:
        assert package_errors(package, kind="record") == []
        assert closed_codelist_errors(package) == []


def test_the_validator_catches_schema_errors_and_closed_codelist_values(published, api_as):
    _schemas_or_skip()
    from publication.ocds.validation import closed_codelist_errors, package_errors

    package = api_as(None).get("/api/v1/ocds/releases/").json()
    package["releases"][0]["tender"]["status"] = "consultation"
    del package["releases"][0]["initiationType"]
    assert any("initiationType" in error for error in package_errors(package))
    assert closed_codelist_errors(package) == [
        f"{package['releases'][0]['id']}/tender/status: 'consultation' is not in the closed "
        "codelist tenderStatus.csv"
    ]


def test_the_codes_the_builder_writes_are_in_the_closed_codelists():
    _schemas_or_skip()
    from publication.ocds.builder import (
        AWARD_STATUS,
        CLOSED_CODES,
        OPEN_CODES,
        RELEASE_TAG_BY_EFFECT,
    )
    from publication.ocds.schema import codelist
    from tenders.procedures import STATES

    for name, codes in (CLOSED_CODES | OPEN_CODES).items():
        assert codes <= codelist(name), f"{sorted(codes - codelist(name))} not in {name}"
    # Every code the builder's tables can write is listed for the check above.
    assert {tag for _effect, tag in RELEASE_TAG_BY_EFFECT} <= CLOSED_CODES["releaseTag.csv"]
    assert set(AWARD_STATUS.values()) <= CLOSED_CODES["awardStatus.csv"]
    assert {state.ocds_status for state in STATES} <= (CLOSED_CODES["tenderStatus.csv"])


AWARDED = "Plataforma de gestión de la demanda energética municipal"
IN_EVALUATION = "Semáforos que dan prioridad a los autobuses urbanos"
ACME = "Acme Smart Solutions S.L."
NOVA = "Nova Urban Robotics S.L."


def _sealed_texts() -> list[str]:
    """What only the bids' envelopes, their digests and the committee's scores hold."""
    from tenders.demo import BIDS
    from tenders.models import Bid, Score

    texts = ["DEUC firmado."]
    texts += [plan for plan, _amount, _years in BIDS.values()]
    texts += list(Score.objects.values_list("justification", flat=True).distinct())
    texts += [d for b in Bid.objects.all() for d in (b.digest_a, b.digest_b, b.digest_c) if d]
    return texts


def test_the_awarded_cpti_process_publishes_its_lots_criteria_bidders_award_and_contract(
    published, api_as
):
    _schemas_or_skip()
    from publication.ocds.validation import closed_codelist_errors, package_errors

    tender = Tender.objects.get(title=AWARDED)
    ocid = f"{settings.OCDS_OCID_PREFIX}-{tender.pk}"
    releases = OcdsRelease.objects.filter(ocid=ocid).order_by("date", "pk")
    steps = [(r.audit_entry.name, r.tag[0]) for r in releases]
    assert steps[0] == ("publish_tender", "tender")
    assert ("award", "award") in steps and steps[-1] == ("sign_contract", "contract")
    # Proposals and requests for documents are internal: no release of their own.
    assert not {"request_documents", "receive_documents"} & {name for name, _tag in steps}
    package = api_as(None).get(f"/api/v1/ocds/records/{ocid}/").json()
    assert package_errors(package, kind="record") == []
    assert closed_codelist_errors(package) == []
    for release in package["records"][0]["releases"]:
        assert "awards" not in release or release["tag"] in (["award"], ["contract"])
    compiled = package["records"][0]["compiledRelease"]

    (lot,) = compiled["tender"]["lots"]
    assert lot == {
        "id": "lot-1",
        "title": "Suministro, instalación y mantenimiento",
        "value": {"amount": 160000.0, "currency": "EUR"},
        "status": "complete",
    }
    assert compiled["tender"]["awardCriteria"] == "ratedCriteria"
    details = compiled["tender"]["awardCriteriaDetails"]
    for name, weight in (("Calidad técnica e innovación", 40), ("Precio", 50), ("Garantía", 10)):
        assert name in details and f", {weight} " in details
    assert [t["name"] for t in compiled["tender"]["tenderers"]] == [ACME, NOVA]
    assert compiled["tender"]["numberOfTenderers"] == 2

    (award,) = compiled["awards"]
    assert award["status"] == "active" and award["relatedLots"] == ["lot-1"]
    assert [s["name"] for s in award["suppliers"]] == [ACME]
    assert award["value"] == {"amount": 150000.0, "currency": "EUR"}
    assert any(d["documentType"] == "awardNotice" for d in award["documents"])
    (contract,) = compiled["contracts"]
    assert contract["awardID"] == award["id"] and contract["status"] == "active"
    assert contract["value"] == award["value"] and contract["dateSigned"]
    roles = {p["name"]: p["roles"] for p in compiled["parties"]}
    assert roles[ACME] == ["supplier", "tenderer"] and roles[NOVA] == ["tenderer"]
    # Envelopes, digests and scores stay out, even once the award is public.
    text = json.dumps(package, ensure_ascii=False)
    for sealed in _sealed_texts():
        assert sealed not in text
    assert "points" not in json.dumps(compiled["awards"])


def test_a_process_in_evaluation_shows_who_bid_and_nothing_sealed(published, api_as, client):
    _schemas_or_skip()
    from publication.ocds.validation import closed_codelist_errors, package_errors

    tender = Tender.objects.get(title=IN_EVALUATION)
    assert tender.status == "tech_opened"
    ocid = f"{settings.OCDS_OCID_PREFIX}-{tender.pk}"
    releases = {
        r.audit_entry.name: r.data for r in OcdsRelease.objects.filter(ocid=ocid).order_by("pk")
    }
    # Who bid is secret until the bids close; then only names.
    assert "tenderers" not in releases["publish_tender"]["tender"]
    assert [t["name"] for t in releases["check_admin"]["tender"]["tenderers"]] == [ACME, NOVA]
    assert releases["publish_tender"]["tender"]["lots"][0]["status"] == "active"
    assert "Precio" in releases["publish_tender"]["tender"]["awardCriteriaDetails"]
    package = api_as(None).get(f"/api/v1/ocds/records/{ocid}/").json()
    assert package_errors(package, kind="record") == []
    assert closed_codelist_errors(package) == []
    compiled = package["records"][0]["compiledRelease"]
    assert "awards" not in compiled and "contracts" not in compiled
    outputs = [json.dumps(package, ensure_ascii=False)]
    outputs.append(client.get("/portal/feed/").content.decode())
    page = client.get(f"/portal/processes/{tender.pk}/")
    assert page.status_code == 200
    outputs.append(page.content.decode())
    for text in outputs:
        for sealed in _sealed_texts():
            assert sealed not in text, f"sealed data reached the open data: {sealed[:40]}"
    # The two offers in envelope C (150000 and 158000) are not there either.
    assert "150000" not in outputs[0] and "158000" not in outputs[0]


def test_the_planning_process_shows_need_consultation_and_report(published, api_as):
    consultation = published["consultation"]
    tender = consultation.tender
    ocid = f"{settings.OCDS_OCID_PREFIX}-{tender.pk}-planning"
    releases = list(OcdsRelease.objects.filter(ocid=ocid).order_by("date", "pk"))
    steps = [r.audit_entry.name for r in releases]
    assert steps == [
        "publish_demand_map",
        "publish_consultation",
        "open_consultation",
        "close_consultation",
        "publish_report",
    ]
    assert [r.tag for r in releases][:2] == [["planning"], ["planningUpdate"]]
    record = api_as(None).get(f"/api/v1/ocds/records/{ocid}/").json()["records"][0]
    compiled = record["compiledRelease"]
    assert compiled["tender"]["status"] == "planning"
    types = {d["documentType"] for d in compiled["planning"]["documents"]}
    assert {"needsAssessment", "plannedProcurementNotice", "marketStudies"} <= types
    generated = [d for d in compiled["planning"]["documents"] if d["id"].startswith("doc-")]
    assert generated and all(d["hash"].startswith("sha256:") for d in generated)
    (milestone,) = compiled["planning"]["milestones"]
    assert milestone["type"] == "engagement" and milestone["status"] == "met"
    assert [c["id"] for c in compiled["tender"]["items"][0]["additionalClassifications"]] == [
        "48810000-9"
    ]


def test_the_tender_process_links_its_planning_and_carries_awards_and_contracts(published, api_as):
    pcp = published["pcp"]
    ocid = f"{settings.OCDS_OCID_PREFIX}-{pcp.pk}"
    tags = [r.tag[0] for r in OcdsRelease.objects.filter(ocid=ocid).order_by("date", "pk")]
    assert tags == ["tender", "tenderUpdate", "award", "contract"]
    compiled = (
        api_as(None).get(f"/api/v1/ocds/records/{ocid}/").json()["records"][0]["compiledRelease"]
    )
    assert compiled["tender"]["status"] == "complete"
    assert compiled["tender"]["procurementMethod"] == "selective"
    assert compiled["tender"]["tenderPeriod"]["endDate"].startswith(
        (pcp.first_published_at + 44 * DAY).date().isoformat()[:4]
    )
    (award,) = compiled["awards"]
    assert sorted(s["name"] for s in award["suppliers"]) == [
        "Acme Smart Solutions S.L.",
        "Nova Urban Robotics S.L.",
        "Universidad de La Rioja",
    ]
    (contract,) = compiled["contracts"]
    assert contract["awardID"] == award["id"] and contract["status"] == "active"
    roles = {p["id"]: p["roles"] for p in compiled["parties"]}
    assert roles[f"city-{pcp.city.slug}"] == ["buyer", "procuringEntity"]
    assert compiled["tender"]["numberOfTenderers"] == 3

    # The consultation's process has no tender yet; a process with a published planning stage
    # points to it from the tender process.
    air = published["consultation"].tender
    assert not OcdsRelease.objects.filter(ocid=f"{settings.OCDS_OCID_PREFIX}-{air.pk}").exists()


def test_related_processes_link_the_tender_to_its_planning_process(demo, api_as):
    from publication.ocds.builder import release_build

    officer = demo.user("officer.logrono")
    tender = make_tender(
        city=demo.city("logrono"), procedure="pcp", state="file_approved", through="demand_map"
    )
    tender = transition_perform(
        process=tender,
        name="publish_call",
        actor=officer,
        data={"submission_deadline": (timezone.now() + 60 * DAY).isoformat()},
    )
    entry = AuditEntry.objects.filter(name="publish_call", object_id=str(tender.pk)).get()
    release = release_build(tender=tender, entry=entry, first_in_ocid=True)
    assert release["tag"] == ["tender"]
    assert release["relatedProcesses"] == [
        {
            "id": "planning",
            "relationship": ["planning"],
            "title": tender.title,
            "scheme": "ocid",
            "identifier": f"{settings.OCDS_OCID_PREFIX}-{tender.pk}-planning",
            "uri": f"{settings.OPENCPI_PUBLIC_URL}/api/v1/ocds/records/"
            f"{settings.OCDS_OCID_PREFIX}-{tender.pk}-planning/",
        }
    ]


def test_cancelled_and_void_processes_close_their_ocds_process(published):
    prefix = settings.OCDS_OCID_PREFIX
    need = OcdsRelease.objects.filter(ocid=f"{prefix}-{published['need'].pk}-planning")
    assert [r.data["tender"]["status"] for r in need.order_by("date")] == [
        "planning",
        "withdrawn",
    ]
    void = OcdsRelease.objects.filter(ocid=f"{prefix}-{published['void'].pk}").order_by("date")
    assert [r.data["tender"]["status"] for r in void] == ["active", "unsuccessful"]
    # Terrassa's process was cancelled before anything of it was published: no release.
    hidden = Tender.objects.get(title="Plataforma de gemelo digital del alcantarillado")
    assert not hidden.ocds_releases.exists()


def test_no_confidential_answer_sealed_envelope_or_unpublished_document_reaches_open_data(
    published, api_as, client, tmp_path
):
    from documents.models import GeneratedDocument
    from tenders.models import Answer

    assert Answer.objects.filter(confidential=True, value__icontains="aprendizaje").exists()
    private = GeneratedDocument.objects.filter(
        public=False
    ).first() or GeneratedDocument.objects.create(
        key="test:private",
        tender=published["pcp"],
        kind="justification_memo",
        language="es",
        number=99,
        status="pending",
        verification_code="PRIVATE-CODE",
    )
    api = api_as(None)
    outputs = [json.dumps(p, ensure_ascii=False) for p in _all_release_pages(api)]
    outputs += [json.dumps(p, ensure_ascii=False) for p in _records_package(api)]
    call_command("export_ocds", str(tmp_path / "export"))
    outputs += [p.read_text(encoding="utf-8") for p in (tmp_path / "export").rglob("*.json")]
    outputs.append(client.get("/portal/feed/").content.decode())
    pages = ["/portal/", "/portal/cities/logrono/", "/portal/indicators/"]
    pages += [
        f"/portal/processes/{pk}/"
        for pk in Tender.objects.filter(first_published_at__isnull=False).values_list(
            "pk", flat=True
        )
    ]
    consultation = published["consultation"]
    pages.append(f"/portal/consultations/{consultation.pk}/report/")
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        outputs.append(response.content.decode())
    from tenders.models import Bid

    sealed = [d for b in Bid.objects.all() for d in (b.digest_a, b.digest_b, b.digest_c) if d]
    assert sealed
    for text in outputs:
        for digest in sealed:
            assert digest not in text, "a sealed envelope's digest reached the open data"
        for content in _sealed_texts():
            assert content not in text, "an envelope's content or a score reached the open data"
        assert SECRET not in text, "a confidential answer reached the open data"
        assert "aprendizaje automático" not in text
        assert f"/documents/{private.pk}/pdf/" not in text, "an unpublished document leaked"
        assert private.verification_code not in text
        assert "Piloto en entorno real" not in text, "a supplier's answer reached the open data"


def test_a_retried_task_writes_no_second_release(published):
    from publication.ocds.services import ocds_release_write
    from publication.ocds.tasks import ocds_release_write_task

    release = OcdsRelease.objects.order_by("pk").first()
    count = OcdsRelease.objects.count()
    ocds_release_write_task.delay(release.tender_id, release.audit_entry_id, "publication")
    again = ocds_release_write(tender_id=release.tender_id, audit_entry_id=release.audit_entry_id)
    assert again.pk == release.pk and OcdsRelease.objects.count() == count


def test_releases_are_append_only(published):
    from publication.models import AppendOnly

    release = OcdsRelease.objects.first()
    release.data = {}
    with pytest.raises(AppendOnly):
        release.save()
    with pytest.raises(AppendOnly):
        release.delete()
    with pytest.raises(AppendOnly):
        OcdsRelease.objects.filter(pk=release.pk).update(data={})
    with pytest.raises(AppendOnly):
        OcdsRelease.objects.all().delete()


def test_release_list_filters_by_city_and_since(published, api_as):
    api = api_as(None)
    everything = api.get("/api/v1/ocds/releases/?page_size=100").json()["releases"]
    logrono = api.get("/api/v1/ocds/releases/?city=logrono&page_size=100").json()["releases"]
    terrassa = api.get("/api/v1/ocds/releases/?city=terrassa&page_size=100").json()["releases"]
    assert len(everything) == len(logrono) + len(terrassa) and logrono
    latest = OcdsRelease.objects.order_by("-created_at").first()
    since = api.get("/api/v1/ocds/releases/", {"since": latest.created_at.isoformat()}).json()
    assert latest.release_id in [r["id"] for r in since["releases"]]
    refused = api.get("/api/v1/ocds/releases/?since=yesterday")
    assert refused.status_code == 400 and "since" in refused.json()["detail"]
    assert api.get("/api/v1/ocds/records/ocds-nothing-1/").status_code == 404


def test_ocds_endpoints_run_a_constant_number_of_queries(published, api_as):
    api = api_as(None)
    with CaptureQueriesContext(connection) as few:
        api.get("/api/v1/ocds/releases/?page_size=2")
    with CaptureQueriesContext(connection) as many:
        api.get("/api/v1/ocds/releases/?page_size=100")
    # The whole list on one page needs no count: one query fewer, never more.
    assert len(many) <= len(few) <= 3
    pcp = published["pcp"]
    with CaptureQueriesContext(connection) as record:
        api.get(f"/api/v1/ocds/records/{settings.OCDS_OCID_PREFIX}-{pcp.pk}/")
    assert len(record) <= 2


def test_export_writes_release_and_record_packages(published, tmp_path):
    _schemas_or_skip()
    from publication.ocds.validation import package_errors

    folder = tmp_path / "ocds"
    call_command("export_ocds", str(folder))
    releases = json.loads((folder / "releases.json").read_text())
    assert len(releases["releases"]) == OcdsRelease.objects.count()
    assert package_errors(releases, kind="release") == []
    records = json.loads((folder / "records.json").read_text())
    assert package_errors(records, kind="record") == []
    assert len(list((folder / "records").glob("*.json"))) == len(records["records"])
