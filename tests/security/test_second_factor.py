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
