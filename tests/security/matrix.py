"""The permission matrix's machinery: cases, actors, running them, reporting mismatches.

A case is one URL (by name) with the objects that fill its kwargs and, per side, one expected
status per actor, written as a row of nine codes in ``ACTORS`` order:

    anonymous  officer.L  legal.L  committee.L  officer.T  legal.T  acme  nova  admin

``-`` means "not probed" (a write that would change what later cells read). Side ``L`` fills the
kwargs with Logroño's (and Acme's) objects, side ``T`` with Terrassa's (and Nova's); a case
without objects (or whose ``T`` row would repeat ``L``) gives only ``L``.
"""

import os
from dataclasses import dataclass, field

from django.test import Client
from django.urls import resolve, reverse
from rest_framework.test import APIClient

DEMO_PASSWORD = "opencpi-demo"
ACTORS = (
    "anonymous",
    "officer.logrono",
    "legal.logrono",
    "committee.logrono",
    "officer.terrassa",
    "legal.terrassa",
    "supplier.acme",
    "supplier.nova",
    "admin",
)
OBSERVE = os.environ.get("OPENCPI_MATRIX_OBSERVE") == "1"


@dataclass(frozen=True)
class Case:
    name: str
    fill: dict[str, str] = field(default_factory=dict)
    L: str = ""
    T: str = ""
    method: str = "get"
    variant: str = ""
    data: dict | None = None

    @property
    def sides(self) -> tuple[str, ...]:
        objects = [kind for kind in self.fill.values() if not kind.startswith("=")]
        return ("L", "T") if objects else ("",)

    def expected(self, side: str) -> list[str]:
        row = (self.T if side == "T" and self.T else self.L).split()
        if len(row) != len(ACTORS) and not OBSERVE:
            raise AssertionError(f"{self.label(side)}: {len(row)} codes for {len(ACTORS)} actors")
        return row

    def label(self, side: str) -> str:
        parts = [self.name, self.variant, side]
        return " ".join(p for p in parts if p)

    def kwargs(self, world: dict, side: str) -> dict:
        return {
            kwarg: kind[1:] if kind.startswith("=") else world[kind][side]
            for kwarg, kind in self.fill.items()
        }


def case(url: str, L: str = "", T: str = "", *, method="get", variant="", data=None, **fill):
    return Case(url, fill, L, T, method, variant, data)


def cells(cases: list[Case]) -> int:
    """How many (endpoint, actor, object) cells the cases probe."""
    return sum(code != "-" for c in cases for side in c.sides for code in c.expected(side))


def web_clients() -> dict[str, Client]:
    """One browser per actor, logged in through the real login form."""
    clients = {}
    for actor in ACTORS:
        client = Client(raise_request_exception=False)
        if actor != "anonymous":
            reply = client.post("/accounts/login/", {"username": actor, "password": DEMO_PASSWORD})
            assert reply.status_code == 302, f"login failed for {actor}"
        clients[actor] = client
    return clients


def api_clients() -> dict[str, APIClient]:
    """One API client per actor, holding a token from ``/api/v1/auth/token/``."""
    clients = {}
    for actor in ACTORS:
        client = APIClient(raise_request_exception=False)
        if actor != "anonymous":
            reply = client.post(
                "/api/v1/auth/token/",
                {"username": actor, "password": DEMO_PASSWORD},
                format="json",
            )
            assert reply.status_code == 200, reply.content
            client.credentials(HTTP_AUTHORIZATION=f"Token {reply.json()['token']}")
        clients[actor] = client
    return clients


