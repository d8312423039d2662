"""One eForms validator per test session: loaded once from ../shared/eforms, its XSLT cache
warmed once (``prepare``); each subtype's schematron is then compiled once per process."""

import time

import pytest

from publication.eforms.builder import SUBTYPES

TIMINGS: dict[str, float] = {}


@pytest.fixture(scope="session")
def eforms_validator():
    from publication.eforms.validation import cache_warm, validator

    started = time.monotonic()
    module = validator()
    cache_warm(list(SUBTYPES))
    TIMINGS["prepare"] = time.monotonic() - started
    return module


@pytest.fixture
def eforms_on(settings, eforms_validator, demo):
    """Notices are built on the published steps' effects, with the demo's buyer profiles."""
    from publication.eforms import demo as eforms_demo

    settings.EFORMS_BUILD_ON_EFFECTS = True
    eforms_demo.seed()
    return eforms_validator
