"""The objects the permission matrix reads: each kind twice, one on each side.

Side ``L`` belongs to Logroño (and, where a supplier owns it, to Acme); side ``T`` to Terrassa
(and to Nova). The demo seeds side L; side T is made here through the same services, because
the demo gives Terrassa only an unpublished need and a cancelled process.
"""

import datetime as dt
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from procurement.accounts.models import City, Supplier, User
from procurement.accounts.services import api_token_create
from tenders.award.deuc import deuc_example
from tenders.award.services.bid_files import bid_file_add
from tests.factories.tenders import make_tender

DAY = dt.timedelta(days=1)


def _user(username: str) -> User:
    return User.objects.get(username=username)


def _upload(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4\n% matrix test file\n%%EOF\n", "application/pdf")


def _terrassa_consultation(now: dt.datetime):
    """A Terrassa process whose consultation is open; Nova answered it with a file, Acme asked
    a question the city has not answered yet."""
    from tenders.consultation.services import (
        attachment_add,
        clarification_ask,
        consultation_save,
        question_save,
        response_save,
        response_start,
        response_submit,
    )
    from workflows.registry import MACHINES
    from workflows.services import fire_due_events, transition_perform

    officer = _user("officer.terrassa")
    tender = make_tender(
        city=City.objects.get(slug="terrassa"),
        state="consultation_draft",
        title="Sensores de ruido nocturno en el centro de Terrassa",
    )
    start = now - 20 * DAY
    consultation_save(
        actor=officer,
        tender=tender,
        subject="Consulta preliminar: medir el ruido nocturno por calle",
        opens_at=start + 5 * DAY,
        closes_at=now + 25 * DAY,
    )
    consultation = tender.consultation_for_engine()
    question = question_save(
        actor=officer,
        consultation=consultation,
        text="¿Qué tecnología propone?",
        kind="text",
        required=True,
    )
    question_save(actor=officer, consultation=consultation, text="Documentación", kind="file")
    transition_perform(
        process=tender, name="publish_consultation", actor=officer, now=start + 3 * DAY
    )
    fire_due_events(models=MACHINES, now=now)
    consultation.refresh_from_db()

    nova = _user("supplier.nova")
    response = response_start(actor=nova, consultation=consultation, now=now)
    response_save(
        actor=nova,
        response=response,
        now=now,
        answers=[
            {"question": question.pk, "value": "Sonómetros en farolas.", "confidential": True}
        ],
    )
    attachment = attachment_add(actor=nova, response=response, upload=_upload("nova.pdf"), now=now)
    response_submit(actor=nova, response=response, now=now)
    clarification = clarification_ask(
        actor=_user("supplier.acme"),
        consultation=consultation,
        question="¿Se admiten sensores en fachadas privadas?",
        now=now,
    )
    tender.refresh_from_db()
    return tender, consultation, response, attachment, clarification


def _terrassa_tender_closed(now: dt.datetime):
    """A Terrassa CPTI tender whose bids closed with Nova's bid in, and a question of Nova's."""
    from tenders.award.services.bids import (
        bid_save,
        bid_submit,
        criterion_save,
        lot_save,
        tender_question_ask,
    )
    from workflows.registry import MACHINES
    from workflows.services import fire_due_events, transition_perform

    officer = _user("officer.terrassa")
    tender = make_tender(
        city=City.objects.get(slug="terrassa"),
        state="procedure_chosen",
        value=Decimal("200000"),
        title="Riego inteligente de parques con sensores de humedad",
        functional_specifications="Reducir un 30 % el agua de riego de los parques.",
    )
    lot = lot_save(actor=officer, tender=tender, title="Sensores y riego", value=Decimal("200000"))
    quality = criterion_save(
        actor=officer, tender=tender, name="Calidad", kind="value_judgement", weight=50
    )
    price = criterion_save(
        actor=officer,
        tender=tender,
        name="Precio",
        kind="formula",
        weight=50,
        formula="proportional_lowest",
        is_price=True,
    )
    type(tender).objects.filter(pk=tender.pk).update(status="file_approved")
    tender.refresh_from_db()
    tender = transition_perform(
        process=tender,
        name="publish_tender",
        actor=officer,
        now=now - 30 * DAY,
        data={"submission_deadline": now - 10 * DAY},
    )
    nova = _user("supplier.nova")
    bid = bid_save(
        actor=nova,
        tender=tender,
        lot=lot,
        now=now - 20 * DAY,
        a={
            "declaration": True,
            "deuc": deuc_example(name="Nova", tax_id="B26111111", email="nova@example.org"),
        },
        b={str(quality.pk): "Plan técnico de Nova para el riego."},
        c={str(price.pk): "180000"},
    )
    bid_file_add(actor=nova, bid=bid, envelope="b", upload=_upload("nova.pdf"), now=now - 20 * DAY)
    bid = bid_submit(actor=nova, bid=bid, now=now - 20 * DAY)
    question = tender_question_ask(
        actor=nova, tender=tender, question="¿Cuántos parques?", now=now - 20 * DAY
    )
    fire_due_events(models=MACHINES, now=now)
    tender.refresh_from_db()
    return tender, bid, question


def build(*, capture) -> dict[str, dict[str, object]]:
    """Seed the demo (with the document library, every after-commit effect run) and the
    Terrassa side; return ``{kind: {"L": value, "T": value}}`` for the URL kwargs."""
    from documents import demo as documents_demo
    from documents.models import DocumentTemplate, GeneratedDocument
    from documents.services import document_order, template_create
    from procurement.core.models import InAppMessage
    from publication.models import OcdsRelease
    from tenders import demo as tenders_demo
    from tenders.consultation.services import attachment_add
    from tenders.models import Bid, Response, Tender, TenderQuestion

    now = timezone.now()
    with capture(execute=True):
        documents_demo.seed()
        tenders_demo.seed()
        t_public, t_consultation, t_response, t_attachment, t_clarification = (
            _terrassa_consultation(now)
        )
        t_closed, t_bid, t_question = _terrassa_tender_closed(now)
        t_private = Tender.objects.get(city__slug="terrassa", status="need_validated")
        t_private_doc = document_order(
            actor=_user("officer.terrassa"), process_id=t_private.pk, kind="justification_memo"
        )
        l_template = template_create(
            actor=_user("legal.logrono"), kind="pcap", language="es", name="PCAP de Logroño"
        )
        t_template = template_create(
            actor=_user("legal.terrassa"), kind="pcap", language="es", name="PCAP de Terrassa"
        )

    l_private = Tender.objects.get(city__slug="logrono", status="need_draft")
    l_public = Tender.objects.get(city__slug="logrono", status="consultation_open")
    l_consultation = l_public.consultation_for_engine()
    l_closed = Tender.objects.get(city__slug="logrono", status="tech_opened")
    acme = Supplier.objects.get(slug="acme")
    l_response = Response.objects.get(consultation=l_consultation, supplier=acme)
    l_attachment = attachment_add(
        actor=_user("supplier.acme"), response=l_response, upload=_upload("acme.pdf"), now=now
    )
    l_bid = Bid.objects.get(tender=l_closed, supplier=acme)
    # The demo's tender is past its bidding window, where asking is closed: the question is
    # written directly, as if asked in time.
    l_question = TenderQuestion.objects.create(
        tender=l_closed, asked_by=acme, question="¿Cuántos cruces?", created_at=now - 40 * DAY
    )
    l_signed = Tender.objects.get(city__slug="logrono", status="contract_signed")
    l_private_doc = GeneratedDocument.objects.get(tender=l_signed, kind="contract")
    l_public_doc = GeneratedDocument.objects.filter(tender=l_public, public=True).first()
    t_public_doc = GeneratedDocument.objects.filter(tender=t_public, public=True).first()
    library = DocumentTemplate.objects.filter(network__slug="reci", kind="pcap").first()
    assert l_public_doc and t_public_doc and library, "the document effects did not run"
    ocid = {
        side: OcdsRelease.objects.filter(tender_id=tender.pk).values_list("ocid", flat=True)[0]
        for side, tender in (("L", l_public), ("T", t_public))
    }
    cities = {c.slug: c for c in City.objects.all()}
    nova = Supplier.objects.get(slug="nova")
    notification, appeal, appeal_document = _notified_and_appealed(
        now, {"L": (l_closed, acme, "supplier.acme"), "T": (t_closed, nova, "supplier.nova")}
    )
    # An API token of each side's officer, by its public id (the key's first characters).
    api_token = {
        side: api_token_create(user=_user(username))[:15]
        for side, username in (("L", "officer.logrono"), ("T", "officer.terrassa"))
    }
    return {
        "tender_private": {"L": l_private.pk, "T": t_private.pk},
        "tender_public": {"L": l_public.pk, "T": t_public.pk},
        "tender_closed": {"L": l_closed.pk, "T": t_closed.pk},
        "consultation": {"L": l_consultation.pk, "T": t_consultation.pk},
        "question": {
            "L": l_consultation.questions.order_by("order").first().pk,
            "T": t_consultation.questions.order_by("order").first().pk,
        },
        "response": {"L": l_response.pk, "T": t_response.pk},
        "attachment": {"L": l_attachment.pk, "T": t_attachment.pk},
        "clarification": {
            "L": l_consultation.clarifications.get().pk,
            "T": t_clarification.pk,
        },
        "bid": {"L": l_bid.pk, "T": t_bid.pk},
        "lot": {"L": l_closed.lots.first().pk, "T": t_closed.lots.first().pk},
        "criterion": {"L": l_closed.criteria.first().pk, "T": t_closed.criteria.first().pk},
        "bid_file": {"L": l_bid.files.get().pk, "T": t_bid.files.get().pk},
        "tender_question": {"L": l_question.pk, "T": t_question.pk},
        "document_private": {"L": l_private_doc.pk, "T": t_private_doc.pk},
        "document_public": {"L": l_public_doc.pk, "T": t_public_doc.pk},
        "template": {"L": l_template.pk, "T": t_template.pk},
        "template_library": {"L": library.pk, "T": library.pk},
        "city": {"L": cities["logrono"].pk, "T": cities["terrassa"].pk},
        "city_slug": {"L": "logrono", "T": "terrassa"},
        "supplier": {"L": acme.pk, "T": nova.pk},
        "ocid": ocid,
        "api_token": api_token,
        "notification": notification,
        # The in-app message that told each side's supplier of its notification.
        "inapp_message": {
            side: InAppMessage.objects.get(key=f"matrix:exclusion:{side}").pk for side in ("L", "T")
        },
        "appeal": appeal,
        "appeal_document": appeal_document,
    }


def _notified_and_appealed(now: dt.datetime, sides: dict) -> tuple[dict, dict, dict]:
    """On each side's tender in evaluation, its supplier is notified of an exclusion and
    appeals it with a file, through the real services."""
    from tenders.appeals.services import appeal_lodge
    from tenders.models import Notification
    from tenders.process.services import notification_send

    notification, appeal, document = {}, {}, {}
    for side, (tender, supplier, username) in sides.items():
        notification[side] = notification_send(
            tender=tender,
            supplier_id=supplier.pk,
            kind=Notification.Kind.EXCLUSION,
            key=f"matrix:exclusion:{side}",
            subject="Exclusión de su oferta",
            body="La mesa excluye su oferta por no acreditar la solvencia técnica.",
            sent_at=now - DAY,
        ).pk
        lodged = appeal_lodge(
            actor=_user(username),
            tender=tender,
            act="exclusion",
            grounds="La solvencia técnica quedó acreditada con tres contratos similares.",
            uploads=[_upload(f"recurso-{side}.pdf")],
            now=now,
        )
        appeal[side] = lodged.pk
        document[side] = lodged.documents.get().pk
    return notification, appeal, document
