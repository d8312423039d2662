"""Three bids, scored by hand (LCSP arts. 145–150), and the seal on every envelope until its
opening.

Criteria: technical quality 40 (value judgement), price 50 (50 × lowest / offer), warranty 10
(linear: 1 year → 0, 5 years → 10). Abnormally low: more than 20 % below the mean price.

| bidder | price | warranty | quality (member 1, 2 → mean) |
|---|---|---|---|
| Acme | 100,000 | 5 | 30, 34 → 32 |
| Nova | 70,000 | 3 | 35, 31 → 33 |
| Uni | 120,000 | 1 | 20, 24 → 22 |

Before the abnormal check: price points Acme 35.00, Nova 50.00, Uni 29.17 (50 × 70/120);
warranty 10, 5, 0; totals Acme 77.00, Nova 88.00, Uni 51.17.
Mean price 96,666.67; 80 % of it is 77,333.33, so Nova's 70,000 is presumed abnormally low.
The committee rejects Nova's justification: the lowest price is now Acme's 100,000, so Acme
gets 50 and Uni 41.67 (50 × 100/120); totals Acme 92.00, Uni 63.67; Acme ranks first.
"""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from procurement.core.exceptions import Conflict
from tenders.award.deuc import deuc_example
from tenders.models import Award, Bid
from tests.award.conftest import DEADLINE, NOW
from workflows.registry import MACHINES
from workflows.services import fire_due_events, transition_perform

BIDS = {
    "supplier.acme": ("100000", "5"),
    "supplier.nova": ("70000", "3"),
    "supplier.unirioja": ("120000", "1"),
}
QUALITY = {
    "supplier.acme": ("30", "34"),
    "supplier.nova": ("35", "31"),
    "supplier.unirioja": ("20", "24"),
}


def _bid(api, tender, criteria, username):
    price, warranty = BIDS[username]
    body = {
        "lot": 1,
        "envelopes": {
            "a": {
                "declaration": True,
                "notes": "DEUC attached",
                "deuc": deuc_example(name=username, tax_id="B26000001", email="b@example.org"),
            },
            "b": {
                str(criteria["quality"].pk): f"Technical proposal of {username}: SECRET-{username}"
            },
            "c": {str(criteria["price"].pk): price, str(criteria["warranty"].pk): warranty},
        },
    }
    created = api.post(f"/api/v1/tenders/{tender.pk}/bids/", body, format="json")
    assert created.status_code == 201, created.json()
    submitted = api.post(
        f"/api/v1/bids/{created.json()['id']}/submit/", {"confirm": True}, format="json"
    )
    assert submitted.status_code == 200, submitted.json()
    return created.json()["id"]


def _ranking(api, tender):
    return {
        row["supplier"].split()[0]: Decimal(row["total"])
        for row in api.get(f"/api/v1/tenders/{tender.pk}/ranking/").json()
    }


def fire(tender, name, user, now, **data):
    tender.refresh_from_db()
    return transition_perform(process=tender, name=name, actor=user, now=now, data=data)


