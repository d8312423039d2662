"""The API does what the officers' consultation forms do: change the draft and its
questionnaire, review responses, summarise the answers, write the report; and what a supplier's
subscriptions page does. Same services, same permissions, same refusals."""

import datetime as dt

import pytest
from django.utils import timezone

from tenders.consultation.services import consultation_save, question_save
from tenders.models import Question, QuestionSummary, ResponseReview, SupplierSubscription
from tenders.procedures import S, T
from tests.factories.tenders import make_tender
from workflows.registry import MACHINES
from workflows.services import fire_due_events, transition_perform

# The demo processes are seeded once for the module (tests/conftest.py module_world).
pytestmark = pytest.mark.usefixtures("module_demo_processes")

DAY = dt.timedelta(days=1)


@pytest.fixture
def draft(demo):
    """A Logroño process preparing its consultation, with a two-question draft."""
    officer = demo.user("officer.logrono")
    tender = make_tender(city=demo.city("logrono"), state=S.CONSULTATION_DRAFT)
    now = timezone.now()
    consultation = consultation_save(
        actor=officer,
        tender=tender,
        subject="Smart benches",
        background="The squares have no shade.",
        opens_at=now + 2 * DAY,
        closes_at=now + 30 * DAY,
    )
    question_save(actor=officer, consultation=consultation, text="Your solution?", required=True)
    question_save(actor=officer, consultation=consultation, text="Price per unit", kind="number")
    return consultation


# --- the draft (the process page's consultation form) --------------------------------------


