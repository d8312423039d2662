"""Reference data shared by every app: the CPV vocabulary."""

import unicodedata
from typing import Any

from procurement.core.models import CpvCode


def cpv_unknown_codes(codes: list[str]) -> list[str]:
    """Codes not in the imported vocabulary; when none is imported yet, every code passes the
    format check only (the caller checks the format)."""
    if not codes or not CpvCode.objects.exists():
        return []
    known = set(CpvCode.objects.filter(code__in=codes).values_list("code", flat=True))
    return [code for code in codes if code not in known]


CPV_RESULTS = 20  # answers a picker shows at most; a person narrows the query for more


def fold(text: str) -> str:
    """``text`` without accents nor case, for matching what people type (“informatica”)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


_folded: dict[str, Any] = {"count": -1, "rows": []}


def _vocabulary() -> list[tuple[str, str, str, str]]:
    """(code, Spanish, English, both folded) of every code, kept in memory: the vocabulary is
    imported once and changes only on a new import (its size tells)."""
    count = CpvCode.objects.count()
    if _folded["count"] != count:
        rows = CpvCode.objects.order_by("code").values_list("code", "label_es", "label_en")
        _folded["rows"] = [(code, es, en, fold(f"{es} {en}")) for code, es, en in rows]
        _folded["count"] = count
    return _folded["rows"]


def cpv_search(query: str, *, language: str = "es", limit: int = CPV_RESULTS) -> list[dict]:
    """CPV codes matching ``query``: a code or its first digits (``7200``, ``72000000-5``), or
    words every one of which is in the Spanish or the English label, accents and case aside
    (``sensores aire``, ``informatica``).

    Each answer is ``{"code", "label"}`` with the label in ``language`` (Spanish unless it is
    English), general codes first (by code)."""
    text = " ".join((query or "").split())[:100]
    if not text:
        return []
    english = (language or "").startswith("en")
    if text.replace("-", "").isdigit():
        prefix = text if "-" in text else text[:8]
        codes = CpvCode.objects.filter(code__startswith=prefix).order_by("code")[:limit]
        return [{"code": c.code, "label": c.label_en if english else c.label_es} for c in codes]
    words = [fold(word) for word in text.split(" ") if len(word) >= 2]
    if not words:
        return []
    found = []
    for code, es, en, folded in _vocabulary():
        if all(word in folded for word in words):
            found.append({"code": code, "label": en if english else es})
            if len(found) == limit:
                break
    return found
