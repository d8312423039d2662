"""The public portal, its Atom feed and the network indicators: no login, only what is published."""

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tenders.models import Tender
from tests.factories.tenders import make_tender
from workflows.services import transition_perform

DAY = dt.timedelta(days=1)


def test_an_anonymous_visitor_reads_a_citys_demand_map_and_consultations(demo_processes, client):
    page = client.get("/portal/cities/logrono/").content.decode()
    assert "Red de sensores de calidad del aire en tiempo real" in page  # in the demand map
    assert "Consulta preliminar: sensórica de bajo coste" in page  # open consultation
    # A need only drafted is private to its city.
    assert "Alumbrado público adaptativo" not in page
    assert client.get("/portal/cities/nowhere/").status_code == 404


def test_the_portal_never_shows_an_unpublished_process_or_consultation(demo, client):
    hidden = make_tender(city=demo.city("logrono"), state="consultation_draft", title="Secreto")
    assert client.get(f"/portal/processes/{hidden.pk}/").status_code == 404
    page = client.get("/portal/?q=Secreto").content.decode()
    assert "0 processes found" in page and f"/portal/processes/{hidden.pk}/" not in page


def test_search_by_text_cpv_city_network_and_status(demo_processes, client):
    def titles(query: str) -> str:
        return client.get(f"/portal/?{query}").content.decode()

    air = "Red de sensores de calidad del aire"
    leaks = "Predicción de fugas en la red de agua"
    assert air in titles("q=calidad+del+aire") and leaks not in titles("q=calidad+del+aire")
    assert air in titles("cpv=48810000") and leaks not in titles("cpv=48810000")
    assert leaks in titles("cpv=731") and air not in titles("cpv=731")
    assert air in titles("city=logrono") and air not in titles("city=terrassa")
    assert air in titles("network=reci")
    assert air in titles("stage=consultation") and air not in titles("stage=tendering")
    # The PCP runs its phase 2: it is in execution.
    assert leaks in titles("stage=execution") and leaks not in titles("stage=tendering")


def test_a_published_report_is_readable_without_login_and_shows_no_answer(
    open_consultation, client, demo
):
    from tenders.consultation.services import consultation_report_save, question_summary_save
    from workflows.registry import MACHINES
    from workflows.services import fire_due_events

    officer = demo.user("officer.logrono")
    assert client.get(f"/portal/consultations/{open_consultation.pk}/report/").status_code == 404
    after = open_consultation.closes_at + dt.timedelta(minutes=1)
    fire_due_events(models=MACHINES, now=after)
    tender = Tender.objects.get(pk=open_consultation.tender_id)
    tender = transition_perform(process=tender, name="draft_report", actor=officer, now=after)
    consultation_report_save(actor=officer, tender=tender, report="Sensores calibrables in situ.")
    for question in open_consultation.questions.all():
        question_summary_save(actor=officer, question=question, text=f"Resumen {question.order}.")
    transition_perform(process=tender, name="publish_report", actor=officer, now=after)
    page = client.get(f"/portal/consultations/{open_consultation.pk}/report/").content.decode()
    assert "Resumen 1." in page and "Sensores calibrables in situ." in page
    assert "Acme Smart Solutions S.L." in page
    assert "aprendizaje automático" not in page
    city = client.get("/portal/cities/logrono/").content.decode()
    assert f"/portal/consultations/{open_consultation.pk}/report/" in city


def test_pages_have_landmarks_labels_and_a_phone_viewport(demo_processes, client):
    page = client.get("/portal/").content.decode()
    assert 'name="viewport"' in page and "<main" in page and 'role="search"' in page
    for field in ("portal-q", "portal-cpv", "portal-city", "portal-network", "portal-stage"):
        assert f'for="{field}"' in page and f'id="{field}"' in page
    assert 'aria-label="Open data portal"' in page


