"""The registry between steps that wait for signed documents and the app that keeps them."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from workflows import signature_gates


def test_the_documents_app_registers_the_checker_at_start():
    from documents.signatures import signatures_missing

    assert signature_gates._checker == [signatures_missing]


def test_a_step_asking_with_no_checker_registered_is_a_configuration_error(monkeypatch):
    monkeypatch.setattr(signature_gates, "_checker", [])
    with pytest.raises(ImproperlyConfigured, match="No signature checker is registered"):
        signature_gates.signatures_missing(process=object(), kinds=("contract",))
