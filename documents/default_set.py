"""The default templates shipped with OpenCPI: one YAML file per kind and language in
``documents/defaults/`` (``<kind>.<language>.yaml`` with ``name``, ``description``, ``source``)."""

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from documents.kinds import KIND_BY_CODE, Language

DEFAULTS_DIR = Path(__file__).resolve().parent / "defaults"


@dataclass(frozen=True)
class DefaultTemplate:
    kind: str
    language: str
    name: str
    description: str
    source: str


@cache
def default_templates() -> tuple[DefaultTemplate, ...]:
    found = []
    for path in sorted(DEFAULTS_DIR.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        kind, language = path.name.split(".")[:2]
        if data.get("kind") != kind or data.get("language") != language:
            raise ValueError(f"{path.name}: kind and language must match the file name")
        if kind not in KIND_BY_CODE or language not in Language.values:
            raise ValueError(f"{path.name}: unknown kind or language")
        found.append(
            DefaultTemplate(
                kind, language, data["name"], data.get("description", ""), data["source"]
            )
        )
    return tuple(found)


def default_template(kind: str, language: str) -> DefaultTemplate | None:
    return next((t for t in default_templates() if t.kind == kind and t.language == language), None)