def test_an_officer_changes_the_drafted_consultation_and_what_is_not_given_stays(api_as, draft):
    closes = draft.closes_at + 5 * DAY
    response = api_as("officer.logrono").patch(
        f"/api/v1/consultations/{draft.pk}/",
        {
            "subject": "Smart benches with shade",
            "closes_at": closes.isoformat(),
            "advisers": [{"name": "Dra. Ruiz", "reason": "Urban furniture expert"}],
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["subject"] == "Smart benches with shade"
    assert body["advisers"] == [{"name": "Dra. Ruiz", "reason": "Urban furniture expert"}]
    assert [q["text"] for q in body["questions"]] == ["Your solution?", "Price per unit"]
    draft.refresh_from_db()
    assert draft.closes_at == closes
    assert draft.background == "The squares have no shade."


def test_a_consultation_closing_before_it_opens_is_refused_and_the_draft_kept(api_as, draft):
    response = api_as("officer.logrono").patch(
        f"/api/v1/consultations/{draft.pk}/",
        {"subject": "Changed", "closes_at": (draft.opens_at - DAY).isoformat()},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["errors"]["closes_at"] == ["The consultation must close after it opens."]
    draft.refresh_from_db()
    assert draft.subject == "Smart benches"


def test_an_adviser_without_the_reason_for_choosing_them_is_refused(api_as, draft):
    response = api_as("officer.logrono").patch(
        f"/api/v1/consultations/{draft.pk}/",
        {"advisers": [{"name": "Dra. Ruiz", "reason": ""}]},
        format="json",
    )
    assert response.status_code == 400
    assert "advisers" in response.json()["errors"]


@pytest.mark.parametrize(
    ("username", "status"),
    [(None, 401), ("officer.terrassa", 404), ("legal.logrono", 403), ("supplier.acme", 404)],
)
def test_only_the_citys_officers_change_the_draft(api_as, draft, username, status):
    response = api_as(username).patch(
        f"/api/v1/consultations/{draft.pk}/", {"subject": "Hijacked"}, format="json"
    )
    assert response.status_code == status
    draft.refresh_from_db()
    assert draft.subject == "Smart benches"


def test_another_citys_consultation_answers_as_a_missing_one(api_as, open_consultation):
    api = api_as("officer.terrassa")
    theirs = api.patch(f"/api/v1/consultations/{open_consultation.pk}/", {}, format="json")
    missing = api.patch("/api/v1/consultations/999999/", {}, format="json")
    assert theirs.status_code == missing.status_code == 404
    assert theirs.json() == missing.json()


def test_a_published_consultation_cannot_be_redrafted(api_as, open_consultation):
    response = api_as("officer.logrono").patch(
        f"/api/v1/consultations/{open_consultation.pk}/", {"subject": "Late"}, format="json"
    )
    assert response.status_code == 409
    open_consultation.refresh_from_db()
    assert open_consultation.subject != "Late"


def test_the_list_writes_each_consultation_as_its_serializer_does(api_as, draft):
    """The list builds its items from plain rows (speed, issue #20): the same JSON as
    ``ConsultationSerializer``, with advisers, codes, a draft's phase and local times."""
    from tenders.consultation.api import ConsultationSerializer
    from tenders.models import Consultation

    officer = api_as("officer.logrono")
    officer.patch(
        f"/api/v1/consultations/{draft.pk}/",
        {
            "advisers": [{"name": "Dra. Ruiz", "reason": "Urban furniture expert"}],
            "cpv_codes": ["34928400-2"],
        },
        format="json",
    )
    listed = {}
    page = "/api/v1/consultations/?page_size=100"
    while page:
        body = officer.get(page).json()
        listed.update({item["id"]: item for item in body["results"]})
        page = body["next"]
    assert draft.pk in listed
    for consultation in Consultation.objects.filter(pk__in=listed).select_related("tender__city"):
        assert listed[consultation.pk] == ConsultationSerializer(consultation).data
    assert listed[draft.pk]["phase"] == "draft"
    assert listed[draft.pk]["advisers"] == [
        {"name": "Dra. Ruiz", "reason": "Urban furniture expert"}
    ]


# --- the questionnaire -----------------------------------------------------------------------


def test_an_officer_adds_changes_and_deletes_questions_and_the_rest_are_renumbered(api_as, draft):
    api = api_as("officer.logrono")
    added = api.post(
        f"/api/v1/consultations/{draft.pk}/questions/",
        {"text": "Maturity", "kind": "single", "choices": ["lab", "pilot"], "required": True},
        format="json",
    )
    assert added.status_code == 201, added.json()
    assert (added.json()["order"], added.json()["choices"]) == (3, ["lab", "pilot"])
    changed = api.patch(
        f"/api/v1/questions/{added.json()['id']}/",
        {"choices": ["lab", "pilot", "product"]},
        format="json",
    )
    assert changed.status_code == 200, changed.json()
    assert changed.json()["text"] == "Maturity" and changed.json()["required"] is True
    first = draft.questions.get(order=1)
    assert api.delete(f"/api/v1/questions/{first.pk}/").status_code == 204
    questions = api.get(f"/api/v1/consultations/{draft.pk}/").json()["questions"]
    assert [(q["order"], q["text"]) for q in questions] == [(1, "Price per unit"), (2, "Maturity")]
    assert questions[1]["choices"] == ["lab", "pilot", "product"]


def test_a_choice_question_with_one_choice_is_refused_and_nothing_added(api_as, draft):
    response = api_as("officer.logrono").post(
        f"/api/v1/consultations/{draft.pk}/questions/",
        {"text": "Maturity", "kind": "single", "choices": ["lab"]},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["errors"]["choices"] == [
        "A choice question needs between 2 and 50 different choices."
    ]
    assert draft.questions.count() == 2


def test_the_questionnaire_is_fixed_once_the_consultation_is_published(api_as, open_consultation):
    api = api_as("officer.logrono")
    question = open_consultation.questions.order_by("order").first()
    added = api.post(
        f"/api/v1/consultations/{open_consultation.pk}/questions/", {"text": "Late"}, format="json"
    )
    deleted = api.delete(f"/api/v1/questions/{question.pk}/")
    assert added.status_code == deleted.status_code == 409
    assert "fixed once the consultation is published" in deleted.json()["detail"]
    assert Question.objects.filter(pk=question.pk).exists()


@pytest.mark.parametrize("username", ["officer.terrassa", "supplier.acme"])
def test_another_citys_question_answers_as_a_missing_one(api_as, draft, username):
    api = api_as(username)
    question = draft.questions.first()
    theirs = api.delete(f"/api/v1/questions/{question.pk}/")
    missing = api.delete("/api/v1/questions/999999/")
    assert theirs.status_code == missing.status_code == 404
    assert theirs.json() == missing.json()
    assert Question.objects.filter(pk=question.pk).exists()


# --- after the close: the review, the summaries, the report ---------------------------------


def _close(consultation):
    fire_due_events(models=MACHINES, now=consultation.closes_at + dt.timedelta(minutes=1))
    consultation.tender.refresh_from_db()
    assert consultation.tender.status == S.CONSULTATION_CLOSED
    return consultation.tender


def test_officers_review_a_submitted_response_with_notes_and_tags(
    api_as, open_consultation, django_assert_max_num_queries
):
    response = open_consultation.responses.get(supplier__slug="acme")
    api = api_as("legal.logrono")
    saved = api.put(
        f"/api/v1/responses/{response.pk}/review/",
        {"notes": "Promising calibration.", "tags": ["Sensors", "pilot", "sensors"]},
        format="json",
    )
    assert saved.status_code == 200, saved.json()
    officer = api_as("officer.logrono")
    with django_assert_max_num_queries(8):
        read = officer.get(f"/api/v1/responses/{response.pk}/review/")
    assert read.status_code == 200
    assert (read.json()["notes"], read.json()["tags"]) == (
        "Promising calibration.",
        ["pilot", "sensors"],
    )


def test_a_response_not_yet_reviewed_reads_as_an_empty_review(api_as, open_consultation):
    response = open_consultation.responses.get(supplier__slug="nova")
    read = api_as("officer.logrono").get(f"/api/v1/responses/{response.pk}/review/")
    assert read.status_code == 200
    assert (read.json()["notes"], read.json()["tags"]) == ("", [])


@pytest.mark.parametrize(
    "username", ["supplier.acme", "supplier.nova", "committee.logrono", "officer.terrassa"]
)
def test_the_review_is_the_citys_and_nobody_elses(api_as, open_consultation, username):
    response = open_consultation.responses.get(supplier__slug="acme")
    api = api_as(username)
    read = api.get(f"/api/v1/responses/{response.pk}/review/")
    written = api.put(
        f"/api/v1/responses/{response.pk}/review/", {"notes": "Mine now"}, format="json"
    )
    assert read.status_code == written.status_code == 404
    assert read.json() == api.get("/api/v1/responses/999999/review/").json()
    assert not ResponseReview.objects.filter(response=response).exists()


def test_tags_must_be_a_list(api_as, open_consultation):
    response = open_consultation.responses.get(supplier__slug="acme")
    refused = api_as("officer.logrono").put(
        f"/api/v1/responses/{response.pk}/review/", {"tags": "a,b"}, format="json"
    )
    assert refused.status_code == 400
    assert "tags" in refused.json()["errors"]


def test_officers_summarise_the_answers_and_write_the_report_through_the_api(
    api_as, open_consultation, django_assert_max_num_queries
):
    tender = _close(open_consultation)
    api = api_as("officer.logrono")
    questions = list(open_consultation.questions.order_by("order"))
    summaries = api.post(
        f"/api/v1/consultations/{open_consultation.pk}/summaries/",
        {"summaries": [{"question": q.pk, "text": f"Summary {q.order}."} for q in questions]},
        format="json",
    )
    assert summaries.status_code == 200, summaries.json()
    assert len(summaries.json()) == len(questions)
    early = api.put(
        f"/api/v1/consultations/{open_consultation.pk}/report/", {"report": "Early"}, format="json"
    )
    assert early.status_code == 409  # the report is drafted in its own step
    officer = open_consultation.tender.city.memberships.get(role="officer").user
    now = open_consultation.closes_at + dt.timedelta(hours=1)
    tender = transition_perform(process=tender, name=T.DRAFT_REPORT, actor=officer, now=now)
    written = api.put(
        f"/api/v1/consultations/{open_consultation.pk}/report/",
        {"report": "The answers led to sensors calibrated on site."},
        format="json",
    )
    assert written.status_code == 200, written.json()
    with django_assert_max_num_queries(10):
        report = api.get(f"/api/v1/consultations/{open_consultation.pk}/report/")
    body = report.json()
    assert body["report"] == "The answers led to sensors calibrated on site."
    assert [q["summary"] for q in body["questions"]] == [f"Summary {q.order}." for q in questions]
    assert "aprendizaje automático" not in report.content.decode(), "an answer reached the report"
    # Not public until published; then every visitor reads it.
    anonymous = api_as(None)
    assert anonymous.get(f"/api/v1/consultations/{open_consultation.pk}/report/").status_code == 404
    transition_perform(process=tender, name=T.PUBLISH_REPORT, actor=officer, now=now)
    public = anonymous.get(f"/api/v1/consultations/{open_consultation.pk}/report/")
    assert public.status_code == 200
    assert public.json()["published_at"] is not None


def test_summaries_wait_for_the_close(api_as, open_consultation):
    question = open_consultation.questions.first()
    refused = api_as("officer.logrono").post(
        f"/api/v1/consultations/{open_consultation.pk}/summaries/",
        {"summaries": [{"question": question.pk, "text": "Too early."}]},
        format="json",
    )
    assert refused.status_code == 409
    assert refused.json()["detail"] == "Answers are summarised after the consultation closes."
    assert not QuestionSummary.objects.filter(question__consultation=open_consultation).exists()


def test_a_summary_of_a_question_from_elsewhere_refuses_them_all(api_as, open_consultation, draft):
    _close(open_consultation)
    own = open_consultation.questions.first()
    foreign = draft.questions.first()
    refused = api_as("officer.logrono").post(
        f"/api/v1/consultations/{open_consultation.pk}/summaries/",
        {
            "summaries": [
                {"question": own.pk, "text": "Fine."},
                {"question": foreign.pk, "text": "Not this consultation's."},
            ]
        },
        format="json",
    )
    assert refused.status_code == 400
    assert str(foreign.pk) in refused.json()["errors"]["summaries"][0]
    assert not QuestionSummary.objects.filter(question__consultation=open_consultation).exists()


@pytest.mark.parametrize(
    ("username", "status"),
    [(None, 401), ("legal.logrono", 403), ("officer.terrassa", 404), ("supplier.acme", 404)],
)
def test_only_the_citys_officers_summarise(api_as, open_consultation, username, status):
    _close(open_consultation)
    question = open_consultation.questions.first()
    response = api_as(username).post(
        f"/api/v1/consultations/{open_consultation.pk}/summaries/",
        {"summaries": [{"question": question.pk, "text": "Theirs."}]},
        format="json",
    )
    assert response.status_code == status
    assert not QuestionSummary.objects.filter(question__consultation=open_consultation).exists()


# --- a supplier's subscriptions -------------------------------------------------------------


def test_a_supplier_subscribes_to_cpv_codes_and_cities_through_the_api(
    api_as, demo, django_assert_max_num_queries
):
    acme = demo.supplier("acme")
    api = api_as("supplier.acme")
    logrono = demo.city("logrono")
    saved = api.put(
        f"/api/v1/suppliers/{acme.pk}/subscription/",
        {"cpv_prefixes": ["72000000-5", "3865"], "cities": [logrono.pk], "email": "bids@acme.es"},
        format="json",
    )
    assert saved.status_code == 200, saved.json()
    with django_assert_max_num_queries(6):
        read = api.get(f"/api/v1/suppliers/{acme.pk}/subscription/")
    assert read.json() == {
        "supplier": acme.pk,
        "cpv_prefixes": ["3865", "72"],
        "cities": [logrono.pk],
        "email": "bids@acme.es",
    }


def test_a_supplier_with_no_subscription_reads_an_empty_one(api_as, demo):
    nova = demo.supplier("nova")
    read = api_as("supplier.nova").get(f"/api/v1/suppliers/{nova.pk}/subscription/")
    assert read.status_code == 200
    assert (read.json()["cpv_prefixes"], read.json()["cities"]) == ([], [])


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"cpv_prefixes": ["not-a-code"]}, "cpv_prefixes"),
        ({"cities": [999999]}, "cities"),
        ({"email": "not an address"}, "email"),
    ],
)
def test_bad_subscriptions_are_refused_and_the_old_one_kept(api_as, demo, body, field):
    acme = demo.supplier("acme")
    api = api_as("supplier.acme")
    url = f"/api/v1/suppliers/{acme.pk}/subscription/"
    assert api.put(url, {"cpv_prefixes": ["72"]}, format="json").status_code == 200
    refused = api.put(url, body, format="json")
    assert refused.status_code == 400
    assert field in refused.json()["errors"]
    assert SupplierSubscription.objects.get(supplier=acme).cpv_prefixes == ["72"]


