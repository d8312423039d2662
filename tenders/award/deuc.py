"""The DEUC (European Single Procurement Document, ESPD) a bidder declares in envelope A.

LCSP art. 140.1.a lists what the responsible declaration covers: who the bidder is and who
represents it, its solvency or classification, that no prohibition to contract applies (art.
71), and the e-mail address for notifications (the "dirección de correo electrónico
habilitada", art. 140.1.a.4º); the DEUC form also asks whether the bidder is an SME and whether
it relies on other entities' capacities (art. 75) or subcontracts (art. 215). A draft may be
incomplete; ``deuc_gaps`` says what a submission still needs.
"""

import re

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from procurement.core.exceptions import ApplicationError

TEXT_FIELDS = {
    "name": 300,
    "tax_id": 20,
    "representative": 200,
    "representative_capacity": 200,
    "classification": 300,
    "economic_solvency": 5000,
    "technical_solvency": 5000,
    "notification_email": 254,
    "other_entities": 5000,
    "subcontracting": 5000,
}
FLAGS = ("no_prohibition", "relies_on_others", "subcontracts")
SOLVENCY_MEANS = ("classification", "solvency")
# A Spanish NIF/NIE/CIF or another member state's VAT number: letters and digits, no spaces.
TAX_ID = re.compile(r"^[A-Z]{0,2}[A-Z0-9]{7,13}$")


def _refuse(message: str, field: str) -> ApplicationError:
    return ApplicationError(message, extra={"field": f"deuc.{field}"})


def deuc_clean(data) -> dict:
    """``data`` as a DEUC draft: known fields only, typed, trimmed, formats checked.

    Raises ``ApplicationError`` naming the field for anything that is not what the field takes.
    """
    if data in (None, ""):
        return {}
    if not isinstance(data, dict):
        raise _refuse(_("The DEUC is an object of named answers (LCSP art. 140.1.a)."), "")
    unknown = sorted(set(data) - set(TEXT_FIELDS) - set(FLAGS) - {"sme", "solvency_means"})
    if unknown:
        raise _refuse(
            _("The DEUC has no field %(names)s.") % {"names": ", ".join(unknown)}, unknown[0]
        )
    clean: dict = {}
    for field, limit in TEXT_FIELDS.items():
        value = data.get(field, "")
        if value is None:
            value = ""
        if not isinstance(value, str):
            raise _refuse(_("%(field)s is text.") % {"field": field}, field)
        value = value.strip()
        if len(value) > limit:
            raise _refuse(
                _("%(field)s takes at most %(limit)s characters.")
                % {"field": field, "limit": limit},
                field,
            )
        clean[field] = value
    clean["tax_id"] = clean["tax_id"].upper().replace("-", "").replace(" ", "")
    if clean["tax_id"] and not TAX_ID.match(clean["tax_id"]):
        raise _refuse(
            _("“%(value)s” is not a tax identification number (NIF, NIE or VAT number).")
            % {"value": clean["tax_id"]},
            "tax_id",
        )
    if clean["notification_email"]:
        try:
            validate_email(clean["notification_email"])
        except ValidationError as error:
            raise _refuse(
                _("The address for notifications is not an e-mail address (LCSP art. 140.1.a)."),
                "notification_email",
            ) from error
    for field in FLAGS:
        value = data.get(field, False)
        if not isinstance(value, bool):
            raise _refuse(_("%(field)s is true or false.") % {"field": field}, field)
        clean[field] = value
    sme = data.get("sme")
    if sme is not None and not isinstance(sme, bool):
        raise _refuse(_("sme is true, false or not answered yet."), "sme")
    clean["sme"] = sme
    means = data.get("solvency_means", "") or ""
    if means not in ("", *SOLVENCY_MEANS):
        raise _refuse(
            _("The solvency is shown by classification or by solvency means."), "solvency_means"
        )
    clean["solvency_means"] = means
    return clean


def deuc_gaps(deuc: dict) -> list[str]:
    """What a submitted DEUC still lacks, in words, each with its article."""
    gaps = []
    if not deuc.get("name") or not deuc.get("tax_id"):
        gaps.append(_("the bidder's name and tax number (LCSP art. 140.1.a.1º)"))
    if not deuc.get("representative") or not deuc.get("representative_capacity"):
        gaps.append(_("who represents the bidder and by what power (LCSP art. 140.1.a.1º)"))
    means = deuc.get("solvency_means")
    if means == "classification" and not deuc.get("classification"):
        gaps.append(_("the classification (group, subgroup and category) (LCSP art. 140.1.a.2º)"))
    elif means == "solvency" and not (
        deuc.get("economic_solvency") and deuc.get("technical_solvency")
    ):
        gaps.append(_("the economic and the technical solvency (LCSP art. 140.1.a.2º)"))
    elif not means:
        gaps.append(_("how solvency is shown: classification or solvency (LCSP art. 140.1.a.2º)"))
    if not deuc.get("no_prohibition"):
        gaps.append(
            _("the declaration that no prohibition to contract applies (LCSP art. 140.1.a.3º)")
        )
    if not deuc.get("notification_email"):
        gaps.append(_("the e-mail address for notifications (LCSP art. 140.1.a.4º)"))
    if deuc.get("sme") is None:
        gaps.append(_("whether the bidder is an SME (DEUC part II.A)"))
    if deuc.get("relies_on_others") and not deuc.get("other_entities"):
        gaps.append(_("the entities whose capacities the bidder relies on (LCSP art. 75)"))
    if deuc.get("subcontracts") and not deuc.get("subcontracting"):
        gaps.append(_("the part to be subcontracted and to whom (LCSP art. 215.2.a)"))
    return gaps


def deuc_example(*, name: str, tax_id: str, email: str) -> dict:
    """A complete DEUC for demos and tests of code that only needs one to exist."""
    return {
        "name": name,
        "tax_id": tax_id,
        "representative": "Representante legal",
        "representative_capacity": "Administrador único",
        "solvency_means": "solvency",
        "economic_solvency": "Volumen anual de negocios de 2023-2025 por encima del exigido.",
        "technical_solvency": "Tres contratos similares en los últimos tres años.",
        "no_prohibition": True,
        "notification_email": email,
        "sme": True,
        "relies_on_others": False,
        "subcontracts": False,
    }
