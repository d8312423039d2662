"""The PostgreSQL connection's health check, asked at most once a second
(``procurement.core.postgresql``): a dropped connection is still replaced before a request
uses it, unless it answered less than a second ago; then one query fails and the connection is
replaced when that request ends."""

import time

import pytest
from django.db import OperationalError, connection, connections

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def _persistent():
    """A second connection to the test database, kept across requests as a web worker keeps
    its own (``CONN_MAX_AGE``; the tests' own connections close after each request)."""
    wrapper = connections.create_connection("default")
    wrapper.settings_dict = {**wrapper.settings_dict, "CONN_MAX_AGE": 600}
    return wrapper


@pytest.fixture
def other():
    wrapper = _persistent()
    wrapper.ensure_connection()
    yield wrapper
    wrapper.close()


def _pid(wrapper) -> int:
    with wrapper.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def _next_request(wrapper) -> None:
    """What Django does when a request starts (and ends): the health check is owed again."""
    wrapper.close_if_unusable_or_obsolete()


def _drop(pid: int) -> None:
    """The server ends that connection (a restart, a fail-over, an idle timeout)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid])
            if cursor.fetchone() is None:
                return
        time.sleep(0.02)


def test_the_backend_is_ours_on_postgresql():
    assert type(connections["default"]).__module__ == "procurement.core.postgresql.base"


def test_a_connection_checked_over_a_second_ago_is_checked_and_replaced(other):
    pid = _pid(other)
    _drop(pid)
    other.checked_at = time.monotonic() - 2
    _next_request(other)

    assert _pid(other) != pid  # no error: the check found it gone and opened another


def test_a_connection_checked_within_the_second_fails_one_query_then_is_replaced(other):
    pid = _pid(other)
    _drop(pid)
    other.checked_at = time.monotonic()  # it answered just before the server dropped it
    _next_request(other)

    with pytest.raises(OperationalError):
        _pid(other)
    _next_request(other)  # the request that met the error ends: Django closes the connection

    assert _pid(other) != pid


def test_a_busy_connection_is_checked_once_a_second():
    wrapper = _persistent()
    checks = []
    wrapper.is_usable = lambda: checks.append(1) or True
    try:
        wrapper.ensure_connection()  # opened now: good for a second
        wrapper.checked_at = time.monotonic()
        for _ in range(3):
            _next_request(wrapper)
            _pid(wrapper)
        wrapper.checked_at = time.monotonic() - 2
        for _ in range(3):
            _next_request(wrapper)
            _pid(wrapper)
    finally:
        wrapper.close()

    assert len(checks) == 1
