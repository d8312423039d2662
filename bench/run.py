"""The benchmark (``make bench``; not a test, never run by ``make test`` or CI).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/opencpi_bench .venv/bin/python bench/run.py

On PostgreSQL only. For each size (``--small`` then ``--large`` processes) it drops and recreates
a database (the one named by ``DATABASE_URL``, whose name must contain "bench", for the large data
set; the same name with ``_small`` for the small one), migrates it, fills it with ``manage.py
seed_scale`` and counts the SQL queries of each measured page in-process. Then it starts the
production server (gunicorn, 2 workers, persistent database connections) on each data set, both
up at once, and drives load at them with ``wrk`` on 127.0.0.1: each request on each data set,
then each request on both in alternation (growth). On the large data set it also runs the
submission rush, the deadline storm (one Celery worker on Redis) and reads the web workers' peak
memory; then it times the document renderer (``bench/render_document.py``).

Speed is reported as a ratio to ``GET /healthz`` measured in the same run, since the machine is
shared and noisy. Results: ``bench/results/latest.json`` and ``bench/results/latest.md``.
"""

import argparse
import datetime as dt
import http.client
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PYTHON = sys.executable
BIN = Path(PYTHON).parent
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/12")

TARGETS = {
    # Ratios, in % of the requests/s of another request measured in the same run.
    "healthz_of_floor": 75.0,  # /healthz against the bare Django JSON view
    "detail_api": 33.0,  # the rest against /healthz
    "api_list": 20.0,
    "web": 12.0,
    "portal": 60.0,
    "p99_ms": 150.0,  # every page under load
    "alone_p50_ms": 25.0,  # every page for one user alone
    "scale_latency": 1.2,
    "render_ratio": 1.3,
    "rush_p99_ms": 500.0,
    "storm_seconds": 60.0,
    "rss_mb": 200.0,
}


def fail(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr)
    raise SystemExit(2)


def check_database(url: str) -> tuple[str, str]:
    """The bench database's name and the maintenance URL used to recreate it."""
    if not url:
        fail(
            "set DATABASE_URL to a PostgreSQL database, e.g. "
            "postgres://postgres@127.0.0.1:5432/opencpi_bench"
        )
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql", "pgsql"):
        fail(
            f"the benchmark runs on PostgreSQL only, not {parts.scheme or url!r} (SQLite "
            "would measure nothing useful)"
        )
    name = parts.path.lstrip("/")
    if "bench" not in name:
        fail(f"database {name!r} would be dropped and recreated: use a name containing 'bench'")
    return name, urlunsplit(parts._replace(path="/postgres"))


def environment(args) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "procurement.settings.production",
        "DJANGO_SECRET_KEY": args.secret,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_LOG_LEVEL": "WARNING",
        "CELERY_BROKER_URL": REDIS_URL,
        "OPENCPI_VAR_DIR": str(ROOT / "var" / "bench"),
        "PYTHONPATH": str(ROOT),
    }


def recreate_database(name: str, maintenance_url: str) -> None:
    from django.db import connections

    connections.close_all()
    import psycopg

    with psycopg.connect(maintenance_url, autocommit=True) as conn:
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s "
            "AND pid <> pg_backend_pid()",
            (name,),
        )
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def database_url(name: str) -> str:
    """``DATABASE_URL`` with another database's name (the small data set has its own)."""
    return urlunsplit(urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{name}"))


def database_exists(name: str, maintenance_url: str) -> bool:
    import psycopg

    with psycopg.connect(maintenance_url, autocommit=True) as conn:
        found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
    return found is not None


def use_database(name: str) -> None:
    """Point this process's Django connection at database ``name`` (seeding, counting queries,
    preparing the rush and the storm on the data set they concern)."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connections

    connections.close_all()
    connections["default"].settings_dict["NAME"] = name
    ContentType.objects.clear_cache()


def manage(env: dict, *argv: str) -> str:
    done = subprocess.run(
        [PYTHON, "manage.py", *argv], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if done.returncode:
        print(done.stdout, done.stderr, file=sys.stderr)
        fail(f"manage.py {' '.join(argv)} failed")
    return done.stdout


def sizes(processes: int) -> list[str]:
    """seed_scale sizes for ``processes``: parties and templates fixed, the rest in proportion."""
    return [
        f"--processes={processes}",
        f"--consultations={processes // 5}",
        f"--responses={processes // 5 * 25}",
        f"--audit={processes * 10}",
    ]


# --- fixtures read from the seeded data ---------------------------------------------------------


def fixtures() -> dict:
    """Users, tokens, sessions and ids the measured requests use."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from procurement.accounts.models import User
    from procurement.accounts.services import api_token_create
    from tenders.models import Consultation, Tender
    from tenders.procedures import S

    def login(username: str) -> dict:
        user = User.objects.get(username=username)
        token = api_token_create(user=user)
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "procurement.accounts.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        return {
            "user": user,
            "token": {"Authorization": f"Token {token}"},
            "cookie": {"Cookie": f"{settings.SESSION_COOKIE_NAME}={session.session_key}"},
        }

    officer = login("scale-officer-0")
    # A process of the officer's city that is past its consultation: private and public sides.
    tender = (
        Tender.objects.filter(city__slug="scale-city-0", first_published_at__isnull=False)
        .order_by("pk")
        .first()
    )
    public = Tender.objects.filter(status=S.CONSULTATION_OPEN).order_by("pk").first()
    consultation = Consultation.objects.filter(tender=public).first()
    return {
        "officer": officer,
        "supplier": login("scale-supplier-0"),
        "legal": login("scale-legal-0"),
        "tender": tender.pk if tender else None,
        "public_tender": public.pk if public else None,
        "consultation": consultation.pk if consultation else None,
    }


