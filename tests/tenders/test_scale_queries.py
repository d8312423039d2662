"""The scale data set (``manage.py seed_scale``) and query counts that do not grow with it.

Tiny sizes only: these tests check shapes and counts, never time anything (the benchmark,
``make bench``, measures speed and stays out of the test suite).
"""

import pytest
from django.core.management import call_command
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from procurement.accounts.models import User
from tenders.models import Consultation, Response, Tender, TenderGroupObjectPermission

# The queries counted here are those of rendering the pages.
pytestmark = pytest.mark.usefixtures("no_page_cache")

SMALL = {
    "networks": 2,
    "cities": 3,
    "suppliers": 30,
    "consultations": 20,
    "responses": 100,
    "templates": 12,
}


def seed(processes: int) -> None:
    call_command("seed_scale", processes=processes, audit=processes * 3, stdout=_Null(), **SMALL)


class _Null:
    def write(self, *args, **kwargs) -> None:
        pass


def _api(username: str) -> APIClient:
    client = APIClient()
    client.force_authenticate(User.objects.get(username=username))
    return client


def _count(django_db_connection, call) -> int:
    with CaptureQueriesContext(django_db_connection) as captured:
        response = call()
    assert response.status_code == 200, response.content[:300]
    return len(captured)


@pytest.fixture
def django_db_connection(db):
    from django.db import connection

    return connection


def test_seed_scale_spreads_processes_over_every_procedure_and_grants_city_roles(db):
    seed(processes=150)
    assert Tender.objects.count() == 150
    assert Tender.objects.values("procedure").distinct().count() == 3
    assert Tender.objects.values("status").distinct().count() > 40
    assert Consultation.objects.count() == 20 and Response.objects.count() == 100
    # Officers, legal team, committee and administrators of the owning city: 9 grants a process.
    assert TenderGroupObjectPermission.objects.count() == 150 * 9
    officer = User.objects.get(username="scale-officer-0")
    own = Tender.objects.filter(city__slug="scale-city-0").first()
    other = Tender.objects.exclude(city__slug="scale-city-0").first()
    assert officer.has_perm("tenders.act_officer", own)
    assert not officer.has_perm("tenders.act_officer", other)


def test_seed_scale_refuses_a_second_run_on_the_same_database(db):
    seed(processes=30)
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        seed(processes=30)


LISTS = [
    ("scale-officer-0", "/api/v1/tenders/?page_size={n}"),
    ("scale-supplier-0", "/api/v1/consultations/?open=true&page_size={n}"),
    ("scale-legal-0", "/api/v1/templates/?page_size={n}"),
]


@pytest.mark.parametrize(("username", "path"), LISTS)
def test_list_queries_do_not_grow_with_page_size_or_rows(db, django_db_connection, username, path):
    seed(processes=60)
    client = _api(username)
    client.get(path.format(n=10))  # content types and permissions cached
    small = _count(django_db_connection, lambda: client.get(path.format(n=10)))
    large = _count(django_db_connection, lambda: client.get(path.format(n=100)))
    # A page with no next one knows the total without counting: one query fewer, never more.
    assert large <= small


def test_portal_network_filter_lists_each_process_once_in_constant_queries(
    db, client, django_db_connection
):
    seed(processes=60)
    client.get("/portal/")
    # A search counts what it found (one query more than the latest processes), whatever it
    # filters on.
    everything = _count(django_db_connection, lambda: client.get("/portal/?stage=need"))
    network = _count(django_db_connection, lambda: client.get("/portal/?network=scale-net-0"))
    assert network == everything
    from publication.portal.selectors import processes_search

    found = list(processes_search(network="scale-net-0").values_list("pk", flat=True))
    assert found and len(found) == len(set(found))
