"""A refused form keeps everything typed in it, says why beside the field, answers with a 4xx,
and shows the page it was sent from (#19)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from tenders.award.services.bids import criterion_save, lot_save
from tenders.models import Bid, CommitteeMember, Criterion, Tender
from tests.factories.tenders import make_tender
from tests.factories.walks import walk_to

pytestmark = pytest.mark.django_db


@pytest.fixture
def pcap(demo):
    officer = demo.user("officer.logrono")
    tender = make_tender(
        city=demo.city("logrono"), state="procedure_chosen", value=Decimal("200000")
    )
    lot_save(actor=officer, tender=tender, title="Sensores", value=Decimal("100000"))
    criterion_save(
        actor=officer, tender=tender, name="Calidad técnica", kind="value_judgement", weight=40
    )
    return tender


def test_a_refused_lot_keeps_its_title_and_value_and_says_why_beside_the_field(pcap, login):
    client = login("officer.logrono")
    response = client.post(
        reverse("tender-overview", args=[pcap.pk]),
        {
            "form": "lot",
            "title": "Plataforma de datos",
            "value": "mil euros",
            "duration_months": "12",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'value="Plataforma de datos"' in page
    assert 'value="mil euros"' in page
    assert 'id="lot-value-error"' in page
    assert pcap.lots.count() == 1


def test_a_refused_criterion_keeps_what_was_typed(pcap, login):
    client = login("officer.logrono")
    response = client.post(
        reverse("tender-overview", args=[pcap.pk]),
        {
            "form": "criterion",
            "name": "Precio ofertado",
            "kind": "formula",
            "weight": "70",  # 40 + 70 > 100
            "formula": "proportional_lowest",
            "better": "lower",
            "is_price": "on",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'value="Precio ofertado"' in page
    assert 'value="70"' in page
    assert 'id="criterion-weight-error"' in page
    assert 'value="proportional_lowest" selected' in page
    assert 'name="is_price" id="criterion-is_price" checked' in page
    assert pcap.criteria.count() == 1


def test_the_weight_total_in_a_refusal_is_written_the_spanish_way(pcap, login):
    client = login("officer.logrono")
    client.cookies.load({"django_language": "es"})
    response = client.post(
        reverse("tender-overview", args=[pcap.pk]),
        {
            "form": "criterion",
            "name": "Precio",
            "kind": "value_judgement",
            "weight": "70,5",
            "better": "lower",
        },
        HTTP_ACCEPT_LANGUAGE="es",
    )
    assert response.status_code == 400
    assert "110,50" in response.content.decode()
    assert "110.50" not in response.content.decode()


def test_a_refused_publication_keeps_the_deadline_typed_and_shows_the_process_address(demo, login):
    officer = demo.user("officer.logrono")
    tender = make_tender(
        city=demo.city("logrono"), state="procedure_chosen", value=Decimal("200000")
    )
    lot_save(actor=officer, tender=tender, title="Sensores", value=Decimal("200000"))
    criterion_save(actor=officer, tender=tender, name="Calidad", kind="value_judgement", weight=100)
    tender = walk_to(tender, "file_approved", now=timezone.now())
    typed = (timezone.localtime(timezone.now(), tender.city.zone) + dt.timedelta(days=1)).strftime(
        "%Y-%m-%dT%H:%M"
    )
    client = login("officer.logrono")
    response = client.post(
        reverse("tender-fire", args=[tender.pk, "publish_tender"]),
        {"data_submission_deadline": typed, "reason": "Publicamos"},
    )
    assert response.status_code in (400, 409, 422)
    page = response.content.decode()
    assert f'value="{typed}"' in page
    assert ">Publicamos</textarea>" in page
    detail = reverse("tender-detail", args=[tender.pk])
    assert f'<link rel="canonical" href="{detail}" data-page-address>' in page
    assert Tender.objects.get(pk=tender.pk).status == "file_approved"
    # The action's address itself, reloaded, leads to the process page.
    again = client.get(reverse("tender-fire", args=[tender.pk, "publish_tender"]))
    assert again.status_code == 302 and again.url == detail


@pytest.fixture
def sheet(demo_processes):
    """The demo's process in technical evaluation: envelope B open, bids admitted."""
    tender = Tender.objects.get(status="tech_opened")
    member = CommitteeMember.objects.filter(tender=tender).select_related("user").first()
    bid = Bid.objects.filter(tender=tender, admission=Bid.Admission.ADMITTED).first()
    criterion = tender.criteria.filter(kind=Criterion.Kind.VALUE_JUDGEMENT).first()
    return tender, member.user, bid, criterion


def test_a_refused_score_keeps_the_points_and_justification_typed(sheet, client):
    tender, member, bid, criterion = sheet
    client.force_login(member)
    response = client.post(
        reverse("tender-evaluation-act", args=[tender.pk]),
        {
            "form": "scores",
            "bid": bid.pk,
            f"points_{criterion.pk}": "999",
            f"why_{criterion.pk}": "Propuesta muy sólida y medible en todos sus hitos.",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'value="999"' in page
    assert "Propuesta muy sólida y medible en todos sus hitos.</textarea>" in page
    assert 'aria-invalid="true"' in page
    assert not bid.scores.filter(member=member, criterion=criterion, points=999).exists()


def test_a_score_written_the_spanish_way_is_saved(sheet, client):
    tender, member, bid, criterion = sheet
    client.force_login(member)
    response = client.post(
        reverse("tender-evaluation-act", args=[tender.pk]),
        {
            "form": "scores",
            "bid": bid.pk,
            f"points_{criterion.pk}": "12,5",
            f"why_{criterion.pk}": "Propuesta sólida con hitos medibles.",
        },
    )
    assert response.status_code == 302
    assert bid.scores.get(member=member, criterion=criterion).points == Decimal("12.50")
