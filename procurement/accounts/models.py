"""The parties: users, networks of cities, cities, suppliers, and who belongs where in which role.

Organisation users never hold global permissions: what they may see and do comes from object
permissions that django-guardian stores per organisation group (see ``permissions.py``).
"""

import zoneinfo
from functools import cached_property

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from procurement.accounts.validators import validate_timezone
from procurement.core.compiled import compiled
from procurement.core.models import TimeStampedModel


class User(AbstractUser):
    """A person. Which organisations they act for, and how, is in ``Membership``."""

    # What a signing certificate's serialNumber names (DNI/NIE): an uploaded signature counts as
    # this person's only when they match (documents/signatures.py).
    national_id = models.CharField(_("national ID"), max_length=20, blank=True)

    class Meta(AbstractUser.Meta):  # type: ignore[name-defined]
        swappable = "AUTH_USER_MODEL"
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            # One account per e-mail address, whatever its case (an address may be left blank).
            models.UniqueConstraint(
                Lower("email"),
                condition=~Q(email=""),
                name="accounts_user_email_unique",
                violation_error_message=_("An account with this e-mail address already exists."),
            )
        ]

    @cached_property
    def memberships_seen(self) -> list["Membership"]:
        """The user's memberships as read once for this request (navigation and time zone), by
        SQL built once per process."""
        return _memberships_of(self.pk) if self.pk is not None else []

    @cached_property
    def primary_membership(self) -> "Membership | None":
        """The membership shown in the navigation: city roles first, then supplier, network."""
        memberships = self.memberships_seen
        for kind in (Membership.Kind.CITY, Membership.Kind.SUPPLIER, Membership.Kind.NETWORK):
            for membership in memberships:
                if membership.kind == kind:
                    return membership
        return None


