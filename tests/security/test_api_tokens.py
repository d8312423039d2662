"""API tokens have a life: they expire when unused, end at logout, at every password change,
and whenever their user or an administrator revokes them."""

import datetime as dt

import time_machine
from django.utils import timezone

from procurement.core.models import AuditEntry

NEW_PASSWORD = "a-new-and-unusual-passphrase-7"
DEMO_PASSWORD = "opencpi-demo"


def _token(api, username: str, password: str = DEMO_PASSWORD) -> str:
    reply = api.post(
        "/api/v1/auth/token/", {"username": username, "password": password}, format="json"
    )
    assert reply.status_code == 200, reply.content
    return reply.json()["token"]


def _works(api, token: str) -> bool:
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    status = api.get("/api/v1/me/").status_code
    api.credentials()
    assert status in (200, 401), status
    return status == 200


def test_a_token_stops_working_when_its_user_logs_out_from_the_api(demo, api_as):
    api = api_as(None)
    token = _token(api, "supplier.acme")
    other = _token(api, "supplier.acme")
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.post("/api/v1/auth/logout/").status_code == 204
    assert not _works(api, token)
    assert _works(api, other), "logging out ends only the token used to log out"


def test_every_login_gets_a_new_token(demo, api_as):
    api = api_as(None)
    first, second = _token(api, "supplier.acme"), _token(api, "supplier.acme")
    assert first != second and _works(api, first) and _works(api, second)


def test_a_password_change_by_an_administrator_ends_every_token_for_good(demo, api_as, client):
    api = api_as(None)
    old = _token(api, "supplier.nova")
    nova = demo.user("supplier.nova")
    client.post("/accounts/login/", {"username": "admin", "password": "opencpi-demo"})
    changed = client.post(
        f"/admin/accounts/user/{nova.pk}/password/",
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )
    assert changed.status_code == 302, changed.content.decode()[:2000]
    assert not _works(api, old)
    new = _token(api, "supplier.nova", NEW_PASSWORD)
    assert new != old and _works(api, new) and not _works(api, old)


def test_a_password_changed_anywhere_ends_the_tokens(demo, api_as):
    api = api_as(None)
    token = _token(api, "supplier.nova")
    nova = demo.user("supplier.nova")
    nova.set_password(NEW_PASSWORD)
    nova.save()
    assert not _works(api, token)
    assert AuditEntry.objects.filter(name="api_tokens_revoke", object_id=str(nova.pk)).exists()


def test_a_token_ends_after_30_idle_days_and_lives_on_while_used(demo, api_as):
    api = api_as(None)
    idle, used = _token(api, "supplier.acme"), _token(api, "supplier.acme")
    start = timezone.now()
    with time_machine.travel(start + dt.timedelta(days=20), tick=False):
        assert _works(api, used)
    with time_machine.travel(start + dt.timedelta(days=45), tick=False):
        assert _works(api, used), "used 25 days ago: still alive"
        assert not _works(api, idle), "never used in 45 days: expired"
    with time_machine.travel(start + dt.timedelta(days=80), tick=False):
        assert not _works(api, used), "unused for 35 days: expired"


def test_a_user_lists_and_revokes_their_tokens_through_the_api(demo, api_as):
    api = api_as(None)
    laptop, script = _token(api, "legal.logrono"), _token(api, "legal.logrono")
    other_users = _token(api, "legal.terrassa")
    api.credentials(HTTP_AUTHORIZATION=f"Token {laptop}")
    listed = api.get("/api/v1/auth/tokens/").json()["results"]
    assert len(listed) == 2
    assert [t["current"] for t in listed].count(True) == 1
    assert all(set(t) >= {"id", "created", "expiry", "current"} for t in listed)
    assert not any(laptop in str(t) or script in str(t) for t in listed), "no secret is listed"
    script_id = next(t["id"] for t in listed if not t["current"])
    assert script.startswith(script_id)

    api.credentials(HTTP_AUTHORIZATION=f"Token {other_users}")
    assert api.delete(f"/api/v1/auth/tokens/{script_id}/").status_code == 404
    api.credentials(HTTP_AUTHORIZATION=f"Token {laptop}")
    assert api.delete(f"/api/v1/auth/tokens/{script_id}/").status_code == 204
    assert not _works(api, script)
    assert _works(api, laptop) and _works(api, other_users)


def test_a_user_sees_and_revokes_their_tokens_on_a_web_page(demo, api_as, login):
    api = api_as(None)
    token = _token(api, "officer.logrono")
    browser = login("officer.logrono")
    page = browser.get("/accounts/tokens/")
    assert page.status_code == 200
    assert token[:15] in page.content.decode() and token not in page.content.decode()
    revoked = browser.post("/accounts/tokens/", {"revoke": token[:15]})
    assert revoked.status_code == 302
    assert not _works(api, token)


def test_an_administrator_revokes_a_users_tokens(demo, api_as, client):
    api = api_as(None)
    token = _token(api, "supplier.acme")
    acme = demo.user("supplier.acme")
    client.post("/accounts/login/", {"username": "admin", "password": "opencpi-demo"})
    done = client.post(
        "/admin/accounts/user/",
        {"action": "revoke_api_tokens", "_selected_action": [acme.pk]},
    )
    assert done.status_code == 302
    assert not _works(api, token)


def test_turning_the_second_factor_on_ends_the_tokens_got_without_it(demo, api_as, login):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tests.security.matrix import totp_code

    api = api_as(None)
    token = _token(api, "officer.logrono")
    officer = login("officer.logrono")
    officer.get("/accounts/otp/setup/")
    device = TOTPDevice.objects.get(user__username="officer.logrono")
    assert officer.post("/accounts/otp/setup/", {"code": totp_code(device)}).status_code == 302
    assert not _works(api, token)


def test_a_malformed_token_is_refused_like_a_wrong_one(demo, api_as):
    api = api_as(None)
    for credential in ("short", "z" * 64, "é" * 64, "0" * 64):
        api.credentials(HTTP_AUTHORIZATION=f"Token {credential}")
        assert api.get("/api/v1/me/").status_code == 401, credential