def endpoints(fx: dict, page_size: int) -> list[dict]:
    """(name, path, headers) of every measured request; lists at ``page_size`` rows."""
    off, sup, leg = fx["officer"], fx["supplier"], fx["legal"]
    return [
        {
            "name": "healthz (baseline)",
            "key": "healthz",
            "kind": "baseline",
            "path": "/healthz",
            "headers": {},
        },
        {
            "name": "process detail (API)",
            "key": "detail_api",
            "kind": "detail_api",
            "path": f"/api/v1/tenders/{fx['tender']}/",
            "headers": off["token"],
        },
        {
            "name": "process list (API)",
            "key": "list_api",
            "kind": "api_list",
            "list": True,
            "path": f"/api/v1/tenders/?page_size={page_size}",
            "headers": off["token"],
        },
        {
            "name": "process detail (web)",
            "key": "detail_web",
            "kind": "web",
            "path": f"/processes/{fx['tender']}/",
            "headers": off["cookie"],
        },
        {
            "name": "process list (web)",
            "key": "list_web",
            "kind": "web",
            "list": True,
            "path": "/processes/",
            "headers": off["cookie"],
        },
        {
            "name": "supplier's open consultations (API)",
            "key": "open_api",
            "kind": "api_list",
            "list": True,
            "path": f"/api/v1/consultations/?open=true&page_size={page_size}",
            "headers": sup["token"],
        },
        {
            "name": "supplier's open consultations (web)",
            "key": "open_web",
            "kind": "web",
            "list": True,
            "path": "/consultations/",
            "headers": sup["cookie"],
        },
        {
            "name": "template library (API)",
            "key": "library_api",
            "kind": "api_list",
            "list": True,
            "path": f"/api/v1/templates/?page_size={page_size}",
            "headers": leg["token"],
        },
        {
            "name": "template library (web)",
            "key": "library_web",
            "kind": "web",
            "list": True,
            "path": "/documents/templates/",
            "headers": leg["cookie"],
        },
        {
            "name": "public portal: process page",
            "key": "portal_process",
            "kind": "portal",
            "path": f"/portal/processes/{fx['public_tender']}/",
            "headers": {},
        },
        {
            "name": "public portal: home (search)",
            "key": "portal_home",
            "kind": "portal",
            "list": True,
            "path": "/portal/",
            "headers": {},
        },
    ]


def count_queries(fx: dict) -> dict[str, dict[str, int]]:
    """SQL queries per request, in-process with Django's test client, at 10 and 100 rows."""
    from django.test import Client, override_settings

    counts: dict[str, dict[str, int]] = {}
    client = Client(HTTP_HOST="127.0.0.1")
    with override_settings(PAGE_CACHE=False):  # the queries of rendering, not of a kept page
        _count_pages(client, fx, counts)
    return counts


def _count_pages(client, fx: dict, counts: dict[str, dict[str, int]]) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for page_size in (10, 100):
        for target in endpoints(fx, page_size):
            headers = {
                f"HTTP_{k.upper().replace('-', '_')}": v for k, v in target["headers"].items()
            }
            client.get(target["path"], **headers)  # warm caches (content types, permissions)
            with CaptureQueriesContext(connection) as captured:
                response = client.get(target["path"], **headers)
            status = response.status_code
            entry = counts.setdefault(target["key"], {})
            entry[f"q{page_size}"] = len(captured) if status == 200 else -status