class Network(TimeStampedModel):
    """A network of cities that share a procurement model (RECI, Red Innpulso…)."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    slug = models.SlugField(_("short name"), max_length=60, unique=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("network")
        verbose_name_plural = _("networks")
        ordering = ["name"]
        permissions = [("view_network_workspace", _("Can see the network's private workspace"))]

    def __str__(self) -> str:
        return self.name


class City(TimeStampedModel):
    """A city council: the contracting authority of its CPI processes."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name"), max_length=60, unique=True)
    country = models.CharField(_("country"), max_length=2, help_text=_("ISO 3166-1 alpha-2"))
    region = models.CharField(
        _("region for holidays"),
        max_length=10,
        blank=True,
        help_text=_(
            "Subdivision code of the holidays package, e.g. RI (La Rioja), CT (Catalonia)."
        ),
    )
    timezone = models.CharField(
        _("time zone"), max_length=64, default="Europe/Madrid", validators=[validate_timezone]
    )
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    language = models.CharField(_("language"), max_length=8, default="es")
    networks = models.ManyToManyField(
        Network, verbose_name=_("networks"), related_name="cities", blank=True
    )
    tie_break = models.CharField(
        _("tie-break rule"),
        max_length=20,
        choices=[
            ("value_judgement", _("higher value-judgement score")),
            ("earliest", _("earlier submission")),
        ],
        default="value_judgement",
        help_text=_("How the city breaks ties between offers with the same total (LCSP art. 147)."),
    )

    class Meta:
        verbose_name = _("city")
        verbose_name_plural = _("cities")
        ordering = ["name"]
        permissions = [
            ("view_city_workspace", _("Can see the city's private workspace")),
            ("manage_city_members", _("Can manage the city's members and roles")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(country__regex=r"^[A-Z]{2}$"), name="city_country_iso2"
            ),
            models.CheckConstraint(
                condition=Q(currency__regex=r"^[A-Z]{3}$"), name="city_currency_iso4217"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)


class Supplier(TimeStampedModel):
    """A company, start-up, university or research centre that answers and bids."""

    class Kind(models.TextChoices):
        COMPANY = "company", _("company")
        STARTUP = "startup", _("start-up")
        UNIVERSITY = "university", _("university")
        RESEARCH_CENTRE = "research_centre", _("research centre")

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name"), max_length=60, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    country = models.CharField(_("country"), max_length=2, default="ES")
    tax_id = models.CharField(_("tax id"), max_length=40)
    is_sme = models.BooleanField(_("SME"), default=False)
    website = models.URLField(_("website"), blank=True)

    class Meta:
        verbose_name = _("supplier")
        verbose_name_plural = _("suppliers")
        ordering = ["name"]
        permissions = [
            ("view_supplier_workspace", _("Can see the supplier's private workspace")),
            ("manage_supplier_members", _("Can manage the supplier's representatives")),
        ]
        constraints = [
            models.UniqueConstraint(fields=["country", "tax_id"], name="supplier_unique_tax_id"),
        ]

    def __str__(self) -> str:
        return self.name


class Membership(TimeStampedModel):
    """A user acting for exactly one organisation in one role."""

    class Kind(models.TextChoices):
        CITY = "city", _("city")
        SUPPLIER = "supplier", _("supplier")
        NETWORK = "network", _("network")

    class Role(models.TextChoices):
        OFFICER = "officer", _("procurement officer")
        LEGAL = "legal", _("legal team")
        COMMITTEE = "committee", _("committee member")
        ADMIN = "admin", _("city administrator")
        REPRESENTATIVE = "representative", _("supplier representative")
        COORDINATOR = "coordinator", _("network coordinator")

    ROLES_BY_KIND: dict[str, tuple[str, ...]] = {
        Kind.CITY: (Role.OFFICER, Role.LEGAL, Role.COMMITTEE, Role.ADMIN),
        Kind.SUPPLIER: (Role.REPRESENTATIVE,),
        Kind.NETWORK: (Role.COORDINATOR,),
    }

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    city = models.ForeignKey(
        City, null=True, blank=True, on_delete=models.CASCADE, related_name="memberships"
    )
    supplier = models.ForeignKey(
        Supplier, null=True, blank=True, on_delete=models.CASCADE, related_name="memberships"
    )
    network = models.ForeignKey(
        Network, null=True, blank=True, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.CheckConstraint(
                name="membership_city_role",
                condition=(
                    Q(
                        city__isnull=False,
                        supplier__isnull=True,
                        network__isnull=True,
                        role__in=["officer", "legal", "committee", "admin"],
                    )
                    | Q(
                        city__isnull=True,
                        supplier__isnull=False,
                        network__isnull=True,
                        role="representative",
                    )
                    | Q(
                        city__isnull=True,
                        supplier__isnull=True,
                        network__isnull=False,
                        role="coordinator",
                    )
                ),
            ),
            models.UniqueConstraint(
                fields=["user", "city", "role"],
                condition=Q(city__isnull=False),
                name="membership_unique_city_role",
            ),
            models.UniqueConstraint(
                fields=["user", "supplier", "role"],
                condition=Q(supplier__isnull=False),
                name="membership_unique_supplier_role",
            ),
            models.UniqueConstraint(
                fields=["user", "network", "role"],
                condition=Q(network__isnull=False),
                name="membership_unique_network_role",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} — {self.organisation}"

    @property
    def kind(self) -> str:
        if self.city_id:
            return self.Kind.CITY
        if self.supplier_id:
            return self.Kind.SUPPLIER
        return self.Kind.NETWORK

    @property
    def organisation(self) -> City | Supplier | Network:
        return self.city or self.supplier or self.network  # type: ignore[return-value]


class RegistrationRequest(models.Model):
    """Someone asked to register an organisation: what they typed (the password hashed) until
    they confirm from the e-mail sent to ``email``, or the request expires. Every request is
    kept a while, linked or not, to throttle requests per address."""

    email = models.EmailField(_("e-mail"), db_index=True)
    address = models.CharField(_("network address"), max_length=64, db_index=True)
    data = models.JSONField(_("details"), default=dict)
    password = models.CharField(_("password"), max_length=128)
    # SHA-256 of the secret in the e-mailed link; blank when no link was sent (something was
    # taken, and the e-mail says what).
    token_hash = models.CharField(max_length=64, blank=True, db_index=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)

    class Meta:
        verbose_name = _("registration request")
        verbose_name_plural = _("registration requests")

    def __str__(self) -> str:
        return f"{self.email} ({self.created_at:%Y-%m-%d %H:%M})"


# Direct-FK object permission tables (django-guardian): one pair per organisation model, so
# permission look-ups join on a real foreign key instead of a generic (content type, text id).
class CityUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(City, on_delete=models.CASCADE)


class CityGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(City, on_delete=models.CASCADE)


class SupplierUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Supplier, on_delete=models.CASCADE)


class SupplierGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Supplier, on_delete=models.CASCADE)


class NetworkUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Network, on_delete=models.CASCADE)


class NetworkGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Network, on_delete=models.CASCADE)


_memberships_of = compiled(
    lambda user_id: (
        Membership.objects.filter(user_id=user_id)
        .select_related("city", "supplier", "network")
        .order_by("id")
    ),
    kinds=(int,),
)
