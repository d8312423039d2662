"""Subscriptions and e-mails, the report, supplier registration."""

import datetime as dt

import pytest
from django.core import mail

from procurement.accounts.models import Membership, Supplier
from procurement.core.exceptions import Conflict
from procurement.core.models import OutboundEmail
from tenders.consultation.services import (
    consultation_report_save,
    consultation_save,
    question_save,
    question_summary_save,
)
from tenders.consultation.subscriptions import subscription_save
from tenders.models import SupplierSubscription
from tenders.notifications import consultations_closing_remind
from tests.factories.tenders import make_tender
from workflows.registry import MACHINES
from workflows.services import fire_due_events, transition_perform

OPENS = dt.datetime(2026, 5, 4, 8, 0, tzinfo=dt.UTC)
CLOSES = dt.datetime(2026, 5, 29, 12, 0, tzinfo=dt.UTC)


def _announce(demo, cpv="72000000-5"):
    officer = demo.user("officer.logrono")
    tender = make_tender(city=demo.city("logrono"), state="consultation_draft", cpv_codes=[cpv])
    consultation = consultation_save(
        actor=officer, tender=tender, subject="Open data portal", opens_at=OPENS, closes_at=CLOSES
    )
    question_save(actor=officer, consultation=consultation, text="What do you propose?")
    transition_perform(
        process=tender, name="publish_consultation", actor=officer, now=OPENS - dt.timedelta(days=1)
    )
    return consultation


def test_subscribed_suppliers_are_told_once_when_a_matching_consultation_opens(
    demo, django_capture_on_commit_callbacks
):
    acme, nova = demo.supplier("acme"), demo.supplier("nova")
    subscription_save(
        actor=demo.user("supplier.acme"), supplier=acme, cpv_prefixes=["72"], cities=[]
    )
    subscription_save(
        actor=demo.user("supplier.nova"),
        supplier=nova,
        cpv_prefixes=["90"],
        cities=[demo.city("logrono")],
    )
    _announce(demo)
    with django_capture_on_commit_callbacks(execute=True):
        fire_due_events(models=MACHINES, now=OPENS)
    with django_capture_on_commit_callbacks(execute=True):
        fire_due_events(models=MACHINES, now=OPENS + dt.timedelta(minutes=1))
    opened = [m for m in mail.outbox if "Open data portal" in m.subject]
    assert [m.to for m in opened] == [["supplier.acme@demo.opencpi.local"]]


def test_a_reminder_goes_three_days_before_the_close_once(demo, django_capture_on_commit_callbacks):
    subscription_save(
        actor=demo.user("supplier.acme"),
        supplier=demo.supplier("acme"),
        cpv_prefixes=[],
        cities=[demo.city("logrono")],
    )
    _announce(demo)
    fire_due_events(models=MACHINES, now=OPENS)
    mail.outbox.clear()
    assert consultations_closing_remind(now=CLOSES - dt.timedelta(days=4)) == 0
    for hours_left in (71, 48):
        with django_capture_on_commit_callbacks(execute=True):
            consultations_closing_remind(now=CLOSES - dt.timedelta(hours=hours_left))
    assert len(mail.outbox) == 1 and "3" in mail.outbox[0].subject
    assert OutboundEmail.objects.filter(key__contains=":closing:").count() == 1


def test_subscriptions_refuse_what_is_not_a_cpv_prefix(demo):
    from procurement.core.exceptions import ApplicationError

    with pytest.raises(ApplicationError):
        subscription_save(
            actor=demo.user("supplier.acme"),
            supplier=demo.supplier("acme"),
            cpv_prefixes=["software"],
            cities=[],
        )
    assert not SupplierSubscription.objects.exists()


def test_the_report_needs_a_summary_per_question_and_never_shows_an_answer(
    open_consultation, client, login
):
    officer = open_consultation.tender.city.memberships.get(role="officer").user
    fire_due_events(models=MACHINES, now=open_consultation.closes_at + dt.timedelta(minutes=1))
    tender = open_consultation.tender
    tender.refresh_from_db()
    tender = transition_perform(
        process=tender,
        name="draft_report",
        actor=officer,
        now=open_consultation.closes_at + dt.timedelta(hours=1),
    )
    consultation_report_save(
        actor=officer,
        tender=tender,
        report="Los resultados llevaron a pedir sensores calibrables in situ.",
    )
    with pytest.raises(Conflict) as refused:
        transition_perform(
            process=tender,
            name="publish_report",
            actor=officer,
            now=open_consultation.closes_at + dt.timedelta(hours=2),
        )
    assert "115.3" in refused.value.reasons[0]
    assert client.get(f"/consultations/{open_consultation.pk}/report/").status_code == 404
    for question in open_consultation.questions.all():
        question_summary_save(
            actor=officer, question=question, text=f"Resumen no confidencial {question.order}."
        )
    transition_perform(
        process=tender,
        name="publish_report",
        actor=officer,
        now=open_consultation.closes_at + dt.timedelta(hours=2),
    )
    page = client.get(f"/consultations/{open_consultation.pk}/report/").content.decode()
    assert "Acme Smart Solutions S.L." in page and "Nova Urban Robotics S.L." in page
    assert "Resumen no confidencial 1." in page and "calibrables in situ" in page
    assert "aprendizaje automático" not in page, "a confidential answer reached the report"
    assert "Universidad de La Rioja" in page  # the adviser, published as art. 115.1 requires


def test_a_supplier_registers_itself_and_becomes_its_representative(db, client):
    response = client.post(
        "/consultations/register/",
        {
            "name": "Sensórica del Ebro S.L.",
            "kind": "startup",
            "country": "ES",
            "tax_id": "B26000001",
            "is_sme": "on",
            "first_name": "Eva",
            "last_name": "Gil",
            "email": "eva@example.org",
            "username": "eva.gil",
            "password": "long-and-unusual-9",
        },
    )
    assert response.status_code == 200
    assert "B26000001" in response.content.decode()
    assert "NIF" in response.content.decode(), "an invalid CIF is refused with a clear error"
    from stdnum.es import cif

    valid = "B2600000" + cif.calc_check_digits("B2600000")[0]
    response = client.post(
        "/consultations/register/",
        {
            "name": "Sensórica del Ebro S.L.",
            "kind": "startup",
            "country": "ES",
            "tax_id": valid,
            "is_sme": "on",
            "first_name": "Eva",
            "last_name": "Gil",
            "email": "eva@example.org",
            "username": "eva.gil",
            "password": "long-and-unusual-9",
        },
    )
    assert response.status_code == 200 and "Check your e-mail" in response.content.decode()
    from procurement.core.models import OutboundEmail

    link = OutboundEmail.objects.get(to=["eva@example.org"]).body.split("http://")[1].split()[0]
    assert client.post(link[link.index("/") :]).status_code == 302
    supplier = Supplier.objects.get(tax_id=valid)
    assert supplier.is_sme
    assert Membership.objects.filter(
        user__username="eva.gil", supplier=supplier, role="representative"
    ).exists()
    assert client.get("/consultations/subscriptions/").status_code == 200


def test_weak_passwords_are_refused_at_registration(db, client):
    response = client.post(
        "/consultations/register/",
        {
            "name": "X",
            "kind": "company",
            "country": "FR",
            "tax_id": "FR40303265045",
            "first_name": "A",
            "last_name": "B",
            "email": "a@b.org",
            "username": "ab",
            "password": "123",
        },
    )
    assert response.status_code == 200 and 'role="alert"' in response.content.decode()
    assert not Supplier.objects.exists()
