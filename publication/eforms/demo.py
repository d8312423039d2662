"""Demo buyer profiles and supplier addresses, so the demo's notices are complete.

Illustrative values for the demo only: a real city enters its own NIF, contacts and appeals
body in the admin before its notices are sent anywhere.
"""

from procurement.accounts.models import City, Supplier
from publication.models import BuyerProfile, SupplierAddress

TACRC = {
    "review_body": "Tribunal Administrativo Central de Recursos Contractuales",
    "review_body_tax_id": "S2826011E",
    "review_body_email": "tribunal_recursos.contratos@hacienda.gob.es",
    "review_body_town": "Madrid",
    "review_body_postal_code": "28020",
    "review_body_nuts": "ES300",
}
TCCSP = {
    "review_body": "Tribunal Català de Contractes del Sector Públic",
    "review_body_tax_id": "S0800491F",
    "review_body_email": "tccsp@gencat.cat",
    "review_body_town": "Barcelona",
    "review_body_postal_code": "08003",
    "review_body_nuts": "ES511",
}
BUYERS = {
    "logrono": {
        "tax_id": "P2608900C",
        "email": "contratacion@logrono.es",
        "telephone": "+34 941 277 000",
        "town": "Logroño",
        "postal_code": "26071",
        "nuts": "ES230",
        **TACRC,
    },
    "terrassa": {
        "tax_id": "P0827900B",
        "email": "contractacio@terrassa.cat",
        "telephone": "+34 937 397 000",
        "town": "Terrassa",
        "postal_code": "08221",
        "nuts": "ES511",
        **TCCSP,
    },
}
SUPPLIERS = {
    "acme": ("Logroño", "26001", "ES230"),
    "nova": ("Barcelona", "08005", "ES511"),
    "unirioja": ("Logroño", "26006", "ES230"),
}


def seed(stdout=None) -> None:
    for slug, fields in BUYERS.items():
        city = City.objects.filter(slug=slug).first()
        if city is not None:
            BuyerProfile.objects.update_or_create(city=city, defaults=fields)
    for slug, (town, postal_code, nuts) in SUPPLIERS.items():
        supplier = Supplier.objects.filter(slug=slug).first()
        if supplier is not None:
            SupplierAddress.objects.update_or_create(
                supplier=supplier,
                defaults={"town": town, "postal_code": postal_code, "nuts": nuts},
            )
    if stdout:
        stdout.write("eForms buyer profiles and supplier addresses ready.")
