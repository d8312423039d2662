"""Writes on the parties: one service per operation (STYLE rule 1)."""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from procurement.accounts.models import City, Membership, Network, Supplier, User
from procurement.accounts.permissions import (
    Organisation,
    organisation_grant_own_permissions,
    organisation_kind,
    role_group,
)
from procurement.accounts.validators import normalise_tax_id
from procurement.core.audit import audit_record
from procurement.core.exceptions import ApplicationError, TooManyAttempts
from procurement.core.models import AuditEntry


@transaction.atomic
def network_create(*, name: str, slug: str, description: str = "", actor=None) -> Network:
    network = Network.objects.create(name=name, slug=slug, description=description)
    organisation_grant_own_permissions(organisation=network, actor=actor)
    return network


@transaction.atomic
def city_create(
    *,
    name: str,
    slug: str,
    country: str,
    region: str = "",
    timezone: str = "Europe/Madrid",
    currency: str = "EUR",
    language: str = "es",
    networks: Iterable[Network] = (),
    actor=None,
) -> City:
    city = City(
        name=name,
        slug=slug,
        country=country.upper(),
        region=region,
        timezone=timezone,
        currency=currency.upper(),
        language=language,
    )
    city.full_clean()
    city.save()
    city.networks.set(list(networks))
    organisation_grant_own_permissions(organisation=city, actor=actor)
    return city


@transaction.atomic
def supplier_create(
    *,
    name: str,
    slug: str,
    kind: str,
    tax_id: str,
    country: str = "ES",
    is_sme: bool = False,
    website: str = "",
    actor=None,
) -> Supplier:
    """Register a supplier; a Spanish tax id must be a valid NIF/CIF/NIE."""
    country = country.upper()
    try:
        compact = normalise_tax_id(country=country, tax_id=tax_id)
    except ValidationError as error:
        raise ApplicationError(error.messages[0], extra={"field": "tax_id"}) from error
    if Supplier.objects.filter(country=country, tax_id=compact).exists():
        raise ApplicationError(_("A supplier with this tax id is already registered."))
    supplier = Supplier(
        name=name,
        slug=slug,
        kind=kind,
        country=country,
        tax_id=compact,
        is_sme=is_sme,
        website=website,
    )
    supplier.full_clean()
    supplier.save()
    organisation_grant_own_permissions(organisation=supplier, actor=actor)
    return supplier


def _membership_lookup(organisation: Organisation) -> dict:
    return {organisation_kind(organisation): organisation}


@transaction.atomic
def membership_grant(
    *, user: User, organisation: Organisation, role: str, actor=None
) -> Membership:
    """Make ``user`` act for ``organisation`` in ``role``: a membership, its group, an audit row.

    Granting a role the user already holds changes nothing and writes no second row.
    """
    group = role_group(organisation=organisation, role=role)  # validates the role for the kind
    lookup = _membership_lookup(organisation)
    try:
        with transaction.atomic():
            membership, created = Membership.objects.get_or_create(user=user, role=role, **lookup)
    except IntegrityError as error:
        raise ApplicationError(_("This role does not fit this organisation.")) from error
    if created:
        user.groups.add(group)
        audit_record(
            actor=actor,
            action=AuditEntry.Action.GRANT,
            target=membership,
            name="membership_grant",
            data={"user": user.username, "group": group.name, "role": role},
        )
    return membership


@transaction.atomic
def membership_revoke(*, membership: Membership, actor=None) -> None:
    group = role_group(organisation=membership.organisation, role=membership.role)
    membership.user.groups.remove(group)
    audit_record(
        actor=actor,
        action=AuditEntry.Action.REVOKE,
        target=membership,
        name="membership_revoke",
        data={"user": membership.user.username, "group": group.name, "role": membership.role},
    )
    membership.delete()


REGISTRATION_FIELDS = (
    "name",
    "kind",
    "country",
    "tax_id",
    "is_sme",
    "username",
    "first_name",
    "last_name",
    "website",
)


def _registration_validate(
    *, name: str, kind: str, country: str, tax_id: str, user: User, password: str
) -> str:
    """Refuse what is wrong in the request itself (never what others registered); returns the
    tax id in its compact form."""
    from django.contrib.auth.password_validation import validate_password

    if kind not in Supplier.Kind.values:
        raise ApplicationError(
            _("Choose what kind of organisation this is."), extra={"field": "kind"}
        )
    if not name.strip():
        raise ApplicationError(_("Give the organisation's name."), extra={"field": "name"})
    try:
        compact = normalise_tax_id(country=country.upper(), tax_id=tax_id)
    except ValidationError as error:
        raise ApplicationError(error.messages[0], extra={"field": "tax_id"}) from error
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise ApplicationError(" ".join(error.messages), extra={"field": "password"}) from error
    return compact


