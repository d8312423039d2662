"""The demo's notices, as CI checks them: every demo process at a stage that has a notice gets
it, valid against the XSD and the SDK's static schematron (../shared/eforms), and
``manage.py export_eforms`` writes them."""

import json

import pytest
from django.core.management import call_command

from procurement.core.models import AuditEntry
from publication.eforms.services import subtypes_for_step
from publication.models import Notice
from tenders.models import Tender

# One worker runs them all, so each subtype's schematron is compiled once per CI run.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("eforms")]


def test_every_demo_process_with_a_notice_gets_it_valid_and_exported(
    eforms_on, django_capture_on_commit_callbacks, tmp_path
):
    from documents import demo as documents_demo
    from tenders import demo as tenders_demo

    with django_capture_on_commit_callbacks(execute=True):
        documents_demo.seed()
        tenders_demo.seed()

    expected = set()
    for tender in Tender.objects.filter(first_published_at__isnull=False):
        steps = AuditEntry.objects.filter(
            object_id=str(tender.pk), action="transition", content_type__model="tender"
        )
        for entry in steps:
            expected |= {(tender.pk, s) for s in subtypes_for_step(tender=tender, entry=entry)}
    made = set(Notice.objects.values_list("tender_id", "subtype"))
    # E1 (the air-quality consultation), 16 (robots; the partnership), E3 (the PCP call) and
    # 29 (the energy platform's contract) at least.
    assert {s for _t, s in expected} >= {"E1", "16", "E3", "29"}
    assert made == expected

    invalid = [(n.tender_id, n.subtype, n.findings) for n in Notice.objects.exclude(status="valid")]
    assert invalid == []
    call_command("export_eforms", str(tmp_path), "--build", "--strict")
    assert json.loads((tmp_path / "invalid.json").read_text()) == []
    files = sorted(tmp_path.glob("*/*/*.xml"))
    assert len(files) == Notice.objects.count()


def test_export_fails_in_strict_mode_on_an_invalid_notice(
    eforms_on, demo, django_capture_on_commit_callbacks, tmp_path
):
    from django.core.management.base import CommandError

    from publication.models import BuyerProfile
    from tests.factories.tenders import make_tender

    BuyerProfile.objects.filter(city=demo.city("logrono")).delete()
    with django_capture_on_commit_callbacks(execute=True):
        make_tender(city=demo.city("logrono"), state="published")
    with pytest.raises(CommandError, match="1 invalid"):
        call_command("export_eforms", str(tmp_path), "--strict")
    [row] = json.loads((tmp_path / "invalid.json").read_text())
    assert any("BT-501-Organization-Company" in line for line in row["failed_rules"])
