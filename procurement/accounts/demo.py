"""The demo network: networks, cities, suppliers and the fixed demo users.

Outside clients rely on these usernames and on the shared password, so they never change.
Running the seed again changes nothing.
"""

from django.conf import settings
from django.db import transaction

from procurement.accounts.models import City, Membership, Network, Supplier, User
from procurement.accounts.services import (
    city_create,
    membership_grant,
    network_create,
    supplier_create,
)

NETWORKS = [
    ("reci", "RECI — Red Española de Ciudades Inteligentes", "83 Spanish smart cities."),
    ("innpulso", "Red Innpulso", "Red de Ciudades de la Ciencia y la Innovación: 72 cities."),
]

CITIES = [
    # slug, name, country, region, time zone, currency, networks
    ("logrono", "Logroño", "ES", "RI", "Europe/Madrid", "EUR", ["reci"]),
    ("terrassa", "Terrassa", "ES", "CT", "Europe/Madrid", "EUR", ["reci", "innpulso"]),
    ("medellin", "Medellín", "CO", "", "America/Bogota", "COP", []),
]

SUPPLIERS = [
    # slug, name, kind, country, tax id, SME
    ("acme", "Acme Smart Solutions S.L.", Supplier.Kind.COMPANY, "ES", "B26123455", True),
    ("nova", "Nova Urban Robotics S.L.", Supplier.Kind.STARTUP, "ES", "B08765430", True),
    ("unirioja", "Universidad de La Rioja", Supplier.Kind.UNIVERSITY, "ES", "Q2618002F", False),
]

USERS = [
    # username, first name, last name, organisation slug, kind, role
    ("officer.logrono", "Lucía", "Sáenz", "logrono", "city", Membership.Role.OFFICER),
    ("legal.logrono", "Javier", "Ibáñez", "logrono", "city", Membership.Role.LEGAL),
    ("committee.logrono", "Marta", "Ochoa", "logrono", "city", Membership.Role.COMMITTEE),
    ("officer.terrassa", "Jordi", "Puig", "terrassa", "city", Membership.Role.OFFICER),
    ("legal.terrassa", "Núria", "Vila", "terrassa", "city", Membership.Role.LEGAL),
    ("supplier.acme", "Ana", "Martín", "acme", "supplier", Membership.Role.REPRESENTATIVE),
    ("supplier.nova", "Pablo", "Núñez", "nova", "supplier", Membership.Role.REPRESENTATIVE),
]


def _user(username: str, first_name: str = "", last_name: str = "", **extra) -> User:
    user, created = User.objects.get_or_create(
        username=username,
        defaults={
            "first_name": first_name,
            "last_name": last_name,
            "email": f"{username}@demo.opencpi.local",
            **extra,
        },
    )
    if created:
        user.set_password(settings.DEMO_PASSWORD)
        user.save(update_fields=["password"])
    return user


@transaction.atomic
def seed(stdout=None) -> None:
    networks = {}
    for slug, name, description in NETWORKS:
        networks[slug] = Network.objects.filter(slug=slug).first() or network_create(
            name=name, slug=slug, description=description
        )

    organisations: dict[str, City | Supplier] = {}
    for slug, name, country, region, zone, currency, network_slugs in CITIES:
        organisations[slug] = City.objects.filter(slug=slug).first() or city_create(
            name=name,
            slug=slug,
            country=country,
            region=region,
            timezone=zone,
            currency=currency,
            networks=[networks[s] for s in network_slugs],
        )
    for slug, name, kind, country, tax_id, is_sme in SUPPLIERS:
        organisations[slug] = Supplier.objects.filter(slug=slug).first() or supplier_create(
            name=name, slug=slug, kind=kind, country=country, tax_id=tax_id, is_sme=is_sme
        )

    for username, first, last, org_slug, _kind, role in USERS:
        user = _user(username, first, last)
        membership_grant(user=user, organisation=organisations[org_slug], role=role)

    admin = _user("admin", "Admin", "OpenCPI", is_staff=True, is_superuser=True)
    if not admin.is_superuser:
        raise RuntimeError("a user named 'admin' exists and is not a superuser")
    if stdout:
        stdout.write("Demo parties ready: 2 networks, 3 cities, 3 suppliers, 8 users.")
