"""Reference data shared by every app: the CPV vocabulary."""

from procurement.core.models import CpvCode


def cpv_unknown_codes(codes: list[str]) -> list[str]:
    """Codes not in the imported vocabulary; when none is imported yet, every code passes the
    format check only (the caller checks the format)."""
    if not codes or not CpvCode.objects.exists():
        return []
    known = set(CpvCode.objects.filter(code__in=codes).values_list("code", flat=True))
    return [code for code in codes if code not in known]
