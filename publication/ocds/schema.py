"""The official OCDS 1.1.5 schemas and codelists, read from ``settings.OCDS_SCHEMA_DIR``.

They are vendored beside the project (no PyPI package ships them, and packages that fetch them
would need the network); the folder is read at call time, so tests and deployments may point
elsewhere with the ``OCDS_SCHEMA_DIR`` environment variable.
"""

import csv
import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

SCHEMA_URL = "https://standard.open-contracting.org/schema/1__1__5/"
SCHEMA_FILES = (
    "release-schema.json",
    "versioned-release-validation-schema.json",
    "release-package-schema.json",
    "record-package-schema.json",
)


class SchemaMissing(ImproperlyConfigured):
    """The OCDS schema folder is absent or incomplete."""


def schema_dir() -> Path:
    """The schema folder; raises ``SchemaMissing`` naming what is missing."""
    folder = Path(settings.OCDS_SCHEMA_DIR)
    missing = [name for name in SCHEMA_FILES if not (folder / name).is_file()]
    if not (folder / "codelists").is_dir():
        missing.append("codelists/")
    if missing:
        raise SchemaMissing(
            f"The OCDS 1.1.5 schemas are missing from OCDS_SCHEMA_DIR={folder}: "
            f"{', '.join(missing)}. Point OCDS_SCHEMA_DIR at a copy of the standard's schema "
            "folder (../shared/ocds by default)."
        )
    return folder


@lru_cache(maxsize=8)
def _load(folder: str, name: str) -> dict[str, Any]:
    return json.loads((Path(folder) / name).read_text(encoding="utf-8"))


def schema(name: str) -> dict[str, Any]:
    return _load(str(schema_dir()), name)


@lru_cache(maxsize=64)
def _codes(folder: str, name: str) -> frozenset[str]:
    with (Path(folder) / "codelists" / name).open(encoding="utf-8") as handle:
        return frozenset(row["Code"] for row in csv.DictReader(handle))


def codelist(name: str) -> frozenset[str]:
    """The codes of one codelist file, e.g. ``codelist("tenderStatus.csv")``."""
    return _codes(str(schema_dir()), name)
