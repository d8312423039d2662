import os

import pytest


def pytest_collection_modifyitems(config, items):
    """The soak takes minutes: it runs only when asked for (OPENCPI_SOAK=1, as CI's soak step
    and `make soak-ci` do), never as part of `make test`."""
    if os.environ.get("OPENCPI_SOAK") == "1":
        return
    skip = pytest.mark.skip(reason="the soak runs with OPENCPI_SOAK=1")
    for item in items:
        if "soak" in item.keywords:
            item.add_marker(skip)