@pytest.mark.parametrize("username", ["supplier.nova", "officer.logrono", "admin"])
def test_a_suppliers_subscriptions_are_its_representatives_alone(api_as, demo, username):
    acme = demo.supplier("acme")
    api = api_as(username)
    read = api.get(f"/api/v1/suppliers/{acme.pk}/subscription/")
    written = api.put(
        f"/api/v1/suppliers/{acme.pk}/subscription/", {"cpv_prefixes": ["72"]}, format="json"
    )
    missing = api.get("/api/v1/suppliers/999999/subscription/")
    assert read.status_code == written.status_code == missing.status_code == 404
    assert read.json() == missing.json()
    assert not SupplierSubscription.objects.filter(supplier=acme).exists()


def test_the_web_summaries_form_and_the_api_write_the_same_summaries(
    api_as, login, open_consultation
):
    _close(open_consultation)
    first, second = open_consultation.questions.order_by("order")[:2]
    page = login("officer.logrono").post(
        f"/consultations/{open_consultation.pk}/summaries/",
        {f"summary_{first.pk}": "Written on the web.", f"summary_{second.pk}": "  "},
    )
    assert page.status_code == 302
    api_as("officer.logrono").post(
        f"/api/v1/consultations/{open_consultation.pk}/summaries/",
        {"summaries": [{"question": second.pk, "text": "Written through the API."}]},
        format="json",
    )
    report = api_as("officer.logrono").get(f"/api/v1/consultations/{open_consultation.pk}/report/")
    assert [q["summary"] for q in report.json()["questions"]][:2] == [
        "Written on the web.",
        "Written through the API.",
    ]