def test_the_atom_feed_lists_new_publications(demo, client, django_capture_on_commit_callbacks):
    officer = demo.user("officer.logrono")
    tender = make_tender(city=demo.city("logrono"), title="Papeleras que avisan cuando se llenan")
    with django_capture_on_commit_callbacks(execute=True):
        tender = transition_perform(process=tender, name="validate_need", actor=officer)
        transition_perform(process=tender, name="publish_demand_map", actor=officer)
    response = client.get("/portal/feed/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    body = response.content.decode()
    assert "Papeleras que avisan cuando se llenan" in body
    assert f"/portal/processes/{tender.pk}/" in body


def test_indicators_per_city_and_network_as_json_and_charts(demo_processes, client, api_as):
    data = api_as(None).get("/api/v1/indicators/").json()
    reci = next(n for n in data["networks"] if n["slug"] == "reci")
    logrono = next(c for c in data["cities"] if c["slug"] == "logrono")["indicators"]
    published = Tender.objects.filter(city__slug="logrono", first_published_at__isnull=False)
    assert logrono["processes"] == published.count()
    assert logrono["processes_by_procedure"]["pcp"] >= 1
    assert sum(logrono["processes_by_stage"].values()) == logrono["processes"]
    assert logrono["median_days_by_stage"]["need"] is not None
    assert reci["indicators"]["processes"] >= logrono["processes"]
    page = client.get("/portal/indicators/").content.decode()
    assert "<svg" in page and 'role="img"' in page and "<script" not in page.split("<main")[1]


def test_indicators_api_and_portal_pages_run_a_constant_number_of_queries(demo, client, api_as):
    api = api_as(None)

    def count(url: str, fetch) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert fetch(url).status_code == 200
        return len(queries)

    officer = demo.user("officer.logrono")
    first = make_tender(city=demo.city("logrono"), title="Uno")
    first = transition_perform(process=first, name="validate_need", actor=officer)
    transition_perform(process=first, name="publish_demand_map", actor=officer)
    urls = ["/api/v1/indicators/", "/portal/", "/portal/cities/logrono/", "/portal/indicators/"]
    few = {url: count(url, api.get if url.startswith("/api") else client.get) for url in urls}
    for n in range(5):
        more = make_tender(city=demo.city("logrono"), title=f"Más {n}")
        more = transition_perform(process=more, name="validate_need", actor=officer)
        transition_perform(process=more, name="publish_demand_map", actor=officer)
    for url in urls:
        fetch = api.get if url.startswith("/api") else client.get
        assert count(url, fetch) == few[url], url


def test_the_portal_shows_each_phase_of_a_pcp_and_a_partnership_and_never_offers_or_terms(
    demo_processes, client
):
    from tenders.models import PhaseContract

    leaks = Tender.objects.get(title__startswith="Predicción de fugas")
    page = client.get(f"/portal/processes/{leaks.pk}/").content.decode()
    phases = page[page.index('data-testid="phases"') :]
    assert "Diseño de la solución" in phases and "Prueba de campo" in phases
    assert "Arquitectura del modelo predictivo" in phases  # the objectives
    assert "60 days" in phases and "120 days" in phases
    # Phase 1 shows its three suppliers and the gate's outcome; phase 2 runs unevaluated.
    first = phases[phases.index('data-testid="phase-1"') : phases.index('data-testid="phase-2"')]
    assert "Universidad de La Rioja" in first and "not kept" in first and "84.00" in first
    second = phases[phases.index('data-testid="phase-2"') : phases.index('data-testid="phase-3"')]
    assert "Acme Smart Solutions" in second and "not evaluated yet" in second
    assert "Universidad de La Rioja" not in second
    # Never a sealed offer, a price, a milestone or a contract's terms.
    contract = PhaseContract.objects.filter(phase__tender=leaks).first()
    for private in ("Modelo de aprendizaje automático", "52.000", "52,000", contract.call_back):
        assert private not in page
    for milestone in contract.milestones.all():
        assert milestone.title not in page

    shuttle = Tender.objects.get(title__startswith="Lanzadera")
    page = client.get(f"/portal/processes/{shuttle.pk}/").content.decode()
    phases = page[page.index('data-testid="phases"') :]
    assert "Prototipo en circuito cerrado" in phases and "Piloto en el centro histórico" in phases
    assert "Nova Urban Robotics" in phases and "not evaluated yet" in phases
    assert "conducción autónoma de nivel 4" not in page  # the final offers' plan
    assert "flota eléctrica propia" not in page  # the requests to participate


def test_a_cpti_process_page_has_no_phases(demo_processes, client):
    robots = Tender.objects.get(title__startswith="Robots autónomos")
    page = client.get(f"/portal/processes/{robots.pk}/").content.decode()
    assert 'data-testid="phases"' not in page
