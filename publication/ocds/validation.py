"""Validation of packages against the official OCDS 1.1.5 schemas, fully offline.

``package_errors`` runs JSON Schema Draft 4 with the local schema files registered under their
canonical URLs (as ``../shared/ocds/offline_validate.py`` does), so the record package's
reference to the versioned release schema is never fetched. ``closed_codelist_errors`` checks
every field the schema marks ``"openCodelist": false`` against its CSV, whether or not the schema
carries the codes as an ``enum``.
"""

from typing import Any

from jsonschema import Draft4Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from publication.ocds import schema as ocds_schema


def _registry() -> Registry:
    return Registry().with_resources(
        (
            f"{ocds_schema.SCHEMA_URL}{name}",
            Resource.from_contents(ocds_schema.schema(name), default_specification=DRAFT4),
        )
        for name in ocds_schema.SCHEMA_FILES
    )


def package_errors(package: dict[str, Any], *, kind: str = "release") -> list[str]:
    """Schema errors of a ``release`` or ``record`` package, as ``path -> message`` lines."""
    validator = Draft4Validator(
        ocds_schema.schema(f"{kind}-package-schema.json"),
        registry=_registry(),
        format_checker=FormatChecker(),
    )
    return [
        "/".join(map(str, error.absolute_path)) + " -> " + error.message
        for error in validator.iter_errors(package)
    ]


def closed_codelist_errors(package: dict[str, Any]) -> list[str]:
    """Values outside closed codelists in every release (and compiled release) of a package."""
    release_schema = ocds_schema.schema("release-schema.json")
    releases = list(package.get("releases", []))
    for record in package.get("records", []):
        releases += [r for r in record.get("releases", []) if "ocid" in r]
        if "compiledRelease" in record:
            releases.append(record["compiledRelease"])
    errors: list[str] = []
    for release in releases:
        _walk(release, release_schema, release_schema, release.get("id", "?"), errors)
    return errors


def _resolve(node: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        ref = node["$ref"]
        if not ref.startswith("#/definitions/"):
            return node
        node = root["definitions"][ref.split("/")[-1]]
    return node


def _walk(value: Any, node: dict[str, Any], root: dict, path: str, errors: list[str]) -> None:
    node = _resolve(node, root)
    if node.get("codelist") and node.get("openCodelist") is False and value is not None:
        codes = ocds_schema.codelist(node["codelist"])
        for code in value if isinstance(value, list) else [value]:
            if code not in codes:
                errors.append(f"{path}: {code!r} is not in the closed codelist {node['codelist']}")
        return
    if isinstance(value, dict):
        for key, child in value.items():
            if key in node.get("properties", {}):
                _walk(child, node["properties"][key], root, f"{path}/{key}", errors)
    elif isinstance(value, list) and isinstance(node.get("items"), dict):
        for index, child in enumerate(value):
            _walk(child, node["items"], root, f"{path}/{index}", errors)
