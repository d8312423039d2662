"""The OpenAPI schema only grows: nothing that clients used before is taken away.

``contract-baseline.json`` is the contract of the schema as it stood before the architecture
move (#13); a change that removes a path, an operation, a parameter, a response code, a
component, a property or an enum value fails here. Additions pass. When an endpoint is really
retired on purpose, regenerate the baseline in the same change and say why.
"""

import json
from pathlib import Path

from django.urls import reverse

from tests.api.contract import contract_of, removals

BASELINE = Path(__file__).with_name("contract-baseline.json")


def test_the_schema_keeps_everything_it_offered(client):
    response = client.get(reverse("api-schema"), {"format": "json"})
    assert response.status_code == 200
    current = contract_of(json.loads(response.content))
    baseline = json.loads(BASELINE.read_text())
    assert removals(baseline, current) == []


def test_a_removed_operation_is_caught():
    baseline = json.loads(BASELINE.read_text())
    path = next(iter(baseline["paths"]))
    method = next(iter(baseline["paths"][path]))
    current = json.loads(BASELINE.read_text())
    del current["paths"][path][method]
    component = next(name for name, c in current["components"].items() if c["properties"])
    current["components"][component]["properties"] = []
    found = removals(baseline, current)
    assert f"/paths/{path}/{method}" in found
    assert any(item.startswith(f"/components/{component}/properties") for item in found)