# --- the server and the load ----------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, env: dict) -> None:
        self.port = free_port()
        self.process = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "procurement.wsgi",
                "--workers=2",
                f"--bind=127.0.0.1:{self.port}",
                "--backlog=2048",
                "--timeout=120",
                "--log-level=warning",
            ],
            cwd=ROOT,
            env=env,
        )
        self.base = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.2)
        self.stop()
        fail("gunicorn did not start")

    def workers(self) -> list[int]:
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            return [int(pid) for pid in path.read_text().split()]
        except OSError:
            return []

    def peak_rss_mb(self) -> float:
        """The largest peak resident set (VmHWM) among the web workers."""
        peaks = []
        for pid in self.workers():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            match = re.search(r"VmHWM:\s+(\d+) kB", status)
            if match:
                peaks.append(int(match.group(1)) / 1024)
        return round(max(peaks), 1) if peaks else 0.0

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def load(spec: dict, timeout: float) -> object:
    """The submission rush's client (``bench/load.py``): POSTs with a token per supplier."""
    done = subprocess.run(
        [PYTHON, str(ROOT / "bench" / "load.py")],
        input=json.dumps(spec),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if done.returncode:
        print(done.stderr, file=sys.stderr)
        fail("the load generator failed")
    return json.loads(done.stdout)


WRK_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def wrk_ms(text: str) -> float:
    """A wrk duration (``812.00us``, ``1.20ms``, ``2.01s``) in milliseconds."""
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip())
    if not match:
        fail(f"wrk printed a duration this script cannot read: {text!r}")
    return float(match.group(1)) * WRK_UNITS[match.group(2)]


def wrk(url: str, headers: dict, connections: int, seconds: float, *, uncached=False) -> dict:
    """Load ``url`` with wrk (a C load generator, Debian's ``wrk``): requests per second,
    latency percentiles and every answer that was not 2xx/3xx or never came."""
    if not shutil.which("wrk"):
        fail("wrk is missing: `make bench` installs it (apt-get install wrk)")
    command = [
        "wrk",
        f"--threads={min(2, connections)}",
        f"--connections={connections}",
        f"--duration={max(1, round(seconds))}s",
        "--timeout=10s",
        "--latency",
        *([f"--script={ROOT / 'bench' / 'uncached.lua'}"] if uncached else []),
        "--header=Host: 127.0.0.1",
        *(f"--header={name}: {value}" for name, value in headers.items()),
        url,
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60)
    text = done.stdout
    if done.returncode or "Requests/sec" not in text:
        print(text, done.stderr, file=sys.stderr)
        fail(f"wrk failed on {url}")
    percentiles = dict(re.findall(r"^\s+(50|75|90|99)%\s+(\S+)$", text, re.MULTILINE))
    errors: dict[str, int] = {}
    if match := re.search(r"Non-2xx or 3xx responses: (\d+)", text):
        errors["non-2xx"] = int(match.group(1))
    if match := re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text
    ):
        for kind, count in zip(
            ("connect", "read", "write", "timeout"), match.groups(), strict=True
        ):
            if int(count):
                errors[kind] = int(count)
    return {
        "requests": int(re.search(r"(\d+) requests in", text).group(1)),
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1)),
        "p50_ms": round(wrk_ms(percentiles["50"]), 2),
        "p99_ms": round(wrk_ms(percentiles["99"]), 2),
        "errors": errors,
    }


def check_answers(base: str, targets: list[dict]) -> None:
    """Every measured request answers 200 before it is loaded (a 302 to the login page would
    measure the wrong page)."""
    parts = urlsplit(base)
    for target in targets:
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        try:
            conn.request("GET", target["path"], headers={"Host": "127.0.0.1", **target["headers"]})
            status = conn.getresponse().status
        finally:
            conn.close()
        if status != 200:
            fail(f"{target['name']} ({target['path']}) answered {status}, not 200")


def one_user(url: str, target: dict, seconds: float) -> dict:
    """One window of one user alone: the request from one connection (the server's own time),
    and for the web and portal pages, which are kept until the next write, once more with
    another address on each request (uncached: the first visit after a write)."""
    alone = wrk(url, target["headers"], 1, seconds)
    fresh = (
        wrk(url, target["headers"], 1, seconds, uncached=True)
        if target["kind"] in ("web", "portal")
        else alone
    )
    return {"alone": alone["p50_ms"], "alone_rps": alone["rps"], "uncached": fresh["p50_ms"]}