def _registration_taken(*, email: str, username: str, country: str, tax_id: str) -> str:
    """What of a registration is taken already, as a sentence for the owner of ``email``; ""
    when nothing is."""
    if User.objects.filter(email__iexact=email).exists():
        return _(
            "This e-mail address already has an account: log in, or ask for a new password if "
            "you forgot it. One address can have only one account."
        )
    if User.objects.filter(username__iexact=username).exists():
        return _("The username “%(username)s” is taken: register again with another one.") % {
            "username": username
        }
    if Supplier.objects.filter(country=country.upper(), tax_id=tax_id).exists():
        return _(
            "An organisation with the tax id %(tax_id)s is already registered: ask its "
            "representative to add you."
        ) % {"tax_id": tax_id}
    return ""


@transaction.atomic
def supplier_registration_request(
    *,
    address: str,
    name: str,
    kind: str,
    country: str,
    tax_id: str,
    is_sme: bool,
    username: str,
    email: str,
    password: str,
    first_name: str = "",
    last_name: str = "",
    website: str = "",
    now=None,
) -> None:
    """Someone asks to register an organisation; nothing is created yet.

    A request that is wrong in itself (an invalid tax id, a weak password) is refused at once.
    Otherwise an e-mail goes to ``email``: a link to confirm, valid
    ``settings.REGISTRATION_LINK_HOURS``, or, when the address, the username or the tax id is
    taken, what is taken. The caller learns nothing either way: what exists is told only to the
    mailbox that asked. At most ``settings.REGISTRATIONS_PER_ADDRESS_PER_HOUR`` requests from
    one network ``address`` and ``REGISTRATIONS_PER_EMAIL_PER_HOUR`` for one e-mail address are
    taken per hour (``TooManyAttempts`` past them).
    """
    import datetime as dt
    import secrets

    from django.conf import settings
    from django.contrib.auth.hashers import make_password
    from django.urls import reverse
    from django.utils import timezone

    from procurement.accounts.models import RegistrationRequest
    from procurement.accounts.selectors import registration_token_hash
    from procurement.core.mail import email_queue

    now = now or timezone.now()
    recent = RegistrationRequest.objects.filter(created_at__gte=now - dt.timedelta(hours=1))
    if (
        recent.filter(address=address).count() >= settings.REGISTRATIONS_PER_ADDRESS_PER_HOUR
        or recent.filter(email__iexact=email).count() >= settings.REGISTRATIONS_PER_EMAIL_PER_HOUR
    ):
        raise TooManyAttempts(_("Too many registrations from here: try again in an hour."))
    user = User(username=username, email=email, first_name=first_name, last_name=last_name)
    compact = _registration_validate(
        name=name, kind=kind, country=country, tax_id=tax_id, user=user, password=password
    )
    taken = _registration_taken(email=email, username=username, country=country, tax_id=compact)
    values = {
        "name": name.strip(),
        "kind": kind,
        "country": country.upper(),
        "tax_id": compact,
        "is_sme": bool(is_sme),
        "username": username,
        "first_name": first_name,
        "last_name": last_name,
        "website": website,
    }
    # Hashed whatever is taken, so that the answer takes as long either way.
    request = RegistrationRequest(
        email=email, address=address[:64], data=values, password=make_password(password)
    )
    token = "" if taken else secrets.token_urlsafe(32)
    if token:
        request.token_hash = registration_token_hash(token)
    request.created_at = now
    request.save()
    # Requests are kept for the throttle and the link's life only.
    keep = max(settings.REGISTRATION_LINK_HOURS, 1)
    RegistrationRequest.objects.filter(created_at__lt=now - dt.timedelta(hours=keep)).delete()

    subject = _("Your registration on OpenCPI")
    greeting = _("Someone, probably you, asked to register %(organisation)s on OpenCPI.") % {
        "organisation": values["name"]
    }
    if token:
        link = settings.OPENCPI_PUBLIC_URL + reverse("supplier-register-confirm", args=[token])
        body = _(
            "%(greeting)s\n\nTo finish, open this link within %(hours)s hours:\n%(link)s\n\n"
            "If it was not you, ignore this message: nothing is registered without it."
        ) % {"greeting": greeting, "hours": settings.REGISTRATION_LINK_HOURS, "link": link}
    else:
        body = _(
            "%(greeting)s\n\nThe registration could not be finished. %(taken)s\n\n"
            "If it was not you, ignore this message."
        ) % {"greeting": greeting, "taken": taken}
    email_queue(key=f"registration:{request.pk}", to=[email], subject=subject, body=body)


@transaction.atomic
def supplier_registration_confirm(*, token: str, now=None) -> tuple[Supplier, User]:
    """The owner of the e-mail address confirms a registration request from its link: the
    supplier, its first representative (with the password chosen in the request) and the role.

    Refused (``ApplicationError``) when the address, the username or the tax id was taken in
    the meantime; ``NotFound`` for a used or expired link."""
    from django.utils import timezone

    from procurement.accounts.selectors import registration_requests_pending
    from procurement.core.exceptions import NotFound

    now = now or timezone.now()
    request = registration_requests_pending(token=token, now=now).select_for_update().first()
    if request is None:
        raise NotFound(_("This link is not valid any more: it was used, or it expired."))
    data = {field: request.data.get(field, "") for field in REGISTRATION_FIELDS}
    taken = _registration_taken(
        email=request.email,
        username=data["username"],
        country=data["country"],
        tax_id=data["tax_id"],
    )
    if taken:
        raise ApplicationError(taken)
    supplier, user = supplier_register(**data, email=request.email, password_hash=request.password)
    request.confirmed_at = now
    request.save(update_fields=["confirmed_at"])
    return supplier, user


