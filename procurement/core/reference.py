"""Reference data shared by every app: the CPV vocabulary."""

from django.db.models import Q

from procurement.core.models import CpvCode


def cpv_unknown_codes(codes: list[str]) -> list[str]:
    """Codes not in the imported vocabulary; when none is imported yet, every code passes the
    format check only (the caller checks the format)."""
    if not codes or not CpvCode.objects.exists():
        return []
    known = set(CpvCode.objects.filter(code__in=codes).values_list("code", flat=True))
    return [code for code in codes if code not in known]


CPV_RESULTS = 20  # answers a picker shows at most; a person narrows the query for more


def cpv_search(query: str, *, language: str = "es", limit: int = CPV_RESULTS) -> list[dict]:
    """CPV codes matching ``query``: a code or its first digits (``7200``, ``72000000-5``), or
    words every one of which is in the Spanish or the English label (``sensores aire``).

    Each answer is ``{"code", "label"}`` with the label in ``language`` (Spanish unless it is
    English), general codes first (by code)."""
    text = " ".join((query or "").split())[:100]
    if not text:
        return []
    codes = CpvCode.objects.order_by("code")
    if text.replace("-", "").isdigit():
        codes = codes.filter(code__startswith=text if "-" in text else text[:8])
    else:
        words = [word for word in text.split(" ") if len(word) >= 2]
        if not words:
            return []
        for word in words:
            codes = codes.filter(Q(label_es__icontains=word) | Q(label_en__icontains=word))
    english = (language or "").startswith("en")
    return [
        {"code": code.code, "label": code.label_en if english else code.label_es}
        for code in codes[:limit]
    ]
