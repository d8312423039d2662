"""`manage.py serve` (what `make run` starts) on the embedded defaults: gunicorn with DEBUG off,
a Celery worker and beat under a supervisor that brings a killed worker back, and Ctrl-C stops
everything."""

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _embedded_env(var: Path) -> dict:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "procurement.settings.embedded",
        "OPENCPI_VAR_DIR": str(var),
        "DATABASE_URL": f"sqlite:///{var / 'db.sqlite3'}",
        "OPENCPI_SQLITE_BUSY_SECONDS": "30",
    }
    env.pop("CELERY_BROKER_URL", None)  # the embedded broker, in ``var``
    return env


def _wait_for(predicate, timeout: float) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - loopback
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


@pytest.fixture
def served(tmp_path):
    """A migrated embedded install served by `manage.py serve`; yields (base URL, log path,
    process)."""
    var = tmp_path / "var"
    env = _embedded_env(var)
    for command in (["migrate", "--noinput", "-v0"], ["collectstatic", "--noinput", "-v0"]):
        subprocess.run(
            [sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True, timeout=300
        )
    port = _free_port()
    log = tmp_path / "serve.log"
    with open(log, "w") as output:
        process = subprocess.Popen(
            [sys.executable, "manage.py", "serve", f"127.0.0.1:{port}"],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        yield f"http://127.0.0.1:{port}", log, process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                process.kill()


def _worker_pids(log: Path) -> list[int]:
    return [int(pid) for pid in re.findall(r"worker started \(pid (\d+)\)", log.read_text())]


def _ready_count(log: Path) -> int:
    return len(re.findall(r"celery@\S+ ready\.", log.read_text()))


def test_serve_brings_a_killed_worker_back_and_stops_everything_on_ctrl_c(served):
    url, log, process = served
    assert _wait_for(lambda: _ready_count(log) >= 1, 90), log.read_text()[-3000:]
    assert _wait_for(lambda: _get(f"{url}/healthz")[0] == 200, 60)

    # DEBUG is off: a bad address answers the plain 404 page, not the URL patterns.
    status, body = _get(f"{url}/no-such-page/")
    assert status == 404
    assert "URLconf" not in body
    assert "No encontrado" in body or "Not found" in body
    # Static files are served (whitenoise, collected).
    assert _get(f"{url}/static/css/opencpi.css")[0] == 200

    (first,) = _worker_pids(log)
    os.kill(first, signal.SIGKILL)
    killed = time.monotonic()
    assert _wait_for(lambda: _ready_count(log) >= 2, 30), log.read_text()[-3000:]
    back_after = time.monotonic() - killed
    assert back_after < 30
    pids = _worker_pids(log)
    assert len(pids) == 2 and pids[1] != first
    assert f"worker (pid {first}) exited with signal 9" in log.read_text()

    children = [
        int(pid) for pid in re.findall(r"(?:web|beat) started \(pid (\d+)\)", log.read_text())
    ]
    process.send_signal(signal.SIGINT)
    process.wait(timeout=40)
    for pid in [*children, pids[1]]:
        assert not _alive(pid), f"pid {pid} still running after Ctrl-C"
    print(f"worker back after {back_after:.1f} s")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is dead but not yet reaped by its parent (the supervisor has exited: init reaps).
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().split()[2] != "Z"
