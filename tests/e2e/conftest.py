"""What the two end-to-end runs of an open procedure (API and browser) share: the figures and the
days on which each act happens. The acts are weeks apart, as in a real tender, on working days."""

import datetime as dt
from decimal import Decimal

import pytest

from tests.factories.walks import signed_pdf

VALUE = Decimal("300000.00")  # above the SARA threshold for services (LCSP art. 21)
LOT_VALUE = Decimal("250000.00")
AWARD_VALUE = "230000.00"

_MONDAY = dt.datetime(2026, 2, 2, 9, 0, tzinfo=dt.UTC)
ACT = [
    _MONDAY,  # the need, the specifications, the file and its pliegos
    _MONDAY + dt.timedelta(days=7),  # the notice
    _MONDAY + dt.timedelta(days=14),  # the correction of the PPT
    _MONDAY + dt.timedelta(days=21),  # the bids
    _MONDAY + dt.timedelta(days=63),  # evaluation and award, after the extended deadline
    _MONDAY + dt.timedelta(days=66),  # the appeal, in the standstill
    _MONDAY + dt.timedelta(days=80),  # the tribunal's resolution
    _MONDAY + dt.timedelta(days=91),  # the contract, once the 15 working days have run
]


def pdf(text: str) -> bytes:
    return signed_pdf(text)


@pytest.fixture
def library(demo):
    """The demo network with the RECI library of templates approved for Logroño, as `make run`
    seeds it: the city's PCAP is generated from its approved template."""
    from documents import demo as documents_demo

    documents_demo.seed()
    return demo