def test_three_bids_scored_by_hand_from_sealed_envelopes_to_award(
    tender_with_criteria, demo, api_as, client
):
    tender, criteria = tender_with_criteria
    officer, committee = demo.user("officer.logrono"), demo.user("committee.logrono")
    committee2 = type(committee).objects.get(username="committee2.logrono")
    bids = {}
    with time_machine.travel(NOW + dt.timedelta(days=1), tick=False):
        for username in BIDS:
            bids[username] = _bid(api_as(username), tender, criteria, username)
        # Sealed before the deadline: no officer, no admin, not even the bidder reads an envelope.
        for reader in ("officer.logrono", "committee.logrono", "admin", "supplier.acme"):
            api = api_as(reader)
            for envelope in "abc":
                response = api.get(f"/api/v1/bids/{bids['supplier.acme']}/envelopes/{envelope}/")
                assert response.status_code in (404, 409), (reader, envelope)
                assert "SECRET" not in response.content.decode()
        assert api_as("officer.logrono").get(f"/api/v1/tenders/{tender.pk}/bids/").json() == []
        assert (
            api_as("supplier.nova").get(f"/api/v1/bids/{bids['supplier.acme']}/").status_code == 404
        )
        receipt = api_as("supplier.acme").get(f"/api/v1/bids/{bids['supplier.acme']}/").json()
        assert len(receipt["digest_b"]) == 64 and "SECRET" not in str(receipt)
    assert b"SECRET" not in bytes(Bid.objects.get(pk=bids["supplier.acme"]).envelope_b)
    client.force_login(demo.user("admin"))
    assert client.get("/admin/tenders/bid/").status_code == 404

    fire_due_events(models=MACHINES, now=DEADLINE + dt.timedelta(minutes=1))
    tender.refresh_from_db()
    assert tender.status == "bids_closed"
    officer_api = api_as("officer.logrono")
    assert (
        officer_api.get(f"/api/v1/bids/{bids['supplier.acme']}/envelopes/a/").json()["declaration"]
        is True
    )
    assert officer_api.get(f"/api/v1/bids/{bids['supplier.acme']}/envelopes/b/").status_code == 409
    after = DEADLINE + dt.timedelta(days=1)
    with time_machine.travel(after, tick=False):
        for bid_id in bids.values():
            assert (
                api_as("committee.logrono")
                .post(f"/api/v1/bids/{bid_id}/admission/", {"decision": "admitted"}, format="json")
                .status_code
                == 200
            )
    fire(tender, "check_admin", committee, after)
    fire(tender, "open_envelope_b", committee, after)
    assert "SECRET-supplier.acme" in str(
        officer_api.get(f"/api/v1/bids/{bids['supplier.acme']}/envelopes/b/").json()
    )
    assert officer_api.get(f"/api/v1/bids/{bids['supplier.acme']}/envelopes/c/").status_code == 409
    assert officer_api.get(f"/api/v1/tenders/{tender.pk}/ranking/").status_code == 409
    # Formula envelopes cannot open before the value-judgement report (LCSP art. 146.2).
    with pytest.raises(Conflict):
        fire(tender, "open_envelope_c", committee, after)
    with pytest.raises(Conflict) as refused:
        fire(tender, "sign_value_report", committee, after)
    assert "scores" in refused.value.reasons[0]
    for member, column in ((committee, 0), (committee2, 1)):
        api = api_as(member.username) if member.username != "committee2.logrono" else None
        for username, points in QUALITY.items():
            if api is None:
                from tenders.award.services.bids import score_save

                score_save(
                    actor=member,
                    bid=Bid.objects.get(pk=bids[username]),
                    criterion=criteria["quality"],
                    points=points[column],
                    justification="Clear, innovative, measurable plan.",
                )
                continue
            response = api.post(
                f"/api/v1/tenders/{tender.pk}/scores/",
                {
                    "bid": bids[username],
                    "criterion": criteria["quality"].pk,
                    "points": points[column],
                    "justification": "Clear, innovative, measurable plan.",
                },
                format="json",
            )
            assert response.status_code == 201, response.json()
    fire(tender, "sign_value_report", committee, after)
    fire(tender, "open_envelope_c", committee, after)
    assert _ranking(officer_api, tender) == {
        "Acme": Decimal("77.00"),
        "Nova": Decimal("88.00"),
        "Universidad": Decimal("51.17"),
    }
    with pytest.raises(Conflict) as refused:
        fire(tender, "rank", committee, after)
    assert "149" in refused.value.reasons[0]
    fire(tender, "flag_abnormal", committee, after)
    with pytest.raises(Conflict):
        fire(tender, "rank", committee, after)
    nova = Bid.objects.get(pk=bids["supplier.nova"])
    assert nova.abnormal == "flagged"
    assert set(Bid.objects.filter(abnormal="flagged").values_list("pk", flat=True)) == {nova.pk}
    with time_machine.travel(after + dt.timedelta(days=1), tick=False):
        justified = api_as("supplier.nova").post(
            f"/api/v1/bids/{nova.pk}/abnormal/",
            {"justification": "Our robots already run in three cities, so costs are shared."},
            format="json",
        )
        assert justified.status_code == 200
        decided = api_as("committee.logrono").post(
            f"/api/v1/bids/{nova.pk}/abnormal/",
            {"accept": False, "reason": "The technical report finds the price below cost."},
            format="json",
        )
        assert decided.status_code == 200
    fire(tender, "decide_abnormal", officer, after + dt.timedelta(days=2))
    assert _ranking(officer_api, tender) == {
        "Acme": Decimal("92.00"),
        "Universidad": Decimal("63.67"),
    }
    ranking = officer_api.get(f"/api/v1/tenders/{tender.pk}/ranking/").json()
    assert [row["rank"] for row in ranking] == [1, 2] and ranking[0]["supplier"].startswith("Acme")

    day = after + dt.timedelta(days=3)
    fire(tender, "propose_award", committee, day)
    fire(tender, "request_documents", officer, day)
    # The officer cannot record documents nobody delivered (LCSP art. 150.2).
    with pytest.raises(Conflict) as refused:
        fire(tender, "receive_documents", officer, day + dt.timedelta(days=1))
    assert "art. 150.2" in " ".join(map(str, refused.value.reasons))
    acme_api = api_as("supplier.acme")
    with time_machine.travel(day + dt.timedelta(days=2), tick=False):
        delivered = acme_api.post(
            f"/api/v1/bids/{bids['supplier.acme']}/award-documents/",
            {"file": SimpleUploadedFile("aeat.pdf", b"%PDF-1.4 certificado AEAT")},
            format="multipart",
        )
    assert delivered.status_code == 201, delivered.json()
    listed = officer_api.get(f"/api/v1/bids/{bids['supplier.acme']}/award-documents/").json()
    assert [f["name"] for f in listed] == ["aeat.pdf"]
    read = officer_api.get(f"/api/v1/bid-files/{listed[0]['id']}/")
    assert read.status_code == 200 and read.content == b"%PDF-1.4 certificado AEAT"
    fire(tender, "receive_documents", officer, day + dt.timedelta(days=4))
    fire(tender, "award", officer, day + dt.timedelta(days=5))
    award = Award.objects.get(tender=tender, status="awarded")
    assert award.bid_id == bids["supplier.acme"] and award.total_points == Decimal("92.00")
    assert award.value == Decimal("100000")
    public = api_as(None).get(f"/api/v1/tenders/{tender.pk}/awards/").json()
    assert [a["supplier"] for a in public] == ["Acme Smart Solutions S.L."]


