"""What API clients rely on in the OpenAPI schema, reduced to what must never be taken away.

Paths and their operations, each operation's parameters and response codes, and for every
component its properties and enum values. Descriptions and examples may change freely; anything
listed here may only gain entries.
"""

from typing import Any

METHODS = ("get", "put", "post", "patch", "delete")


def contract_of(schema: dict[str, Any]) -> dict[str, Any]:
    paths: dict[str, Any] = {}
    for path, item in schema.get("paths", {}).items():
        operations = {}
        for method in METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            operations[method] = {
                "parameters": sorted(
                    f"{p['in']}:{p['name']}" for p in operation.get("parameters", [])
                ),
                "responses": sorted(operation.get("responses", {})),
            }
        paths[path] = operations
    components: dict[str, Any] = {}
    for name, component in schema.get("components", {}).get("schemas", {}).items():
        components[name] = {
            "properties": sorted(component.get("properties", {})),
            "enum": sorted(str(value) for value in component.get("enum", [])),
        }
    return {"paths": paths, "components": components}


def removals(baseline: dict[str, Any], current: dict[str, Any], where: str = "") -> list[str]:
    """Everything ``baseline`` has that ``current`` lacks, each as a readable path."""
    if isinstance(baseline, dict):
        missing = []
        for key, value in baseline.items():
            if key not in current:
                missing.append(f"{where}/{key}")
            else:
                missing.extend(removals(value, current[key], f"{where}/{key}"))
        return missing
    if isinstance(baseline, list):
        return [f"{where}: {item}" for item in baseline if item not in current]
    return []
