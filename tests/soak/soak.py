"""Soak test: `manage.py serve` (what `make run` starts) under 20 concurrent users.

    .venv/bin/python tests/soak/soak.py --minutes 30            # `make soak`
    .venv/bin/python tests/soak/soak.py --minutes 3 --database-url postgres://… --broker-url redis://…

It installs a fresh copy in a temporary folder (migrate, seed the demo, collect static files),
adds consultations that fall due one a minute, serves it, and has ``--users`` API users write
for ``--minutes``: suppliers answer consultations and ask clarifications, officers add award
criteria, record and validate needs (transitions), order documents and answer clarifications.
Once, at ``--kill-at`` (half-way by default), the Celery worker is killed with SIGKILL. Then the
load stops and the background work drains. It prints, and writes to ``soak.json`` in the folder:

* requests by status, and every 5xx answer;
* how long the killed worker took to be back (its "ready" line after the kill);
* what is still pending after the drain (effects, documents, e-mails, consultations due and not
  opened), and what was done twice (a document generated twice or two with one number, two
  releases for one step, more e-mails delivered than recorded as sent).

It exits 0 when there were no 5xx answers, nothing is pending, nothing was done twice and the
worker was back within 30 s. All traffic goes to 127.0.0.1.
"""

import argparse
import json
import math
import os
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "opencpi-demo"
SUPPLIERS = ("supplier.acme", "supplier.nova")
OFFICER = "officer.logrono"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Soak:
    def __init__(self, args):
        self.args = args
        self.var = Path(args.var or tempfile.mkdtemp(prefix="opencpi-soak-"))
        self.var.mkdir(parents=True, exist_ok=True)
        self.port = args.port or _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "procurement.settings.embedded",
            "OPENCPI_VAR_DIR": str(self.var),
            "DATABASE_URL": args.database_url or f"sqlite:///{self.var / 'db.sqlite3'}",
            "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "DJANGO_EMAIL_FILE_PATH": str(self.var / "mail"),
            "PYTHONPATH": str(ROOT),
        }
        if args.broker_url:
            self.env["CELERY_BROKER_URL"] = args.broker_url
        else:
            self.env.pop("CELERY_BROKER_URL", None)
        self.log = self.var / "serve.log"
        self.statuses: Counter = Counter()
        self.by_operation: Counter = Counter()
        self.errors: list[str] = []
        self.lock = threading.Lock()
        self.responses: dict[tuple[str, int], int] = {}
        self.stop = threading.Event()

    # --- set-up ----------------------------------------------------------------------------

    def manage(self, *command: str, capture: bool = False) -> str:
        result = subprocess.run(
            [sys.executable, "manage.py", *command],
            cwd=ROOT,
            env=self.env,
            check=True,
            timeout=900,
            capture_output=capture,
            text=True,
        )
        return result.stdout if capture else ""

    def django(self, code: str) -> str:
        result = subprocess.run(
            [sys.executable, "-c", "import django; django.setup()\n" + code],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        if result.returncode:
            raise RuntimeError(result.stderr[-3000:])
        return result.stdout

    def reset_postgres(self) -> None:
        """A PostgreSQL database named by --database-url is dropped and made anew: its name
        must contain "soak" or "run"."""
        url = urlparse(self.env["DATABASE_URL"])
        name = url.path.lstrip("/")
        if "soak" not in name and "run" not in name:
            raise SystemExit(f"refusing to recreate database {name!r}: its name lacks soak/run")
        import psycopg

        admin = self.env["DATABASE_URL"].replace(f"/{name}", "/postgres")
        with psycopg.connect(admin, autocommit=True) as db:
            db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            db.execute(f'CREATE DATABASE "{name}"')

    def purge_broker(self) -> None:
        self.django(
            "from procurement.celery import app\n"
            "with app.connection_for_write() as c:\n"
            "    c.default_channel.queue_purge(app.conf.task_default_queue)\n"
        )

    def setup(self) -> dict:
        if self.env["DATABASE_URL"].startswith("postgres"):
            self.reset_postgres()
        self.manage("migrate", "--noinput", "-v0")
        self.manage("seed_demo", "-v0")
        self.manage("collectstatic", "--noinput", "-v0")
        if self.args.broker_url:
            self.purge_broker()
        world = self.django(
            f"from tests.soak.world import build\nbuild({math.ceil(self.args.minutes)})\n"
        ).strip()
        return json.loads(world.splitlines()[-1])

    # --- the server ------------------------------------------------------------------------

    def serve(self) -> subprocess.Popen:
        output = open(self.log, "w")  # noqa: SIM115 - open for the server's whole life
        return subprocess.Popen(
            [sys.executable, "manage.py", "serve", f"127.0.0.1:{self.port}"],
            cwd=ROOT,
            env=self.env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")

    def worker_pids(self) -> list[int]:
        return [int(p) for p in re.findall(r"worker started \(pid (\d+)\)", self.log_text())]

    def ready_lines(self) -> int:
        return len(re.findall(r"celery@\S+ ready\.", self.log_text()))

    # --- HTTP ------------------------------------------------------------------------------

    def request(self, method: str, path: str, token: str | None, body=None, operation=""):
        data = None if body is None else json.dumps(body).encode()
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Token {token}"
        request = urllib.request.Request(  # noqa: S310 - loopback only
            self.base + path, data=data, headers=headers, method=method
        )
        try:
            with urllib.request.urlopen(request, timeout=120) as response:  # noqa: S310
                status, payload = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, payload = error.code, error.read()
        except OSError as error:
            status, payload = 0, str(error).encode()
        with self.lock:
            self.statuses[status] += 1
            self.by_operation[(operation or path, status // 100)] += 1
            if status >= 500 or status == 0:
                self.errors.append(f"{method} {path} → {status}: {payload[:300]!r}")
        try:
            return status, json.loads(payload) if payload else None
        except ValueError:
            return status, None

    def token(self, username: str) -> str:
        status, body = self.request(
            "POST", "/api/v1/auth/token/", None, {"username": username, "password": PASSWORD}
        )
        assert status == 200, (status, body)
        return body["token"]

    # --- the users -------------------------------------------------------------------------

    def open_consultations(self, world, started: float) -> list[int]:
        elapsed = time.monotonic() - started
        opened = [d["id"] for d in world["due"] if d["opens_in"] + 75 < elapsed]
        return [world["open"], *opened]

    def supplier(self, number: int, world: dict, token: str, username: str, started: float):
        rng = random.Random(number)
        while not self.stop.is_set():
            consultations = self.open_consultations(world, started)
            consultation = rng.choice(consultations[-3:])
            if rng.random() < 0.7:
                self.answer(username, token, consultation, rng)
            else:
                self.request(
                    "POST",
                    f"/api/v1/consultations/{consultation}/clarifications/",
                    token,
                    {"question": f"¿Pregunta {rng.randrange(10**6)} del usuario {number}?"},
                    "clarification ask",
                )
            self.think(rng)

    def answer(self, username: str, token: str, consultation: int, rng) -> None:
        key = (username, consultation)
        with self.lock:
            response_id = self.responses.get(key)
        status, detail = self.request(
            "GET", f"/api/v1/consultations/{consultation}/", token, operation="consultation read"
        )
        if status != 200 or not detail.get("questions"):
            return
        answers = [
            {"question": q["id"], "value": f"Respuesta {rng.randrange(10**6)}"}
            for q in detail["questions"]
            if q.get("kind", "text") == "text"
        ]
        if response_id is None:
            status, body = self.request(
                "POST",
                f"/api/v1/consultations/{consultation}/responses/",
                token,
                {"answers": answers},
                "answer create",
            )
            if status == 201:
                with self.lock:
                    self.responses[key] = body["id"]
            return
        self.request(
            "PATCH", f"/api/v1/responses/{response_id}/", token, {"answers": answers}, "answer edit"
        )

    def officer(self, number: int, world: dict, token: str, started: float):
        rng = random.Random(1000 + number)
        while not self.stop.is_set():
            roll = rng.random()
            if roll < 0.25:
                self.request(
                    "POST",
                    f"/api/v1/tenders/{rng.choice(world['chosen'])}/criteria/",
                    token,
                    {
                        "name": f"Criterio {rng.randrange(10**6)}",
                        "kind": "value_judgement",
                        "weight": "1",
                    },
                    "criterion",
                )
            elif roll < 0.5:
                status, body = self.request(
                    "POST",
                    "/api/v1/tenders/",
                    token,
                    {
                        "title": f"Necesidad {rng.randrange(10**6)}",
                        "description": "Una necesidad que el mercado no resuelve todavía.",
                        "procedure": "cpti_open",
                        "estimated_value": "120000.00",
                        "currency": "EUR",
                        "cpv_codes": ["34990000-3"],
                    },
                    "need create",
                )
                if status == 201:
                    self.request(
                        "POST",
                        f"/api/v1/tenders/{body['id']}/transitions/validate_need/",
                        token,
                        {},
                        "transition",
                    )
            elif roll < 0.75:
                self.request(
                    "POST",
                    f"/api/v1/tenders/{world['documents_tender']}/documents/",
                    token,
                    {"kind": rng.choice(["pcap", "ppt"])},
                    "document order",
                )
            else:
                consultation = rng.choice(self.open_consultations(world, started)[-3:])
                status, items = self.request(
                    "GET",
                    f"/api/v1/consultations/{consultation}/clarifications/",
                    token,
                    operation="clarifications read",
                )
                waiting = [c for c in (items or []) if isinstance(c, dict) and not c.get("answer")]
                if status == 200 and waiting:
                    self.request(
                        "POST",
                        f"/api/v1/clarifications/{rng.choice(waiting)['id']}/answer/",
                        token,
                        {"answer": "Sí, según el pliego."},
                        "clarification answer",
                    )
            self.think(rng)

    def think(self, rng) -> None:
        self.stop.wait(rng.uniform(0.3, 1.5))

    # --- the run ---------------------------------------------------------------------------

    def wait(self, predicate, timeout: float) -> bool:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if predicate():
                return True
            time.sleep(0.5)
        return False

    def run(self) -> dict:
        print(f"soak: folder {self.var}", flush=True)
        world = self.setup()
        server = self.serve()
        result: dict = {"minutes": self.args.minutes, "users": self.args.users}
        try:
            assert self.wait(lambda: self.ready_lines() >= 1, 120), self.log_text()[-3000:]
            assert self.wait(lambda: self.request("GET", "/healthz", None)[0] == 200, 60)
            self.statuses.clear()
            self.by_operation.clear()
            tokens = {name: self.token(name) for name in (*SUPPLIERS, OFFICER)}
            started = time.monotonic()
            threads = []
            for number in range(self.args.users):
                if number % 2 == 0:
                    name = SUPPLIERS[(number // 2) % 2]
                    target, extra = self.supplier, (tokens[name], name, started)
                else:
                    target, extra = self.officer, (tokens[OFFICER], started)
                thread = threading.Thread(target=target, args=(number, world, *extra), daemon=True)
                thread.start()
                threads.append(thread)
            duration = self.args.minutes * 60
            kill_at = self.args.kill_at if self.args.kill_at is not None else duration / 2
            back_after = None
            time.sleep(max(kill_at, 0))
            (*_, victim) = self.worker_pids()
            ready_before = self.ready_lines()
            os.kill(victim, signal.SIGKILL)
            killed = time.monotonic()
            print(f"soak: killed the worker (pid {victim}) with SIGKILL", flush=True)
            if self.wait(lambda: self.ready_lines() > ready_before, 120):
                back_after = time.monotonic() - killed
            print(f"soak: worker back after {back_after} s", flush=True)
            time.sleep(max(duration - (time.monotonic() - started), 0))
            self.stop.set()
            for thread in threads:
                thread.join(150)
            load_seconds = time.monotonic() - started
            requests_made = sum(self.statuses.values())
            print(f"soak: load done ({requests_made} requests); draining", flush=True)
            figures = self.drain()
            result.update(
                {
                    "requests": requests_made,
                    "requests_per_second": round(requests_made / load_seconds, 1),
                    "writes": sum(
                        n for (op, _c), n in self.by_operation.items() if not op.endswith("read")
                    ),
                    "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
                    "server_errors": sum(v for k, v in self.statuses.items() if k >= 500 or k == 0),
                    "error_samples": self.errors[:20],
                    "by_operation": {
                        f"{op} {c}xx": n for (op, c), n in sorted(self.by_operation.items())
                    },
                    "worker_back_after_seconds": None
                    if back_after is None
                    else round(back_after, 1),
                    **figures,
                }
            )
        finally:
            server.send_signal(signal.SIGINT)
            try:
                server.wait(timeout=60)
            except subprocess.TimeoutExpired:
                server.kill()
        # The server's own account of what failed, so a CI log shows the cause and not only the
        # status (the temporary folder is gone by the time anyone reads it).
        result["server_tracebacks"] = [
            block[-2500:] for block in re.findall(r"Traceback.*?\n\S[^\n]*", self.log_text(), re.S)
        ][:3]
        result["ok"] = bool(
            result.get("server_errors") == 0
            and result.get("worker_back_after_seconds") is not None
            and result["worker_back_after_seconds"] <= 30
            and all(result.get(k) == 0 for k in PENDING + TWICE)
        )
        (self.var / "soak.json").write_text(json.dumps(result, indent=2, ensure_ascii=False))
        return result

    def drain(self) -> dict:
        """Wait until nothing is pending (at most --drain-minutes), then read the figures."""
        started = time.monotonic()
        figures: dict = {}
        while True:
            figures = json.loads(
                self.django("from tests.soak.world import figures\nfigures()\n").splitlines()[-1]
            )
            if all(figures[k] == 0 for k in PENDING):
                break
            if time.monotonic() - started > self.args.drain_minutes * 60:
                break
            time.sleep(10)
        figures["drain_seconds"] = round(time.monotonic() - started)
        delivered = 0
        for path in (self.var / "mail").glob("*"):
            delivered += len(re.findall(r"^Message-ID: ", path.read_text(errors="replace"), re.M))
        figures["emails_delivered"] = delivered
        figures["emails_delivered_twice"] = max(delivered - figures["sent_emails"], 0)
        _status, ready = self.request("GET", "/readyz", None, operation="readyz")
        figures["readyz"] = ready
        return figures


PENDING = ["pending_effects", "pending_documents", "unsent_emails", "due_not_open"]
TWICE = [
    "documents_generated_twice",
    "documents_same_number",
    "releases_twice",
    "emails_delivered_twice",
]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=30)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--kill-at", type=float, default=None, help="seconds into the load")
    parser.add_argument("--drain-minutes", type=float, default=10)
    parser.add_argument("--database-url", default=None, help="default: SQLite in the folder")
    parser.add_argument("--broker-url", default=None, help="default: the embedded broker")
    parser.add_argument("--var", default=None, help="the folder (default: a new temporary one)")
    parser.add_argument("--port", type=int, default=None)
    args = parser.parse_args(argv)
    result = Soak(args).run()
    print(json.dumps(result, indent=2, ensure_ascii=False))
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
