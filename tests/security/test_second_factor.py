"""An optional TOTP second factor for city roles."""

import time

import time_machine
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from procurement.core.models import AuditEntry


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def test_an_officer_turns_on_totp_and_is_asked_for_a_code_at_the_next_login(demo, login, client):
    officer = login("officer.logrono")
    setup = officer.get("/accounts/otp/setup/")
    assert setup.status_code == 200 and "otpauth://" in setup.content.decode()
    device = TOTPDevice.objects.get(user__username="officer.logrono")
    assert (
        officer.post(
            "/accounts/otp/setup/", {"code": "000000" if _code(device) != "000000" else "111111"}
        ).status_code
        == 200
    )
    device.refresh_from_db()
    device.throttle_reset()  # a wrong code throttles the next try for a second; skip the wait
    assert officer.post("/accounts/otp/setup/", {"code": _code(device)}).status_code == 302
    assert AuditEntry.objects.filter(name="second_factor_on").exists()
    officer.post("/accounts/logout/")

    client.post("/accounts/login/", {"username": "officer.logrono", "password": "opencpi-demo"})
    blocked = client.get("/processes/")
    assert blocked.status_code == 302 and blocked["Location"].startswith("/accounts/otp/verify/")
    wrong = client.post("/accounts/otp/verify/", {"code": "12345", "next": "/processes/"})
    assert wrong.status_code == 200 and 'role="alert"' in wrong.content.decode()
    device.refresh_from_db()
    device.throttle_reset()
    # A code is good once: the next login uses the next 30-second step's code.
    with time_machine.travel(time.time() + 31, tick=False):
        right = client.post("/accounts/otp/verify/", {"code": _code(device), "next": "/processes/"})
    assert right.status_code == 302 and right["Location"] == "/processes/"
    assert client.get("/processes/").status_code == 200


def test_suppliers_have_no_second_factor_page_and_others_are_not_asked(demo, login):
    assert login("supplier.acme").get("/accounts/otp/setup/").status_code == 404
    assert login("legal.logrono").get("/processes/").status_code == 200


def _second_factor_on(username: str) -> TOTPDevice:
    from procurement.accounts.models import User

    return TOTPDevice.objects.create(
        user=User.objects.get(username=username), name="authenticator", confirmed=True
    )


def test_a_password_only_session_of_a_totp_user_cannot_use_the_api(demo, client):
    from documents.models import DocumentTemplate

    device = _second_factor_on("legal.logrono")
    client.post("/accounts/login/", {"username": "legal.logrono", "password": "opencpi-demo"})
    me = client.get("/api/v1/me/")
    assert me.status_code == 401
    assert me.json()["code"] == "second_factor_required"
    assert "code" in me.json()["detail"]
    created = client.post(
        "/api/v1/templates/",
        {"kind": "ppt", "language": "es", "name": "Sin segundo factor"},
        content_type="application/json",
    )
    assert created.status_code == 401
    assert not DocumentTemplate.objects.filter(name="Sin segundo factor").exists()

    client.post("/accounts/otp/verify/", {"code": _code(device), "next": "/"})
    assert client.get("/api/v1/me/").status_code == 200, "the verified session works as before"


def test_the_token_endpoint_asks_a_totp_user_for_the_code(demo, api_as):
    device = _second_factor_on("officer.logrono")
    api = api_as(None)
    password_only = api.post(
        "/api/v1/auth/token/",
        {"username": "officer.logrono", "password": "opencpi-demo"},
        format="json",
    )
    assert password_only.status_code == 400
    assert password_only.json()["code"] == "second_factor_required"
    assert "token" not in password_only.json()
    wrong = api.post(
        "/api/v1/auth/token/",
        {"username": "officer.logrono", "password": "opencpi-demo", "otp": "000000"}
        if _code(device) != "000000"
        else {"username": "officer.logrono", "password": "opencpi-demo", "otp": "111111"},
        format="json",
    )
    assert wrong.status_code == 400 and "token" not in wrong.json()
    assert AuditEntry.objects.filter(name="second_factor_failed").exists()
    device.refresh_from_db()
    device.throttle_reset()
    right = api.post(
        "/api/v1/auth/token/",
        {"username": "officer.logrono", "password": "opencpi-demo", "otp": _code(device)},
        format="json",
    )
    assert right.status_code == 200, right.content
    api.credentials(HTTP_AUTHORIZATION=f"Token {right.json()['token']}")
    assert api.get("/api/v1/me/").json()["username"] == "officer.logrono"


def test_a_wrong_password_is_refused_before_the_code_is_asked(demo, api_as):
    _second_factor_on("officer.logrono")
    refused = api_as(None).post(
        "/api/v1/auth/token/",
        {"username": "officer.logrono", "password": "not-it", "otp": "123456"},
        format="json",
    )
    assert refused.status_code == 400 and refused.json().get("code") != "second_factor_required"


def test_a_password_only_session_cannot_reach_the_account_pages_either(demo, client):
    _second_factor_on("officer.logrono")
    client.post("/accounts/login/", {"username": "officer.logrono", "password": "opencpi-demo"})
    for page in ("/accounts/tokens/", "/accounts/otp/setup/"):
        reply = client.get(page)
        assert reply.status_code == 302 and reply["Location"].startswith("/accounts/otp/verify/")
