"""Lots and award criteria are added, edited and deleted on the web while the PCAP may be
edited (LCSP art. 122.1), each change on the process's history; a refused form keeps what was
typed (#19)."""

from decimal import Decimal

import pytest
from django.urls import reverse

from procurement.core.models import AuditEntry
from tenders.award.services.bids import criterion_save, lot_save
from tests.factories.tenders import make_tender

pytestmark = pytest.mark.django_db


@pytest.fixture
def pcap(demo):
    """A Logroño process whose lots and criteria are still being written."""
    officer = demo.user("officer.logrono")
    tender = make_tender(
        city=demo.city("logrono"), state="procedure_chosen", value=Decimal("200000")
    )
    lot = lot_save(actor=officer, tender=tender, title="Sensores", value=Decimal("100000"))
    criterion = criterion_save(
        actor=officer, tender=tender, name="Calidad técnica", kind="value_judgement", weight=40
    )
    return tender, lot, criterion


def _rows(tender, name):
    return list(AuditEntry.objects.filter(object_id=str(tender.pk), name=name).order_by("pk"))


def test_officer_adds_a_lot_with_a_spanish_value(pcap, login):
    tender, _lot, _criterion = pcap
    client = login("officer.logrono")
    response = client.post(
        reverse("tender-overview", args=[tender.pk]),
        {"form": "lot", "title": "Plataforma", "value": "1.000,50", "duration_months": "12"},
    )
    assert response.status_code == 302
    assert tender.lots.get(number=2).value == Decimal("1000.50")


def test_officer_edits_a_lot_and_the_change_is_on_the_history(pcap, login):
    tender, lot, _criterion = pcap
    client = login("officer.logrono")
    page = client.get(reverse("tender-overview", args=[tender.pk]), {"edit_lot": lot.pk})
    assert 'value="Sensores"' in page.content.decode()
    response = client.post(
        reverse("tender-overview", args=[tender.pk]),
        {
            "form": "lot",
            "lot_id": lot.pk,
            "title": "Sensores de ruido",
            "value": "90.000,00",
            "duration_months": "12",
        },
    )
    assert response.status_code == 302
    lot.refresh_from_db()
    assert (lot.title, lot.value, lot.number) == ("Sensores de ruido", Decimal("90000.00"), 1)
    [row] = _rows(tender, "lot_update")
    assert row.actor.username == "officer.logrono"
    assert row.data == {
        "object": "1. Sensores de ruido",
        "changes": {"title": ["Sensores", "Sensores de ruido"], "value": ["100000.00", "90000.00"]},
    }


def test_officer_deletes_a_lot_and_the_deletion_is_on_the_history(pcap, login):
    tender, lot, _criterion = pcap
    client = login("officer.logrono")
    response = client.post(
        reverse("tender-overview", args=[tender.pk]), {"form": "lot_delete", "lot_id": lot.pk}
    )
    assert response.status_code == 302
    assert not tender.lots.exists()
    [row] = _rows(tender, "lot_delete")
    assert row.data == {"object": "1. Sensores", "changes": {}}


def test_officer_edits_a_criterion_weight_written_the_spanish_way(pcap, login):
    tender, _lot, criterion = pcap
    client = login("officer.logrono")
    response = client.post(
        reverse("tender-overview", args=[tender.pk]),
        {
            "form": "criterion",
            "criterion_id": criterion.pk,
            "name": "Calidad técnica",
            "kind": "value_judgement",
            "weight": "45,5",
            "better": "lower",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    criterion.refresh_from_db()
    assert criterion.weight == Decimal("45.50")
    [row] = _rows(tender, "criterion_update")
    assert row.data == {"object": "Calidad técnica", "changes": {"weight": ["40.00", "45.50"]}}


def test_officer_deletes_a_criterion(pcap, login):
    tender, _lot, criterion = pcap
    client = login("officer.logrono")
    client.post(
        reverse("tender-overview", args=[tender.pk]),
        {"form": "criterion_delete", "criterion_id": criterion.pk},
    )
    assert not tender.criteria.exists()
    [row] = _rows(tender, "criterion_delete")
    assert row.data == {"object": "Calidad técnica", "changes": {}}


def test_a_lot_of_another_process_cannot_be_edited_from_this_one(pcap, demo, login):
    tender, _lot, _criterion = pcap
    other = make_tender(city=demo.city("logrono"), state="procedure_chosen")
    foreign = lot_save(
        actor=demo.user("officer.logrono"), tender=other, title="Ajeno", value=Decimal("10")
    )
    client = login("officer.logrono")
    response = client.post(
        reverse("tender-overview", args=[tender.pk]), {"form": "lot_delete", "lot_id": foreign.pk}
    )
    assert response.status_code == 404
    assert other.lots.exists()


def test_a_supplier_cannot_delete_a_lot(pcap, login):
    tender, lot, _criterion = pcap
    client = login("supplier.acme")
    response = client.post(
        reverse("tender-overview", args=[tender.pk]), {"form": "lot_delete", "lot_id": lot.pk}
    )
    assert response.status_code == 404
    assert tender.lots.exists()


def test_the_api_edit_of_a_lot_is_on_the_history_too(pcap, api_as):
    tender, lot, _criterion = pcap
    response = api_as("officer.logrono").patch(
        f"/api/v1/lots/{lot.pk}/", {"value": "1.000,50"}, format="json"
    )
    assert response.status_code == 200, response.content
    [row] = _rows(tender, "lot_update")
    assert row.data["changes"] == {"value": ["100000.00", "1000.50"]}


def test_the_api_reads_a_spanish_criterion_weight(pcap, api_as):
    _tender, _lot, criterion = pcap
    response = api_as("officer.logrono").patch(
        f"/api/v1/criteria/{criterion.pk}/", {"weight": "12,5"}, format="json"
    )
    assert response.status_code == 200, response.content
    criterion.refresh_from_db()
    assert criterion.weight == Decimal("12.50")
