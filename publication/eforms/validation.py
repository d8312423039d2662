"""Validation of notices with the shared eForms validator (``$SHARED_DIR/eforms/validate.py``).

The validator is loaded once per process, as a module, from the shared folder at call time:
it is never copied into the project. Its first schematron check of a subtype compiles that
subtype's XSLT (seconds and about 0.3-0.5 GB), so only the background worker (and the tests)
call ``notice_validate``; the web workers never do.
"""

import importlib.util
import threading
from pathlib import Path
from types import ModuleType

from django.conf import settings

_lock = threading.Lock()
_module: dict[str, ModuleType] = {}


class ValidatorMissing(RuntimeError):
    """The shared eForms validator is not where ``SHARED_DIR`` says."""


def validator() -> ModuleType:
    """The shared ``validate.py``, loaded once per process."""
    with _lock:
        if "eforms" not in _module:
            path = Path(settings.SHARED_DIR) / "eforms" / "validate.py"
            if not path.is_file():
                raise ValidatorMissing(
                    f"The eForms validator is missing at {path}: set OPENCPI_SHARED_DIR."
                )
            spec = importlib.util.spec_from_file_location("opencpi_eforms_validate", path)
            module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
            spec.loader.exec_module(module)  # type: ignore[union-attr]
            _module["eforms"] = module
        return _module["eforms"]


def notice_validate(xml: bytes, *, lang: str = "es") -> list[dict]:
    """Findings of the XSD and the static schematron, with field names in ``lang``."""
    return validator().validate(xml, lang=lang if lang in ("es", "en") else "en")


def has_errors(findings: list[dict]) -> bool:
    return any(f["severity"] == "ERROR" for f in findings)


def cache_warm(subtypes: list[str]) -> list[str]:
    """Transpile the schematron phases of ``subtypes`` into the disk cache (about 1 s)."""
    return validator().prepare(subtypes)


def field_labels(field: str | None) -> dict[str, str]:
    """The SDK's Spanish and English labels of field ``field`` (``translations/field_*.xml``)."""
    if not field:
        return {"es": "", "en": ""}
    module = validator()
    # ``_translations`` is the validator's own reader of the SDK's label files.
    return {
        lang: module._translations("field", lang).get(f"field|name|{field}", "")
        for lang in ("es", "en")
    }
