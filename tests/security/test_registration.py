"""Registration tells nobody who exists: the page answers the same whatever is taken, the rest
goes by e-mail to the address given; one account per address; throttled per address."""

import re

import pytest
from stdnum.es import cif

from procurement.accounts.models import Membership, Supplier, User
from procurement.core.models import OutboundEmail

FREE_CIF = "B2600000" + cif.calc_check_digits("B2600000")[0]
OTHER_FREE_CIF = "B2611111" + cif.calc_check_digits("B2611111")[0]
ACME_CIF = "B26123455"


def _form(**overrides) -> dict:
    return {
        "name": "Sensórica del Ebro S.L.",
        "kind": "startup",
        "country": "ES",
        "tax_id": FREE_CIF,
        "is_sme": "on",
        "first_name": "Eva",
        "last_name": "Gil",
        "email": "eva@example.org",
        "username": "eva.gil",
        "password": "long-and-unusual-9",
        **overrides,
    }


def _register(client, address="203.0.113.7", **overrides):
    return client.post("/consultations/register/", _form(**overrides), REMOTE_ADDR=address)


def _mail_to(address: str) -> OutboundEmail:
    return OutboundEmail.objects.filter(to=[address]).latest("pk")


def _link(mail: OutboundEmail) -> str:
    found = re.search(r"https?://[^/\s]+(/consultations/register/[\w-]+/)", mail.body)
    assert found, mail.body
    return found.group(1)


def _page(response, email: str) -> str:
    """The page as a person sees it, without what differs on every request anyway."""
    text = response.content.decode().replace(email, "EMAIL")
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"|"X-CSRFToken": "[^"]+"', "", text)


def test_the_page_answers_the_same_whether_or_not_a_username_or_tax_id_is_taken(demo, client):
    fresh = _register(client, email="a@example.org")
    taken_username = _register(
        client, email="b@example.org", username="officer.logrono", tax_id=OTHER_FREE_CIF
    )
    taken_tax_id = _register(client, email="c@example.org", username="c.user", tax_id=ACME_CIF)
    assert fresh.status_code == taken_username.status_code == taken_tax_id.status_code == 200
    assert (
        _page(fresh, "a@example.org")
        == _page(taken_username, "b@example.org")
        == _page(taken_tax_id, "c@example.org")
    )
    assert "officer.logrono" not in taken_username.content.decode()
    assert not Supplier.objects.filter(tax_id__in=[FREE_CIF, OTHER_FREE_CIF]).exists()
    # What is taken is told only to the mailbox that asked.
    assert "/consultations/register/" in _mail_to("a@example.org").body
    assert "officer.logrono" in _mail_to("b@example.org").body
    assert "/consultations/register/" not in _mail_to("b@example.org").body
    assert "already registered" in _mail_to("c@example.org").body


def test_a_supplier_confirms_by_e_mail_and_is_then_registered_and_signed_in(db, client):
    assert _register(client).status_code == 200
    assert not User.objects.filter(username="eva.gil").exists()
    link = _link(_mail_to("eva@example.org"))
    assert client.get(link).status_code == 200
    assert not User.objects.filter(username="eva.gil").exists(), "a GET (a link preview) is safe"
    confirmed = client.post(link)
    assert confirmed.status_code == 302
    supplier = Supplier.objects.get(tax_id=FREE_CIF)
    assert Membership.objects.filter(
        user__username="eva.gil", supplier=supplier, role="representative"
    ).exists()
    assert client.get("/consultations/subscriptions/").status_code == 200
    assert client.post(link).status_code == 404, "a link is good once"
    assert client.get("/consultations/register/not-a-real-link/").status_code == 404


def test_an_e_mail_address_has_one_account(demo, client):
    taken = "supplier.acme@demo.opencpi.local"
    assert _register(client, email=taken.upper()).status_code == 200
    mail = _mail_to(taken.upper())
    assert "already has an account" in mail.body and "/consultations/register/" not in mail.body
    assert not User.objects.filter(username="eva.gil").exists()
    # Two requests for one new address: the first confirmed wins, the second is refused.
    _register(client, email="twice@example.org")
    first = _link(_mail_to("twice@example.org"))
    _register(client, email="twice@example.org", username="eva.two", tax_id=OTHER_FREE_CIF)
    second = _link(_mail_to("twice@example.org"))
    assert first != second
    assert client.post(first).status_code == 302
    client.post("/accounts/logout/")
    refused = client.post(second)
    assert refused.status_code == 200 and 'role="alert"' in refused.content.decode()
    assert User.objects.filter(email__iexact="twice@example.org").count() == 1


def test_registration_is_throttled_per_address(db, client, settings):
    settings.REGISTRATIONS_PER_ADDRESS_PER_HOUR = 3
    for n in range(3):
        assert _register(client, email=f"r{n}@example.org").status_code == 200
    refused = _register(client, email="r3@example.org")
    assert refused.status_code == 429 and "Too many" in refused.content.decode()
    assert not OutboundEmail.objects.filter(to=["r3@example.org"]).exists()
    assert _register(client, address="198.51.100.9", email="r4@example.org").status_code == 200


@pytest.mark.parametrize("field", ["username", "tax_id"])
def test_a_taken_name_is_not_told_by_the_form_either(demo, client, field):
    value = {"username": "supplier.acme", "tax_id": ACME_CIF}[field]
    page = _register(client, **{field: value}).content.decode()
    assert "taken" not in page and "already registered" not in page
