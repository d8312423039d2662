"""Public portal pages: parse the request, call one selector, render. No login anywhere.

Each page is cached for anonymous visitors until the published data changes
(``procurement.core.public_cache``)."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from procurement.core.exceptions import NotFound
from procurement.core.paging import page_rows
from procurement.core.public_cache import public_page
from publication.eforms.selectors import finding_words, notices_for_user
from publication.indicators import indicators_compute
from publication.portal import selectors
from publication.portal.charts import bar_chart
from tenders.consultation.selectors import consultation_report_data
from tenders.procedures import PROCEDURE_CHOICES, STAGES


def _or_404(call, **kwargs):
    try:
        return call(**kwargs)
    except NotFound as error:
        raise Http404(error.message) from error


@public_page
def home(request: HttpRequest) -> HttpResponse:
    filters = {
        key: request.GET.get(key, "").strip()[:200]
        for key in ("q", "cpv", "city", "network", "stage")
    }
    processes = selectors.processes_search(**filters)
    searched = any(filters.values())
    return render(
        request,
        "portal/home.html",
        {
            "filters": filters,
            "pager": page_rows(request, processes, size=20),
            "found": selectors.processes_found(processes) if searched else None,
            "found_limit": selectors.FOUND_LIMIT,
            "directory": selectors.directory(),
            "stages": STAGES,
            "searched": searched,
        },
    )


@public_page
def city(request: HttpRequest, slug: str) -> HttpResponse:
    city = _or_404(selectors.city_get_public, slug=slug)
    return render(request, "portal/city.html", {"portal": selectors.city_portal(city=city)})


@public_page
def process(request: HttpRequest, pk: int) -> HttpResponse:
    portal = _or_404(selectors.process_get_public, pk=pk)
    notices, private = notices_for_user(user=request.user, tender_id=pk)
    rows = [
        {
            "notice": notice,
            "failed": [finding_words(f) for f in notice.findings if f.get("severity") == "ERROR"]
            if private and not notice.is_valid
            else [],
        }
        for notice in notices
    ]
    return render(
        request,
        "portal/process.html",
        {"portal": portal, "tender": portal.tender, "notices": rows, "notices_private": private},
    )


@public_page
def consultation_report(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = _or_404(selectors.consultation_report_public, pk=pk)
    return render(
        request,
        "portal/consultation_report.html",
        {
            "consultation": consultation,
            "tender": consultation.tender,
            "report": consultation_report_data(consultation=consultation),
        },
    )


@public_page
def indicators(request: HttpRequest) -> HttpResponse:
    data = indicators_compute()
    stage_labels = dict(STAGES)
    procedure_labels = dict(PROCEDURE_CHOICES)
    networks = []
    for network in data["networks"]:
        values = network["indicators"]
        networks.append(
            {
                **network,
                "by_stage": [
                    (stage_labels[s], values["processes_by_stage"][s]) for s in data["stages"]
                ],
                "by_procedure": [
                    (procedure_labels[p], values["processes_by_procedure"][p])
                    for p in data["procedures"]
                ],
                "days": [
                    (stage_labels[s], values["median_days_by_stage"][s]) for s in data["stages"]
                ],
                "charts": [
                    bar_chart(
                        chart_id=f"stages-{network['slug']}",
                        title=_("%(network)s: processes by stage") % {"network": network["name"]},
                        rows=[
                            (stage_labels[s], values["processes_by_stage"][s])
                            for s in data["stages"]
                        ],
                    ),
                    bar_chart(
                        chart_id=f"days-{network['slug']}",
                        title=_("%(network)s: median days per stage")
                        % {"network": network["name"]},
                        rows=[
                            (stage_labels[s], values["median_days_by_stage"][s])
                            for s in data["stages"]
                        ],
                        unit=" " + _("d"),
                    ),
                ],
            }
        )
    cities = data["cities"]
    city_charts = [
        bar_chart(
            chart_id="city-processes",
            title=_("Published CPI processes per city"),
            rows=[(c["name"], c["indicators"]["processes"]) for c in cities],
        ),
        bar_chart(
            chart_id="city-sme",
            title=_("Share of SMEs among the suppliers that answered consultations"),
            rows=[
                (
                    c["name"],
                    None
                    if c["indicators"]["sme_share"] is None
                    else round(100 * c["indicators"]["sme_share"]),
                )
                for c in cities
            ],
            unit=" %",
        ),
    ]
    return render(
        request,
        "portal/indicators.html",
        {"networks": networks, "cities": cities, "city_charts": city_charts, "data": data},
    )