@transaction.atomic
def supplier_register(
    *,
    name: str,
    kind: str,
    country: str,
    tax_id: str,
    is_sme: bool,
    username: str,
    email: str,
    password_hash: str,
    first_name: str = "",
    last_name: str = "",
    website: str = "",
) -> tuple[Supplier, User]:
    """Register a supplier and its first representative, whose password is already hashed
    (``make_password``, as a registration request keeps it): the organisation, the user, the
    role."""
    from django.utils.text import slugify

    base = slugify(name)[:50] or "supplier"
    slug, n = base, 1
    while Supplier.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    supplier = supplier_create(
        name=name.strip(),
        slug=slug,
        kind=kind,
        tax_id=tax_id,
        country=country,
        is_sme=is_sme,
        website=website,
    )
    user = User(
        username=username,
        email=email,
        first_name=first_name,
        last_name=last_name,
        password=password_hash,
    )
    try:
        user.full_clean(exclude=["password"])
    except ValidationError as error:
        raise ApplicationError(" ".join(error.messages)) from error
    user.save()
    membership_grant(
        user=user, organisation=supplier, role=Membership.Role.REPRESENTATIVE, actor=user
    )
    return supplier, user


def api_token_issue(*, request, username: str, password: str, otp: str = "") -> str:
    """Exchange a username and password (and the TOTP code, for a user who turned the second
    factor on) for a new API token; returns the token's key, shown this once.

    A wrong password is refused before the code is asked for, as on the web login page.
    """
    from django.contrib.auth import authenticate
    from django_otp import match_token

    from procurement.accounts.authentication import SECOND_FACTOR_REQUIRED
    from procurement.accounts.middleware import user_has_second_factor

    user = authenticate(request, username=username, password=password)
    # django-axes refuses a locked-out login inside authenticate() and marks the request.
    if getattr(request, "axes_locked_out", False) or getattr(
        getattr(request, "_request", None), "axes_locked_out", False
    ):
        raise TooManyAttempts(
            _("Too many failed attempts: wait 15 minutes and try again."),
            extra={"code": "locked_out"},
        )
    if user is None or not user.is_active:
        raise ApplicationError(_("Wrong username or password."))
    if user_has_second_factor(user):
        if not otp:
            raise ApplicationError(
                _(
                    "This account has a second factor: send the 6-digit code from your "
                    "authenticator app in the field “otp”, with the username and password."
                ),
                extra={"code": SECOND_FACTOR_REQUIRED, "field": "otp"},
            )
        if match_token(user, otp) is None:
            audit_record(
                actor=user,
                action=AuditEntry.Action.LOGIN_FAILED,
                target=user,
                name="second_factor_failed",
            )
            raise ApplicationError(_("That code is not valid."), extra={"field": "otp"})
    return api_token_create(user=user)


@transaction.atomic
def api_token_create(*, user: User) -> str:
    """A new API token for ``user``: returns its key, which is stored only hashed.

    The user's expired tokens are deleted on the way (the authentication refuses them anyway).
    """
    from django.utils import timezone
    from knox.models import AuthToken

    AuthToken.objects.filter(user=user, expiry__lt=timezone.now()).delete()
    instance, key = AuthToken.objects.create(user=user)
    audit_record(
        actor=user,
        action=AuditEntry.Action.LOGIN,
        target=user,
        name="api_token_issue",
        data={"token": instance.token_key},
    )
    return key


@transaction.atomic
def api_token_revoke(*, actor: User | None, user: User, token_id: str) -> None:
    """End ``user``'s token whose public id (its first characters) is ``token_id``.

    Raises ``NotFound`` when the user has no such token.
    """
    from knox.models import AuthToken

    from procurement.core.exceptions import NotFound

    deleted, _rows = AuthToken.objects.filter(user=user, token_key=token_id).delete()
    if not deleted:
        raise NotFound(_("Token not found."))
    audit_record(
        actor=actor,
        action=AuditEntry.Action.REVOKE,
        target=user,
        name="api_token_revoke",
        data={"token": token_id},
    )


@transaction.atomic
def api_tokens_revoke(*, actor: User | None, user: User, reason: str) -> int:
    """End every API token of ``user`` (``reason``: why, for the audit log); returns how many."""
    from knox.models import AuthToken

    deleted, _rows = AuthToken.objects.filter(user=user).delete()
    if deleted:
        audit_record(
            actor=actor,
            action=AuditEntry.Action.REVOKE,
            target=user,
            name="api_tokens_revoke",
            reason=reason,
            data={"tokens": deleted},
        )
    return deleted