def totp_code(device) -> str:
    """The code ``device``'s authenticator app shows now."""
    from django_otp.oath import totp

    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def second_factor_sessions(actor: str) -> tuple[APIClient, APIClient]:
    """Two API clients on web sessions of ``actor`` after the second factor is switched on for
    them: one that gave only the password, one that gave the TOTP code too."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from procurement.accounts.models import User

    device = TOTPDevice.objects.create(
        user=User.objects.get(username=actor), name="authenticator", confirmed=True
    )
    sessions = []
    for verify in (False, True):
        client = APIClient(raise_request_exception=False)
        reply = client.post("/accounts/login/", {"username": actor, "password": DEMO_PASSWORD})
        assert reply.status_code == 302, f"login failed for {actor}"
        if verify:
            reply = client.post("/accounts/otp/verify/", {"code": totp_code(device), "next": "/"})
            assert reply.status_code == 302 and reply["Location"] == "/", "code refused"
        sessions.append(client)
    return sessions[0], sessions[1]


def run_second_factor(
    cases: list[Case], world: dict, actor: str, password_only, verified
) -> tuple[int, list[str]]:
    """Probe every API cell of ``actor`` twice: the verified session must get what the actor's
    column expects; the password-only session must be refused (401) on every route that reads
    credentials, writes the column leaves unprobed included. Routes that read none (the token
    endpoint, open data) answer it as they answer anyone."""
    column = ACTORS.index(actor)
    checked, mismatches = 0, []
    probes = []
    for item in sorted(cases, key=lambda c: c.method != "get"):
        for side in item.sides:
            url = reverse(item.name, kwargs=item.kwargs(world, side))
            want = item.expected(side)[column]
            probes.append((item, side, url, want))
    # The verified session first: a write the password-only session wrongly made could change
    # what it reads.
    for label, client in (("verified session", verified), ("password-only session", password_only)):
        for item, side, url, want in probes:
            if client is password_only:
                reads_credentials = resolve(url).func.cls().get_authenticators()
                want = "401" if reads_credentials else item.expected(side)[0]
            if want == "-":
                continue
            got = str(_request(client, item.method, url, item.data, True).status_code)
            checked += 1
            if got != want:
                mismatches.append(
                    f"{item.method.upper()} {url} [{item.label(side)}] as {actor}, {label}: "
                    f"expected {want}, got {got}"
                )
    return checked, mismatches


def _request(client, method: str, url: str, data: dict | None, api: bool):
    if method == "get":
        return client.get(url)
    if method == "post":
        if api:
            return client.post(url, data or {}, format="json")
        return client.post(url, data or {})
    return getattr(client, method)(url)


def run(cases: list[Case], world: dict, clients: dict, *, api: bool) -> tuple[int, list[str]]:
    """Probe every cell; return how many were checked and every mismatch, in a readable line
    each. An anonymous ``302`` must lead to the login page."""
    checked, mismatches, observed = 0, [], []
    # Writes last, so a refused write that went through shows up without spoiling the reads.
    for item in sorted(cases, key=lambda c: c.method != "get"):
        rows = {}
        for side in item.sides:
            url = reverse(item.name, kwargs=item.kwargs(world, side))
            expected = item.expected(side)
            if OBSERVE and len(expected) != len(ACTORS):
                expected = ["?"] * len(ACTORS)
            got_row = []
            for actor, want in zip(ACTORS, expected, strict=True):
                if want == "-":
                    got_row.append("-")
                    continue
                reply = _request(clients[actor], item.method, url, item.data, api)
                got = str(reply.status_code)
                if got == "302" and actor == "anonymous":
                    location = reply.get("Location", "")
                    if not location.startswith("/accounts/login/"):
                        got = f"302→{location}"
                got_row.append(got)
                checked += 1
                if want != "?" and got != want:
                    mismatches.append(
                        f"{item.method.upper()} {url} [{item.label(side)}] as {actor}: "
                        f"expected {want}, got {got}"
                    )
            rows[side] = " ".join(got_row)
        observed.append((item, rows))
    if OBSERVE:
        for item, rows in observed:
            fill = ", ".join(f"{k}={v!r}" for k, v in item.fill.items())
            print(f'case("{item.name}", variant="{item.variant}", method="{item.method}", {fill},')
            for side, row in rows.items():
                print(f'     {side or "L"}="{row}",')
    return checked, mismatches