def measure_endpoints(server: Server, floor: Server, fx: dict, args) -> list[dict]:
    """The floor, then for each request: the request from one user alone (see ``one_user``),
    after ``args.settle_seconds`` at rest, then under ``args.connections`` connections; then
    ``args.alone_windows - 1`` more passes of one user alone over every request, each after a
    rest. A request's one-user time is the median of its windows.

    Each page's load is framed by two shorter loads of ``/healthz`` just before and just after
    it (``/healthz``'s by two of the floor): its ratio is to their mean. A machine shared with
    others drifts by a quarter within minutes (seen here: the floor from 3,187 to 4,242 req/s
    between two runs of the same code), and a single ``/healthz`` measured at the start let
    that drift decide a page's verdict. One user's few seconds are at the same drift's mercy:
    a single window let a slow moment decide (the template library's first visit at 28 ms in
    a window where its kept page took twice its usual time and its framing /healthz ran at
    two-thirds of the others'), hence windows minutes apart and their median."""
    targets = endpoints(fx, args.page_size)
    check_answers(server.base, targets)
    rows = []
    floor_row = wrk(floor.base + "/healthz", {}, args.connections, args.seconds)
    rows.append(
        {
            "name": "bare Django JSON view (the floor)",
            "key": "floor",
            "list": False,
            "path": "/healthz",
            **floor_row,
        }
    )
    windows: dict[str, list[dict]] = {target["key"]: [] for target in targets}
    for target in targets:
        print(f"  {target['name']}", flush=True)
        url = server.base + target["path"]
        wrk(url, target["headers"], 2, 1)  # warm both workers
        # One user alone on a machine at rest: a load leaves this shared machine slower for
        # seconds after it (here 27 % of the CPU time stolen by the host in the 3 s after a
        # 16-connection load, 0.2 % before), which is not what one user alone meets.
        time.sleep(args.settle_seconds)
        windows[target["key"]].append(one_user(url, target, args.alone_seconds))
        # Framed by what it is a ratio to: a page by /healthz, /healthz by the floor.
        frame = (floor if target["key"] == "healthz" else server).base + "/healthz"
        before = wrk(frame, {}, args.connections, args.seconds / 2)
        row = wrk(url, target["headers"], args.connections, args.seconds)
        after = wrk(frame, {}, args.connections, args.seconds / 2)
        rows.append(
            {
                "name": target["name"],
                "key": target["key"],
                "list": bool(target.get("list")),
                "kind": target["kind"],
                "path": target["path"],
                **row,
                "baseline_rps": (before["rps"] + after["rps"]) / 2,
            }
        )
    for window in range(1, args.alone_windows):
        print(f"  one user alone, window {window + 1} of {args.alone_windows}", flush=True)
        time.sleep(args.settle_seconds)
        for target in targets:
            url = server.base + target["path"]
            windows[target["key"]].append(one_user(url, target, args.alone_seconds))
    for row in rows[1:]:
        runs = windows[row["key"]]
        row["alone_runs"] = [run["alone"] for run in runs]
        row["uncached_runs"] = [run["uncached"] for run in runs]
        row["alone_p50_ms"] = statistics.median(row["alone_runs"])
        row["uncached_p50_ms"] = statistics.median(row["uncached_runs"])
        row["alone_rps"] = statistics.median([run["alone_rps"] for run in runs])
    return rows


def measure_growth(servers: dict[str, "Server"], prepared: dict, args) -> list[dict]:
    """Each request's p50 under load on the small and on the large data set, both servers up at
    once and loaded in alternation (small, large; large, small; …) for ``args.growth_rounds``
    rounds: the median of each side is compared. Two data sets loaded minutes apart measured the
    machine's drift (±30 % between two runs of the same code) more than the data's growth."""
    pairs = zip(
        endpoints(prepared["small"]["fixtures"], args.page_size),
        endpoints(prepared["large"]["fixtures"], args.page_size),
        strict=True,
    )
    rows = []
    for small, large in pairs:
        print(f"  {small['name']}", flush=True)
        sides = {"small": small, "large": large}
        p50: dict[str, list[float]] = {"small": [], "large": []}
        for round_ in range(args.growth_rounds):
            order = ("small", "large") if round_ % 2 == 0 else ("large", "small")
            for phase in order:
                target = sides[phase]
                run = wrk(
                    servers[phase].base + target["path"],
                    target["headers"],
                    args.connections,
                    args.growth_seconds,
                )
                p50[phase].append(run["p50_ms"])
        rows.append(
            {
                "key": small["key"],
                "name": small["name"],
                "small_p50_ms": statistics.median(p50["small"]),
                "large_p50_ms": statistics.median(p50["large"]),
                "small_runs": p50["small"],
                "large_runs": p50["large"],
            }
        )
    return rows


# --- the submission rush --------------------------------------------------------------------


def rush_prepare(suppliers: int, consultations: int) -> tuple[list[dict], list[int]]:
    """``consultations`` open consultations and ``suppliers`` suppliers with API tokens who have
    not answered them; each supplier submits to every one of them."""
    from procurement.accounts.models import Membership
    from procurement.accounts.services import api_token_create
    from tenders.models import Consultation, Question, Response
    from tenders.procedures import S

    now = dt.datetime.now(dt.UTC)
    chosen = list(
        Consultation.objects.filter(
            tender__status=S.CONSULTATION_OPEN, opens_at__lte=now, closes_at__gt=now
        ).order_by("pk")[:consultations]
    )
    if len(chosen) < consultations:
        fail("not enough open consultations for the rush; seed more processes")
    ids = [c.pk for c in chosen]
    Response.objects.filter(consultation_id__in=ids).delete()
    questions = dict(
        Question.objects.filter(consultation_id__in=ids, order=1).values_list(
            "consultation_id", "pk"
        )
    )
    members = (
        Membership.objects.filter(role="representative", user__username__startswith="scale-")
        .select_related("user")
        .order_by("supplier_id")[:suppliers]
    )
    submissions = []
    for membership in members:
        token = api_token_create(user=membership.user)
        for cid in ids:
            submissions.append({"token": token, "consultation": cid, "question": questions[cid]})
    return submissions, ids


