"""The shortened soak (3 minutes of load by default, OPENCPI_SOAK_MINUTES): on the embedded
default (SQLite, the embedded broker) and on PostgreSQL with Redis. See tests/soak/soak.py."""

import os
from urllib.parse import urlparse

import pytest

from tests.soak.soak import main

MINUTES = os.environ.get("OPENCPI_SOAK_MINUTES", "3")
# Setup, the load, then up to seven minutes of draining: more than the suite's 300 s per test.
SOAK_TIMEOUT = int((float(MINUTES) + 7 + 5) * 60)


def _check(tmp_path, *extra: str) -> None:
    code = main(
        [
            "--minutes",
            MINUTES,
            "--users",
            "20",
            "--drain-minutes",
            "7",
            "--var",
            str(tmp_path),
            *extra,
        ]
    )
    assert code == 0, (tmp_path / "soak.json").read_text()


@pytest.mark.soak
@pytest.mark.timeout(SOAK_TIMEOUT)
def test_soak_on_the_embedded_default(tmp_path):
    _check(tmp_path)


@pytest.mark.soak
@pytest.mark.timeout(SOAK_TIMEOUT)
@pytest.mark.postgres
@pytest.mark.celery
def test_soak_on_postgresql_and_redis(tmp_path, settings):
    """Its own database (``opencpi_soak``, recreated) and Redis database 11, so it shares
    nothing with the rest of the suite (OPENCPI_SOAK_DATABASE_URL and OPENCPI_SOAK_BROKER_URL
    name others)."""
    database = settings.DATABASES["default"]
    url = os.environ.get(
        "OPENCPI_SOAK_DATABASE_URL",
        f"postgres://{database['USER']}@{database['HOST'] or '127.0.0.1'}:"
        f"{database['PORT'] or 5432}/opencpi_soak",
    )
    broker = urlparse(settings.CELERY_BROKER_URL)
    broker_url = os.environ.get("OPENCPI_SOAK_BROKER_URL", f"{broker.scheme}://{broker.netloc}/11")
    _check(tmp_path, "--database-url", url, "--broker-url", broker_url)
