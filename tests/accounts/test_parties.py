import pytest
from django.contrib.auth.models import Permission

from procurement.accounts.models import City, Membership, Network, Supplier, User
from procurement.accounts.services import membership_grant, supplier_create
from procurement.core.exceptions import ApplicationError
from procurement.core.models import AuditEntry

DEMO_USERS = [
    "officer.logrono",
    "legal.logrono",
    "committee.logrono",
    "officer.terrassa",
    "legal.terrassa",
    "supplier.acme",
    "supplier.nova",
    "admin",
]


def test_seed_demo_is_idempotent(demo):
    from procurement.accounts import demo as accounts_demo

    counts = (
        Network.objects.count(),
        City.objects.count(),
        Supplier.objects.count(),
        User.objects.count(),
        Membership.objects.count(),
        AuditEntry.objects.count(),
    )
    accounts_demo.seed()
    assert counts == (
        Network.objects.count(),
        City.objects.count(),
        Supplier.objects.count(),
        User.objects.count(),
        Membership.objects.count(),
        AuditEntry.objects.count(),
    )
    assert counts[:4] == (2, 3, 3, 8)


def test_demo_networks_and_cities_as_the_foundation_issue_names_them(demo):
    assert set(demo.city("logrono").networks.values_list("slug", flat=True)) == {"reci"}
    assert set(demo.city("terrassa").networks.values_list("slug", flat=True)) == {
        "reci",
        "innpulso",
    }
    assert not demo.city("medellin").networks.exists()
    assert demo.city("medellin").currency == "COP"


@pytest.mark.parametrize("username", DEMO_USERS)
def test_every_demo_user_logs_in_with_the_demo_password(demo, client, username):
    response = client.post(
        "/accounts/login/", {"username": username, "password": "opencpi-demo"}, follow=True
    )
    assert response.wsgi_request.user.username == username


def test_wrong_password_is_refused_with_a_form_error(demo, client):
    response = client.post("/accounts/login/", {"username": "officer.logrono", "password": "nope"})
    assert response.status_code == 200
    assert not response.wsgi_request.user.is_authenticated
    assert b'role="alert"' in response.content


def test_organisation_users_hold_no_global_permission(demo):
    for username in DEMO_USERS[:-1]:
        user = demo.user(username)
        assert not user.user_permissions.exists()
        assert not Permission.objects.filter(group__user=user).exists(), username


def test_membership_grant_writes_one_audit_row(demo):
    user = User.objects.create_user("new.officer", password="x-long-password-1")
    city = demo.city("medellin")
    before = AuditEntry.objects.filter(action=AuditEntry.Action.GRANT).count()
    membership_grant(user=user, organisation=city, role=Membership.Role.OFFICER)
    membership_grant(user=user, organisation=city, role=Membership.Role.OFFICER)
    assert AuditEntry.objects.filter(action=AuditEntry.Action.GRANT).count() == before + 1
    assert user.has_perm("accounts.view_city_workspace", city)


def test_a_supplier_role_cannot_be_given_in_a_city(demo):
    user = User.objects.create_user("someone", password="x-long-password-1")
    with pytest.raises(ValueError):
        membership_grant(
            user=user, organisation=demo.city("logrono"), role=Membership.Role.REPRESENTATIVE
        )


@pytest.mark.parametrize(
    ("country", "tax_id", "ok"),
    [
        ("ES", "B26123455", True),
        ("ES", "b-2612345-5", True),  # normalised
        ("ES", "B26123456", False),  # wrong check digit
        ("ES", "12345678Z", True),  # NIF of a person (autónomo)
        ("ES", "not-a-cif", False),
        ("CO", "900.123.456-8", True),  # Colombia's NIT, checked by python-stdnum
        ("CO", "900.123.456-7", False),
        ("US", "12-3456789", True),  # a country stdnum does not know: free form
    ],
)
def test_spanish_suppliers_need_a_valid_nif_or_cif(db, country, tax_id, ok):
    if ok:
        supplier = supplier_create(
            name="X", slug="x", kind=Supplier.Kind.COMPANY, country=country, tax_id=tax_id
        )
        assert supplier.pk
    else:
        with pytest.raises(ApplicationError) as error:
            supplier_create(
                name="X", slug="x", kind=Supplier.Kind.COMPANY, country=country, tax_id=tax_id
            )
        assert "NIF" in error.value.message


def test_two_suppliers_cannot_share_a_tax_id(demo):
    with pytest.raises(ApplicationError):
        supplier_create(name="Copy", slug="copy", kind=Supplier.Kind.COMPANY, tax_id="B26123455")
