"""Suppliers' alerts for tenders too (issue #19: subscriptions by CPV code and city told of
consultations only): publishing a tender, a PCP call or a partnership notice tells the
subscribed suppliers by e-mail and in the app, once."""

import pytest
from django.core import mail

from procurement.core.models import InAppMessage, OutboundEmail
from tenders.consultation.subscriptions import subscription_save
from tenders.notifications import tender_published_notify
from tests.factories.tenders import make_tender

pytestmark = pytest.mark.django_db


@pytest.fixture
def alerts(demo):
    """Acme wants software (72) and R&D (73) anywhere; Nova wants works (45) in Logroño."""
    subscription_save(
        actor=demo.user("supplier.acme"),
        supplier=demo.supplier("acme"),
        cpv_prefixes=["72", "73"],
        cities=[],
    )
    subscription_save(
        actor=demo.user("supplier.nova"),
        supplier=demo.supplier("nova"),
        cpv_prefixes=["45"],
        cities=[demo.city("logrono")],
    )
    return demo


@pytest.mark.parametrize(
    ("procedure", "state"),
    [
        ("cpti_open", "published"),
        ("pcp", "call_published"),
        ("innovation_partnership", "notice_published"),
    ],
)
def test_subscribed_suppliers_hear_of_a_published_tender(
    alerts, django_capture_on_commit_callbacks, procedure, state
):
    with django_capture_on_commit_callbacks(execute=True):
        tender = make_tender(
            city=alerts.city("logrono"),
            procedure=procedure,
            state=state,
            title="Plataforma de datos abiertos",
            # A PCP buys R&D services only (LCSP art. 8).
            cpv_codes=["73000000-2"] if procedure == "pcp" else ["72000000-5"],
        )
    acme, nova = alerts.supplier("acme"), alerts.supplier("nova")
    key = f"tender:{tender.pk}:published:{acme.pk}"
    email = OutboundEmail.objects.get(key=key)
    assert email.to == ["supplier.acme@demo.opencpi.local"]
    assert any(
        "Plataforma de datos abiertos" in m.subject and m.to == email.to for m in mail.outbox
    )
    message = InAppMessage.objects.get(key=key)
    assert message.recipient == alerts.user("supplier.acme")
    assert message.link == f"/processes/{tender.pk}/"
    # Nova's alert is for works: nothing for it.
    assert not OutboundEmail.objects.filter(key=f"tender:{tender.pk}:published:{nova.pk}").exists()
    assert not InAppMessage.objects.filter(recipient=alerts.user("supplier.nova")).exists()


def test_a_tender_alert_goes_once(alerts, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        tender = make_tender(
            city=alerts.city("terrassa"), state="published", cpv_codes=["72000000-5"]
        )
    tender_published_notify(tender_id=tender.pk)  # a retried task
    assert OutboundEmail.objects.filter(key__startswith=f"tender:{tender.pk}:").count() == 1
    assert InAppMessage.objects.filter(key__startswith=f"tender:{tender.pk}:").count() == 1


def test_an_unpublished_process_alerts_nobody(alerts):
    tender = make_tender(city=alerts.city("logrono"), cpv_codes=["72000000-5"])
    assert tender_published_notify(tender_id=tender.pk) == 0
    assert not InAppMessage.objects.exists()