def measure_rush(server: Server, args) -> dict:
    from tenders.models import Response

    submissions, ids = rush_prepare(args.rush_suppliers, args.rush_responses // args.rush_suppliers)
    spec = {
        "mode": "rush",
        "base": server.base,
        "window": args.rush_seconds,
        "submissions": submissions,
    }
    result = load(spec, timeout=args.rush_seconds + 300)
    assert isinstance(result, dict)
    succeeded = set(result.pop("succeeded"))
    stored = set(
        Response.objects.filter(consultation_id__in=ids, status="submitted").values_list(
            "pk", flat=True
        )
    )
    result["succeeded"] = len(succeeded)
    result["stored"] = len(stored)
    result["lost"] = len(succeeded - stored)
    result["error_count"] = sum(result["errors"].values())
    return result


# --- the deadline storm ---------------------------------------------------------------------


def storm_prepare(count: int, due: dt.datetime) -> list[int]:
    """``count`` processes whose consultation closes at ``due``: the scheduler must close each
    exactly once. Inserted in bulk like the rest of the data set."""
    from procurement.accounts.models import City
    from publication.management.commands.seed_scale import Writer
    from tenders.models import Consultation, Tender
    from tenders.procedures import CPTI, S

    writer = Writer()
    cities = list(City.objects.filter(slug__startswith="scale-").values_list("pk", flat=True))
    first = writer.next_id(Tender)
    ids = list(range(first, first + count))
    opened = due - dt.timedelta(days=20)
    writer.write(
        Tender,
        (
            {
                "id": pk,
                "status": S.CONSULTATION_OPEN,
                "city_id": cities[n % len(cities)],
                "title": f"Storm {n}",
                "description": "",
                "procedure": CPTI,
                "estimated_value": 100000,
                "currency": "EUR",
                "functional_specifications": "",
                "consultation_skip_reason": "",
                "legal_report_ref": "",
                "credit_certificate_ref": "",
                "audit_report_ref": "",
                "first_published_at": opened,
                "next_check": due,
            }
            for n, pk in enumerate(ids)
        ),
    )
    writer.write(
        Consultation,
        (
            {
                "tender_id": pk,
                "subject": f"Storm {pk}",
                "background": "",
                "report": "",
                "opens_at": opened,
                "closes_at": due,
                "published_at": opened,
            }
            for pk in ids
        ),
    )
    writer.reset_sequences([Tender, Consultation])
    return ids


def redis_flush() -> None:
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()


def measure_storm(env: dict, args) -> dict:
    from django.db.models import Count

    from procurement.core.models import AuditEntry
    from tenders.models import Tender
    from tenders.procedures import S, T

    due = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(seconds=5)
    ids = storm_prepare(args.storm, due)
    redis_flush()
    worker = subprocess.Popen(
        [
            str(BIN / "celery"),
            "-A",
            "procurement",
            "worker",
            "--pool=solo",
            "--concurrency=1",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--loglevel=WARNING",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        time.sleep(max(0.0, (due - dt.datetime.now(dt.UTC)).total_seconds()) + 0.5)
        from workflows.tasks import fire_due_events_task

        started = time.monotonic()
        # Beat would send it again a minute later: a second delivery must fire nothing twice.
        fire_due_events_task.delay()
        fire_due_events_task.delay()
        remaining = len(ids)
        elapsed = 0.0
        while time.monotonic() - started < args.storm_timeout:
            remaining = Tender.objects.filter(pk__in=ids, status=S.CONSULTATION_OPEN).count()
            elapsed = time.monotonic() - started
            if remaining == 0:
                break
            time.sleep(0.5)
    finally:
        worker.kill()  # the measure is taken: leave the queued effects unrun
        worker.wait()
        redis_flush()
    fired = (
        AuditEntry.objects.filter(name=T.CLOSE_CONSULTATION, object_id__in=[str(i) for i in ids])
        .values("object_id")
        .annotate(n=Count("pk"))
    )
    per_process = [row["n"] for row in fired]
    return {
        "processes": len(ids),
        "fired": len(per_process),
        "not_fired": remaining,
        "duplicates": sum(1 for n in per_process if n > 1),
        "seconds": round(elapsed, 1),
        "per_second": round(len(per_process) / elapsed, 1) if elapsed else 0.0,
    }


# --- document rendering ---------------------------------------------------------------------


def measure_render(env: dict) -> dict:
    done = subprocess.run(
        [PYTHON, str(ROOT / "bench" / "render_document.py"), "--repeat", "7"],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "procurement.settings.test"},
        capture_output=True,
        text=True,
    )
    if done.returncode:
        print(done.stderr, file=sys.stderr)
        return {"error": "render_document.py failed"}
    text = done.stdout
    template = re.search(r"from template: ([\d.]+) ms \((\d+) pages", text)
    direct = re.search(r"direct reportlab: ([\d.]+) ms", text)
    ratio = re.search(r"ratio template/direct: ([\d.]+)", text)
    return {
        "template_ms": float(template.group(1)) if template else None,
        "pages": int(template.group(2)) if template else None,
        "direct_ms": float(direct.group(1)) if direct else None,
        "ratio": float(ratio.group(1)) if ratio else None,
    }


# --- the report -----------------------------------------------------------------------------


def verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else ("✅" if ok else "❌")


def speed_line(row: dict, phase: dict) -> str:
    """One row of the speed table: its ratio to the floor (``/healthz``) or to ``/healthz``
    (the rest), and its verdict against the targets of its kind."""
    by_key = {r["key"]: r for r in phase["load"]}
    p99, alone = TARGETS["p99_ms"], TARGETS["alone_p50_ms"]
    errors = f" ({sum(row['errors'].values())} errors)" if row["errors"] else ""
    if row["key"] == "floor":
        return (
            f"| {row['name']}{errors} | {phase['processes']:,} | {row['rps']:.0f} | – | "
            f"{row['p50_ms']:.1f} | {row['p99_ms']:.1f} | – | – | the floor | n/a |"
        )
    if row["key"] == "healthz":
        # The floor loads that framed it (older results: the one at the start).
        of_rps = row.get("baseline_rps") or by_key["floor"]["rps"]
        share_target, of_name = TARGETS["healthz_of_floor"], "floor"
    else:
        # The /healthz loads that framed this page's (older results: the one at the start).
        of_rps = row.get("baseline_rps") or by_key["healthz"]["rps"]
        share_target, of_name = TARGETS[row["kind"]], "healthz"
    share = 100 * row["rps"] / (of_rps or 1)
    ok = (
        share >= share_target
        and row["p99_ms"] < p99
        and row["alone_p50_ms"] < alone
        and row["uncached_p50_ms"] < alone
        and not row["errors"]
    )
    target = f"≥ {share_target:.0f}% of {of_name}, p99 < {p99:.0f}, alone p50 < {alone:.0f}"
    return (
        f"| {row['name']}{errors} | {phase['processes']:,} | {row['rps']:.0f} | "
        f"{share:.1f}% of {of_rps:.0f} | {row['p50_ms']:.1f} | {row['p99_ms']:.1f} | "
        f"{one_user_cell(row, 'alone')} | {one_user_cell(row, 'uncached')} | {target} | "
        f"{verdict(ok)} |"
    )


def one_user_cell(row: dict, kind: str) -> str:
    """The median of one user's windows, and the windows (older results: a single one)."""
    median = f"{row[f'{kind}_p50_ms']:.1f}"
    runs = row.get(f"{kind}_runs")
    return f"{median} ({', '.join(f'{v:.1f}' for v in runs)})" if runs else median


def markdown(results: dict) -> str:
    small, large = results["phases"].get("small"), results["phases"].get("large")
    lines = [
        f"# Benchmark ({results['finished']}, {results['machine']})",
        "",
        f"Data sets: {results['sizes']}. Load: {results['load']}.",
        "",
        "## Speed",
        "",
        "Each request is loaded with wrk from one connection alone, after a few seconds at rest "
        "(one user: the server's own time); the web and portal pages, which are cached until "
        "the next write, once more alone with another address on each request (uncached: the "
        f"first visit after a write); then under load ({results['load']}). "
        f"One user alone is measured in {results.get('alone_load', 'one window')} per request, "
        "the first before its load, the others in passes over every request after all the "
        "loads, each after a rest: the figure is their median (the windows in brackets), so "
        "that one slow moment of the shared machine does not decide a verdict. "
        "`/healthz` is a ratio to the bare Django JSON view (no "
        "middleware, same gunicorn, same run) loaded just before and just after it, every page "
        "a ratio to `/healthz` loaded just before and just after it (the mean of the two: the "
        "machine drifts within minutes).",
        "",
        "| request | processes | req/s | % of | p50 ms | p99 ms | alone p50 ms | alone, uncached "
        "p50 ms | target | ok |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|:-:|",
    ]
    for phase in (small, large):
        if not phase:
            continue
        for row in phase["load"]:
            lines.append(speed_line(row, phase))
    if results.get("growth"):
        lines += [
            "",
            f"## Growth: latency at {large['processes']:,} vs {small['processes']:,} processes "
            f"(target ≤ {TARGETS['scale_latency']}×)",
            "",
            "Both data sets are served at once (two servers, the same gunicorn command) and each "
            f"request is loaded on them in alternation ({results['growth_load']}): the p50 is "
            "the median of each side's runs, so that the machine's drift between two loads "
            "minutes apart does not pass for growth. `/healthz` (no data) shows what is left "
            "of that drift.",
            "",
            "| request | p50 small (runs) | p50 large (runs) | ratio | ok |",
            "|---|---:|---:|---:|:-:|",
        ]
        for row in results["growth"]:
            ratio = row["large_p50_ms"] / row["small_p50_ms"] if row["small_p50_ms"] else 0
            runs_small = ", ".join(f"{v:.1f}" for v in row["small_runs"])
            runs_large = ", ".join(f"{v:.1f}" for v in row["large_runs"])
            lines.append(
                f"| {row['name']} | {row['small_p50_ms']:.1f} ({runs_small}) | "
                f"{row['large_p50_ms']:.1f} ({runs_large}) | {ratio:.2f}× | "
                f"{verdict(ratio <= TARGETS['scale_latency'])} |"
            )
    lines += [
        "",
        "## SQL queries per request (target: the same at 10 and 100 rows and at both sizes)",
        "",
        "A page that holds the whole list (no next page) needs no count of the list: one query "
        "fewer is no growth, and passes; any query more than at 10 rows on the smaller data set "
        "fails.",
        "",
        "| request | "
        + " | ".join(
            f"{p['processes']:,} proc., {n} rows" for p in (small, large) if p for n in (10, 100)
        )
        + " | ok |",
        "|---|" + "---:|" * (2 * sum(1 for p in (small, large) if p)) + ":-:|",
    ]
    phases = [p for p in (small, large) if p]
    for key in phases[0]["queries"]:
        values = [p["queries"][key][f"q{n}"] for p in phases for n in (10, 100)]
        name = next(r["name"] for r in phases[0]["load"] if r["key"] == key)
        ok = min(values) >= 0 and max(values) == values[0] and min(values) >= values[0] - 1
        lines.append(f"| {name} | " + " | ".join(str(v) for v in values) + f" | {verdict(ok)} |")
    render, rush, storm = results.get("render"), results.get("rush"), results.get("storm")
    lines += ["", "## Other targets", "", "| measure | figure | target | ok |", "|---|---|---|:-:|"]
    if render and render.get("ratio"):
        lines.append(
            f"| 10-page document: template vs reportlab direct | {render['template_ms']:.0f} ms vs "
            f"{render['direct_ms']:.0f} ms ({render['pages']} pages) = {render['ratio']:.2f}× | "
            f"≤ {TARGETS['render_ratio']}× | {verdict(render['ratio'] <= TARGETS['render_ratio'])} |"
        )
    if rush:
        ok = rush["error_count"] == 0 and rush["lost"] == 0 and rush["request_p99_ms"] < 500
        lines.append(
            f"| submission rush: {rush['suppliers']} suppliers, {rush['planned']} submissions in "
            f"{rush['seconds']:.0f} s | {rush['error_count']} errors, {rush['lost']} lost "
            f"({rush['stored']} stored), request p99 {rush['request_p99_ms']:.0f} ms "
            f"(submission p99 {rush['submission_p99_ms']:.0f} ms) | 0 errors, 0 lost, "
            f"p99 < 500 ms | {verdict(ok)} |"
        )
    if storm:
        ok = storm["not_fired"] == 0 and storm["duplicates"] == 0 and storm["seconds"] <= 60
        lines.append(
            f"| deadline storm: {storm['processes']:,} due in one minute, one worker | all fired in "
            f"{storm['seconds']:.1f} s ({storm['per_second']:.0f}/s), {storm['not_fired']} left, "
            f"{storm['duplicates']} twice | all within 60 s, none twice | {verdict(ok)} |"
        )
    if large or small:
        rss = (large or small)["peak_rss_mb"]
        lines.append(
            f"| web worker peak memory (VmHWM) | {rss:.0f} MB | < {TARGETS['rss_mb']:.0f} MB | "
            f"{verdict(rss < TARGETS['rss_mb'])} |"
        )
    seeds = ", ".join(f"{p['processes']:,}: {p['seed_seconds']:.0f} s" for p in phases)
    lines += ["", f"seed_scale time (processes: seconds): {seeds}.", ""]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--small", type=int, default=1000, help="processes of the first data set")
    parser.add_argument("--large", type=int, default=100_000, help="processes of the second")
    parser.add_argument("--seconds", type=float, default=6, help="load per request kind")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument(
        "--alone-seconds", type=float, default=2, help="one window of one user per request kind"
    )
    parser.add_argument(
        "--alone-windows",
        type=int,
        default=3,
        help="windows of one user per request kind, minutes apart (their median is reported)",
    )
    parser.add_argument(
        "--settle-seconds",
        type=float,
        default=3,
        help="rest before a request's one-user loads (the previous load's after-effects pass)",
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="measure the large data set already in the database (no reseeding; for tuning)",
    )
    parser.add_argument("--only-large", action="store_true", help="skip the small data set")
    parser.add_argument("--no-extras", action="store_true", help="skip rush, storm and render")
    parser.add_argument(
        "--growth-rounds", type=int, default=3, help="alternations of the two data sets"
    )
    parser.add_argument(
        "--growth-seconds", type=float, default=2, help="load per data set and round"
    )
    parser.add_argument("--page-size", type=int, default=25, help="rows per page under load")
    parser.add_argument("--rush-suppliers", type=int, default=200)
    parser.add_argument("--rush-responses", type=int, default=1000)
    parser.add_argument("--rush-seconds", type=float, default=60)
    parser.add_argument("--storm", type=int, default=10_000)
    parser.add_argument("--storm-timeout", type=float, default=600)
    parser.add_argument("--quick", action="store_true", help="10,000 processes, short loads")
    args = parser.parse_args()
    if args.alone_windows < 1:
        parser.error("--alone-windows must be at least 1 (a median needs one window)")
    if args.quick:
        args.large, args.seconds, args.storm, args.rush_seconds = 10_000, 3, 2000, 20
    if args.only_large:
        args.small = 0
    name, maintenance = check_database(os.environ.get("DATABASE_URL", ""))
    args.secret = secrets.token_urlsafe(40)
    env = environment(args)
    os.environ.update({k: v for k, v in env.items() if k != "PYTHONPATH"})
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()

    results: dict = {
        "started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": f"{os.cpu_count()} cores, {platform.python_implementation()} "
        f"{platform.python_version()}",
        "load": f"wrk, {args.connections} connections, {args.seconds:g} s per request kind, "
        f"{args.page_size} rows per page, gunicorn 2 sync workers",
        "sizes": "",
        "alone_load": f"{args.alone_windows} windows of {args.alone_seconds:g} s",
        "growth_load": f"{args.growth_rounds} rounds of {args.growth_seconds:g} s per data set, "
        f"{args.connections} connections",
        "targets": TARGETS,
        "phases": {},
    }
    manage(env, "collectstatic", "--noinput", "-v0")  # served by WhiteNoise, as in production
    databases = {"small": f"{name}_small", "large": name}
    prepared: dict[str, dict] = {}
    for phase, processes in (("small", args.small), ("large", args.large)):
        if not processes:
            continue
        t0 = time.monotonic()
        database = databases[phase]
        use_database(database)
        if args.reuse and database_exists(database, maintenance):
            print(f"[{phase}] reusing {database} as it is (--reuse)", flush=True)
        else:
            print(f"[{phase}] recreating {database}, seeding {processes:,} processes", flush=True)
            recreate_database(database, maintenance)
            phase_env = {**env, "DATABASE_URL": database_url(database)}
            manage(phase_env, "migrate", "--noinput", "-v0")
            print(manage(phase_env, "seed_scale", *sizes(processes)), flush=True)
        seed_seconds = time.monotonic() - t0
        fx = fixtures()
        print(f"[{phase}] counting queries", flush=True)
        prepared[phase] = {
            "processes": processes,
            "seed_seconds": round(seed_seconds, 1),
            "queries": count_queries(fx),
            "fixtures": fx,
        }
    from django.db import connections

    connections.close_all()
    # Both data sets served at once, so that growth is measured by loading them in alternation.
    servers = {
        phase: Server({**env, "DATABASE_URL": database_url(databases[phase])}) for phase in prepared
    }
    floor = Server({**env, "DJANGO_SETTINGS_MODULE": "bench.floor"})
    try:
        for phase, data in prepared.items():
            server = servers[phase]
            print(f"[{phase}] load on {server.base} (floor on {floor.base})", flush=True)
            data["load"] = measure_endpoints(server, floor, data["fixtures"], args)
        if len(prepared) == 2:
            print("[growth] both data sets in alternation", flush=True)
            results["growth"] = measure_growth(servers, prepared, args)
        last = "large" if "large" in prepared else "small"
        if not args.no_extras:
            use_database(databases[last])
            print(f"[{last}] submission rush", flush=True)
            results["rush"] = measure_rush(servers[last], args)
        for phase, server in servers.items():
            prepared[phase]["peak_rss_mb"] = server.peak_rss_mb()
    finally:
        for server in servers.values():
            server.stop()
        floor.stop()
    for phase, data in prepared.items():
        data.pop("fixtures")
        results["phases"][phase] = data
    if not args.no_extras:
        use_database(databases["large" if "large" in prepared else "small"])
        print("[storm] deadline storm", flush=True)
        storm_database = databases["large" if "large" in prepared else "small"]
        results["storm"] = measure_storm(
            {**env, "DATABASE_URL": database_url(storm_database)}, args
        )
        print("[render] document", flush=True)
        results["render"] = measure_render(env)
    results["sizes"] = ", ".join(
        f"{p['processes']:,} processes" for p in results["phases"].values()
    ) + (
        " (plus 150 cities, 5,000 suppliers, 2,000 templates; consultations = processes/5 with "
        "25 responses each; 10 audit rows per process)"
    )
    results["finished"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    RESULTS.mkdir(parents=True, exist_ok=True)
    # A partial run (tuning) never replaces the full run's report.
    stem = "tuning" if (args.reuse or args.only_large or args.no_extras) else "latest"
    (RESULTS / f"{stem}.json").write_text(json.dumps(results, indent=2, default=str))
    table = markdown(results)
    (RESULTS / f"{stem}.md").write_text(table)
    print(table)


if __name__ == "__main__":
    main()