def test_demo_has_a_process_in_evaluation_and_one_awarded_and_their_pages_render(
    demo_processes, login, client
):
    from tenders.models import Tender

    in_evaluation = Tender.objects.get(status="tech_opened")
    signed = Tender.objects.get(status="contract_signed")
    officer = login("officer.logrono")
    for tender in (in_evaluation, signed):
        for url in (
            f"/processes/{tender.pk}/",
            f"/processes/{tender.pk}/tender/",
            f"/processes/{tender.pk}/evaluation/",
        ):
            assert officer.get(url).status_code == 200, url
    sheet = officer.get(f"/processes/{in_evaluation.pk}/evaluation/").content.decode()
    assert "Plan técnico de Acme" in sheet  # envelope B is open in this state
    assert "150000" not in sheet  # envelope C is not
    client.logout()
    public = client.get(f"/processes/{signed.pk}/tender/").content.decode()
    assert "Acme Smart Solutions S.L. — awarded" in public
    assert client.get(f"/processes/{in_evaluation.pk}/evaluation/").status_code == 302


def test_the_public_portal_names_the_winner_of_an_awarded_tender(demo_processes, client):
    from tenders.models import Tender

    signed = Tender.objects.get(status="contract_signed")
    page = client.get(f"/portal/processes/{signed.pk}/").content.decode()
    assert "Acme Smart Solutions S.L." in page
