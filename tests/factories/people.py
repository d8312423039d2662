"""People the demo does not have: a second member of a city's team (four eyes need two)."""

from django.conf import settings

from procurement.accounts.models import City, Membership, User
from procurement.accounts.services import membership_grant


def colleague(*, city: City, role: str = Membership.Role.LEGAL, username: str = "") -> User:
    """Another member of ``city`` in ``role`` (made once, with the demo password)."""
    username = username or f"{role}2.{city.slug}"
    user, created = User.objects.get_or_create(
        username=username, defaults={"first_name": "Segunda", "last_name": "Persona"}
    )
    if created:
        user.set_password(settings.DEMO_PASSWORD)
        user.save(update_fields=["password"])
    membership_grant(user=user, organisation=city, role=role)
    return user
