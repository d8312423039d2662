"""The web pages of a PCP's phases: who may read them (the same 404 for another city's officer
and for a supplier reaching for another's offer or contract) and refused forms that keep what
was typed (#16)."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from tenders.phases.models import Phase, PhaseContract, PhaseOffer
from tenders.phases.services import (
    contract_draft,
    phase_criterion_save,
    phase_offer_save,
    phase_save,
)
from tests.factories.tenders import make_tender
from tests.factories.walks import walk_to

pytestmark = pytest.mark.django_db


@pytest.fixture
def pcp(demo):
    """A PCP of Logroño whose call defines one phase with one criterion, still drafted."""
    officer = demo.user("officer.logrono")
    tender = make_tender(city=demo.city("logrono"), procedure="pcp", state="procedure_chosen")
    phase = phase_save(
        actor=officer,
        tender=tender,
        name="Diseño de la solución",
        duration_days=60,
        max_budget_per_supplier="50000",
        max_suppliers=3,
    )
    phase_criterion_save(actor=officer, phase=phase, name="Viabilidad", weight="60", threshold="30")
    return tender


@pytest.fixture
def acme_offer(demo, pcp) -> PhaseOffer:
    tender = walk_to(pcp, "call_published")
    return phase_offer_save(
        actor=demo.user("supplier.acme"),
        tender=tender,
        rd_plan="Plan de I+D de Acme.",
        team="Dos doctores.",
        prices={"1": "45000"},
    )


@pytest.fixture
def acme_contract(demo, pcp) -> PhaseContract:
    """Acme's drafted (unsigned) contract for phase 1, at the phase's budget."""
    phase = Phase.objects.get(tender=pcp, number=1)
    return contract_draft(phase=phase, supplier_id=demo.supplier("acme").pk, at=timezone.now())


def test_the_officer_defines_a_phase_on_the_phases_page(pcp, login):
    client = login("officer.logrono")
    response = client.post(
        reverse("tender-phases", args=[pcp.pk]),
        {
            "form": "phase",
            "name": "Prototipo",
            "objectives": "Un prototipo en el laboratorio.",
            "duration_days": "120",
            "max_budget_per_supplier": "150.000,00",
            "max_suppliers": "2",
        },
    )
    assert response.status_code == 302
    phase = pcp.phases.get(number=2)
    assert phase.max_budget_per_supplier == Decimal("150000")
    page = client.get(reverse("tender-phases", args=[pcp.pk])).content.decode()
    assert "Prototipo" in page and "Viabilidad" in page


def test_another_citys_officer_gets_404_on_the_phases_page_and_its_forms(pcp, login):
    client = login("officer.terrassa")
    url = reverse("tender-phases", args=[pcp.pk])
    assert client.get(url).status_code == 404
    response = client.post(
        url,
        {
            "form": "phase",
            "name": "Intrusa",
            "duration_days": "10",
            "max_budget_per_supplier": "1000",
            "max_suppliers": "1",
        },
    )
    assert response.status_code == 404
    assert pcp.phases.count() == 1


def test_another_citys_officer_gets_404_on_an_unsigned_phase_contract(acme_contract, login):
    client = login("officer.terrassa")
    url = reverse("phase-contract", args=[acme_contract.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"form": "milestone", "id": "1", "move": "accept"}).status_code == 404


def test_a_supplier_cannot_read_another_suppliers_offer_or_contract(
    acme_offer, acme_contract, login
):
    client = login("supplier.nova")
    assert client.get(reverse("phase-offer-detail", args=[acme_offer.pk])).status_code == 404
    assert client.get(reverse("phase-offer-confirm", args=[acme_offer.pk])).status_code == 404
    assert client.post(reverse("phase-offer-files", args=[acme_offer.pk])).status_code == 404
    assert client.get(reverse("phase-contract", args=[acme_contract.pk])).status_code == 404
    # Its own offer page shows nothing of Acme's.
    page = client.get(reverse("phase-offer", args=[acme_offer.tender_id])).content.decode()
    assert "Plan de I+D de Acme." not in page


def test_the_city_cannot_read_an_offer_while_the_call_is_open(acme_offer, login):
    client = login("officer.logrono")
    assert client.get(reverse("phase-offer-detail", args=[acme_offer.pk])).status_code == 404
    page = client.get(reverse("tender-phases", args=[acme_offer.tender_id])).content.decode()
    assert "sealed until the call closes" in page and "Acme" not in page


def test_the_supplier_reads_its_own_offer_and_its_draft_contract(acme_offer, acme_contract, login):
    client = login("supplier.acme")
    page = client.get(reverse("phase-offer-detail", args=[acme_offer.pk])).content.decode()
    assert "Plan de I+D de Acme." in page
    contract = client.get(reverse("phase-contract", args=[acme_contract.pk]))
    assert contract.status_code == 200
    assert "Interim payment" in contract.content.decode()


def test_a_refused_criterion_keeps_what_was_typed_and_says_why(pcp, login):
    client = login("officer.logrono")
    phase = pcp.phases.get(number=1)
    response = client.post(
        reverse("tender-phases", args=[pcp.pk]),
        {
            "form": "criterion",
            "phase_id": str(phase.pk),
            "name": "Umbral imposible",
            "weight": "10",
            "threshold": "11",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'value="Umbral imposible"' in page and 'value="11"' in page
    assert f'id="criterion-{phase.pk}-threshold_error"' in page
    assert "cannot exceed" in page
    assert phase.criteria.count() == 1


def test_a_refused_offer_keeps_its_plan_and_prices_and_names_the_budget(acme_offer, login):
    client = login("supplier.nova")
    response = client.post(
        reverse("phase-offer", args=[acme_offer.tender_id]),
        {
            "action": "save",
            "rd_plan": "Plan de Nova: sensores y piloto.",
            "team": "Tres ingenieras.",
            "price_1": "60.000,00",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Plan de Nova: sensores y piloto." in page and 'value="60.000,00"' in page
    assert 'id="offer-price_1_error"' in page
    assert not PhaseOffer.objects.filter(supplier__slug="nova").exists()


def test_refused_milestones_keep_their_rows_and_say_they_must_add_up(acme_contract, login):
    client = login("officer.logrono")
    data = {
        "form": "terms",
        "m-TOTAL_FORMS": "2",
        "m-INITIAL_FORMS": "0",
        "m-MIN_NUM_FORMS": "0",
        "m-MAX_NUM_FORMS": "50",
        "m-0-title": "Informe de diseño",
        "m-0-amount": "20.000,00",
        "m-0-due_date": "2027-02-01",
        "m-0-deliverable": "Informe de diseño",
        "m-1-title": "",
        "m-1-amount": "",
        "m-1-due_date": "",
        "m-1-deliverable": "",
        "ipr_owner": "supplier",
        "buyer_licence": "Licencia gratuita de uso.",
        "call_back": "Derecho de recuperación.",
        "publication": "Resumen no confidencial.",
    }
    response = client.post(reverse("phase-contract", args=[acme_contract.pk]), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert 'value="Informe de diseño"' in page and 'value="20.000,00"' in page
    assert "Resumen no confidencial." in page
    assert "must add up to the phase price" in page
    assert [m.title for m in acme_contract.milestones.all()] == [
        "Interim payment",
        "Final payment",
    ]


def test_the_officer_edits_a_phase_and_deletes_the_last_one(pcp, login):
    client = login("officer.logrono")
    url = reverse("tender-phases", args=[pcp.pk])
    phase = pcp.phases.get(number=1)
    form = client.get(url, {"edit": phase.pk}).content.decode()
    assert 'value="Diseño de la solución"' in form and 'name="phase_id"' in form
    response = client.post(
        url,
        {
            "form": "phase",
            "phase_id": str(phase.pk),
            "name": "Diseño",
            "objectives": "",
            "duration_days": "45",
            "max_budget_per_supplier": "40.000,00",
            "max_suppliers": "3",
        },
    )
    assert response.status_code == 302
    phase.refresh_from_db()
    assert (phase.name, phase.duration_days) == ("Diseño", 45)
    assert client.post(url, {"form": "phase_delete", "phase_id": phase.pk}).status_code == 302
    assert not pcp.phases.exists()


def test_the_phases_page_reads_the_same_queries_for_one_contract_or_three(
    demo, pcp, login, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login("officer.logrono")
    url = reverse("tender-phases", args=[pcp.pk])
    phase = pcp.phases.get(number=1)
    contract_draft(phase=phase, supplier_id=demo.supplier("acme").pk, at=timezone.now())
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    for slug in ("nova", "unirioja"):
        contract_draft(phase=phase, supplier_id=demo.supplier(slug).pk, at=timezone.now())
    with django_assert_max_num_queries(len(one.captured_queries)):
        page = client.get(url)
    assert page.content.decode().count('data-testid="contract-1-') == 3


def test_the_officer_edits_a_criterion_which_keeps_its_place(demo, pcp, login):
    officer = demo.user("officer.logrono")
    phase = pcp.phases.get(number=1)
    phase_criterion_save(actor=officer, phase=phase, name="Innovación", weight="40")
    first = phase.criteria.get(order=1)
    client = login("officer.logrono")
    url = reverse("tender-phases", args=[pcp.pk])
    form = client.get(url, {"edit_criterion": first.pk}).content.decode()
    assert 'value="Viabilidad"' in form and f'name="criterion_id" value="{first.pk}"' in form
    data = {"form": "criterion", "phase_id": str(phase.pk), "criterion_id": str(first.pk)}
    refused = client.post(
        url, {**data, "name": "Viabilidad técnica", "weight": "50", "threshold": "55"}
    )
    assert refused.status_code == 400
    assert 'value="Viabilidad técnica"' in refused.content.decode()
    done = client.post(
        url, {**data, "name": "Viabilidad técnica", "weight": "50", "threshold": "25"}
    )
    assert done.status_code == 302
    assert [(c.order, c.name, c.weight) for c in phase.criteria.all()] == [
        (1, "Viabilidad técnica", Decimal("50.00")),
        (2, "Innovación", Decimal("40.00")),
    ]


def test_the_api_changes_a_criterion_while_the_call_is_drafted(pcp, api_as):
    criterion = pcp.phases.get(number=1).criteria.get()
    body = {"name": "Viabilidad", "weight": "50", "threshold": "20"}
    assert (
        api_as("officer.terrassa")
        .put(f"/api/v1/phase-criteria/{criterion.pk}/", body, format="json")
        .status_code
        == 404
    )
    changed = api_as("officer.logrono").put(
        f"/api/v1/phase-criteria/{criterion.pk}/", body, format="json"
    )
    assert changed.status_code == 200, changed.json()
    assert changed.json()["weight"] == "50.00" and changed.json()["order"] == 1
    walk_to(pcp, "call_published")
    frozen = api_as("officer.logrono").put(
        f"/api/v1/phase-criteria/{criterion.pk}/", body, format="json"
    )
    assert frozen.status_code == 409
