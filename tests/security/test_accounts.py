"""Accounts: login throttling, logins in the audit log, security headers."""

from procurement.core.models import AuditEntry


def test_logins_failed_logins_and_logouts_are_audited(demo, client):
    client.post("/accounts/login/", {"username": "officer.logrono", "password": "wrong"})
    client.post("/accounts/login/", {"username": "nobody", "password": "wrong"})
    client.post("/accounts/login/", {"username": "officer.logrono", "password": "opencpi-demo"})
    client.post("/accounts/logout/")
    rows = list(
        AuditEntry.objects.filter(action__in=["login", "login_failed", "logout"]).order_by("pk")
    )
    assert [
        (r.action, r.data.get("username", r.actor.username if r.actor else "")) for r in rows
    ] == [
        ("login_failed", "officer.logrono"),
        ("login_failed", "nobody"),
        ("login", "officer.logrono"),
        ("logout", "officer.logrono"),
    ]


def test_five_failures_lock_the_login_on_the_web_and_the_api(demo, client, api_as):
    for _ in range(5):
        client.post("/accounts/login/", {"username": "legal.logrono", "password": "guess"})
    locked = client.post(
        "/accounts/login/", {"username": "legal.logrono", "password": "opencpi-demo"}
    )
    assert locked.status_code in (403, 429)
    assert "Too many" in locked.content.decode()
    api = api_as(None)
    refused = api.post(
        "/api/v1/auth/token/",
        {"username": "legal.logrono", "password": "opencpi-demo"},
        format="json",
    )
    assert refused.status_code == 429 and "15 minutes" in refused.json()["detail"]
    # Other users are not affected.
    assert (
        api.post(
            "/api/v1/auth/token/",
            {"username": "officer.logrono", "password": "opencpi-demo"},
            format="json",
        ).status_code
        == 200
    )


def test_pages_send_a_csp_without_inline_scripts_and_frame_denial(db, client):
    response = client.get("/accounts/login/")
    csp = response["Content-Security-Policy"]
    assert (
        "script-src 'self'" in csp
        and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    )
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    for url in ("/accounts/login/", "/api/docs/", "/portal/", "/consultations/"):
        page = client.get(url).content.decode()
        assert "<script>" not in page and '<script type="text/javascript">' not in page, url
