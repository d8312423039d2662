"""Bidders' signatures: the signed files in a bid are validated when their envelope is opened,
and the committee sees which are unsigned or invalid (issue #17; LCSP DA 16ª.1.f, art. 157)."""

import datetime as dt

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from tenders.models import BidFile
from tests.award.conftest import DEADLINE, NOW
from tests.award.test_bid_files import SIGNATURE, _draft
from tests.factories.pki import TestCA, sign_pdf, write_trust
from tests.factories.walks import signed_pdf
from workflows.registry import MACHINES
from workflows.services import fire_due_events, transition_perform

pytestmark = pytest.mark.django_db

DURING = NOW + dt.timedelta(days=1)
AFTER = DEADLINE + dt.timedelta(days=1)


def _tampered(data: bytes) -> bytes:
    changed = bytearray(data)
    position = changed.index(b"Memoria")
    changed[position] = ord("X")
    return bytes(changed)


@pytest.fixture
def opened_world(tender_with_criteria, api_as, demo, settings, tmp_path):
    """Three bids, each with a technical memory in envelope B: Acme's signed with a trusted
    certificate, Nova's unsigned, UniRioja's signed and then changed; Acme also sends a
    detached XAdES signature in envelope A."""
    ca = TestCA()
    write_trust(tmp_path / "trust", ca)
    settings.OPENCPI_TRUST_DIR = str(tmp_path / "trust")
    tender, criteria = tender_with_criteria
    memory = signed_pdf("Memoria tecnica")
    signed = sign_pdf(memory, ca.person("Pedro", "Acme", "22222222J"))
    contents = {
        "supplier.acme": signed,
        "supplier.nova": memory,
        "supplier.unirioja": _tampered(signed),
    }
    files = {}
    with time_machine.travel(DURING, tick=False):
        for username, content in contents.items():
            api = api_as(username)
            bid_id = _draft(api, tender, criteria)
            upload = SimpleUploadedFile("memoria.pdf", content)
            response = api.post(
                f"/api/v1/bids/{bid_id}/files/",
                {"envelope": "b", "file": upload},
                format="multipart",
            )
            assert response.status_code == 201, response.json()
            files[username] = (bid_id, response.json()["id"])
            if username == "supplier.acme":
                xades = api.post(
                    f"/api/v1/bids/{bid_id}/files/",
                    {"envelope": "a", "file": SimpleUploadedFile("deuc.xsig", SIGNATURE)},
                    format="multipart",
                )
                files["xades"] = (bid_id, xades.json()["id"])
            submitted = api.post(f"/api/v1/bids/{bid_id}/submit/", {"confirm": True}, format="json")
            assert submitted.status_code == 200, submitted.json()
    return tender, files


def test_nothing_is_validated_before_its_envelope_is_opened(
    opened_world, api_as, django_capture_on_commit_callbacks
):
    _tender, files = opened_world
    assert not BidFile.objects.filter(signature_checked_at__isnull=False).exists()
    # Envelope A opens with the closing of the bids (LCSP art. 157.3): only its files are read.
    with django_capture_on_commit_callbacks(execute=True):
        fire_due_events(models=MACHINES, now=DEADLINE + dt.timedelta(minutes=1))
    checked = {f.pk: f for f in BidFile.objects.all()}
    xades = checked[files["xades"][1]]
    assert xades.signature == BidFile.Signature.NOT_CHECKED
    assert "XAdES" in xades.signature_message and "not validated" in xades.signature_message
    for username in ("supplier.acme", "supplier.nova", "supplier.unirioja"):
        assert checked[files[username][1]].signature == ""
        listed = api_as("officer.logrono").get(f"/api/v1/bids/{files[username][0]}/files/")
        assert all(f["envelope"] == "a" for f in listed.json())


def test_after_opening_the_committee_sees_signed_unsigned_and_invalid_files(
    opened_world, api_as, demo, client, django_capture_on_commit_callbacks
):
    tender, files = opened_world
    committee = demo.user("committee.logrono")
    with django_capture_on_commit_callbacks(execute=True):
        fire_due_events(models=MACHINES, now=DEADLINE + dt.timedelta(minutes=1))
    with time_machine.travel(AFTER, tick=False):
        for bid_id, _file in (files[u] for u in ("supplier.acme", "supplier.nova")):
            api_as("committee.logrono").post(
                f"/api/v1/bids/{bid_id}/admission/", {"decision": "admitted"}, format="json"
            )
        api_as("committee.logrono").post(
            f"/api/v1/bids/{files['supplier.unirioja'][0]}/admission/",
            {"decision": "admitted"},
            format="json",
        )
    tender.refresh_from_db()
    tender = transition_perform(process=tender, name="check_admin", actor=committee, now=AFTER)
    with django_capture_on_commit_callbacks(execute=True):
        transition_perform(process=tender, name="open_envelope_b", actor=committee, now=AFTER)

    api = api_as("committee.logrono")
    seen = {}
    for username in ("supplier.acme", "supplier.nova", "supplier.unirioja"):
        bid_id, file_id = files[username]
        (row,) = [f for f in api.get(f"/api/v1/bids/{bid_id}/files/").json() if f["id"] == file_id]
        seen[username] = row
    assert seen["supplier.acme"]["signature"] == "trusted"
    assert "ACME PEDRO" in seen["supplier.acme"]["signature_signer"]
    assert seen["supplier.nova"]["signature"] == "unsigned"
    assert "no electronic signature" in seen["supplier.nova"]["signature_message"]
    assert seen["supplier.unirioja"]["signature"] == "invalid"
    assert seen["supplier.unirioja"]["signature_message"]

    client.force_login(committee)
    page = client.get(f"/processes/{tender.pk}/evaluation/").content.decode()
    assert "unsigned" in page and "invalid signature" in page
    assert "signed, valid and trusted" in page and "not checked" in page
