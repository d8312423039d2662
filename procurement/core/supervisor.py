"""A small process supervisor: the web server, the Celery worker and beat side by side.

Each program runs in a session of its own, so Ctrl-C reaches the supervisor alone, which stops
them in order. A program that exits on its own (a crash, an out-of-memory kill) is started
again after a back-off that doubles with each quick failure (1 s, 2 s, 4 s … up to 30 s) and
resets once it has run for a minute; each exit and restart is logged.
"""

import contextlib
import logging
import os
import signal
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

logger = logging.getLogger("procurement.serve")


@dataclass
class Program:
    name: str
    argv: Sequence[str]
    process: subprocess.Popen | None = None
    started_at: float = 0.0
    failures: int = 0
    restart_at: float | None = None
    restarts: int = field(default=0)


class Supervisor:
    """Starts ``programs``, keeps them running until ``stop()`` or SIGINT/SIGTERM, then stops
    them all (SIGTERM to each program's process group, SIGKILL after ``stop_seconds``)."""

    def __init__(
        self,
        programs: list[Program],
        *,
        env: dict[str, str] | None = None,
        min_backoff: float = 1.0,
        max_backoff: float = 30.0,
        stable_after: float = 60.0,
        stop_seconds: float = 20.0,
    ):
        self.programs = programs
        self.env = env
        self.min_backoff = min_backoff
        self.max_backoff = max_backoff
        self.stable_after = stable_after
        self.stop_seconds = stop_seconds
        self.stopping = False

    def start(self, program: Program) -> None:
        program.process = subprocess.Popen(  # noqa: S603 - argv built by the serve command
            list(program.argv), env=self.env, start_new_session=True
        )
        program.started_at = time.monotonic()
        program.restart_at = None
        logger.info("%s started (pid %s)", program.name, program.process.pid)

    def stop(self, *_args) -> None:
        self.stopping = True

    def run(self) -> None:
        previous = {sig: signal.signal(sig, self.stop) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            for program in self.programs:
                self.start(program)
            while not self.stopping:
                self.watch()
                time.sleep(0.2)
        finally:
            self.stop_all()
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def watch(self) -> None:
        """One look at every program: note exits, start again those whose back-off is over."""
        now = time.monotonic()
        for program in self.programs:
            if program.restart_at is not None:
                if now >= program.restart_at:
                    program.restarts += 1
                    self.start(program)
                continue
            if program.process is None or program.process.poll() is None:
                continue
            code = program.process.returncode
            ran = now - program.started_at
            # Members of its group left behind (a worker's children) go with it.
            _kill_group(program.process.pid, signal.SIGKILL)
            program.failures = 0 if ran >= self.stable_after else program.failures + 1
            delay = min(self.max_backoff, self.min_backoff * 2 ** max(program.failures - 1, 0))
            program.restart_at = now + delay
            how = f"signal {-code}" if code < 0 else f"code {code}"
            logger.error(
                "%s (pid %s) exited with %s after %.0f s; restarting in %.0f s",
                program.name,
                program.process.pid,
                how,
                ran,
                delay,
            )

    def stop_all(self) -> None:
        running = [
            (p.name, p.process)
            for p in self.programs
            if p.process is not None and p.process.poll() is None
        ]
        for name, process in running:
            logger.info("stopping %s (pid %s)", name, process.pid)
            _kill_group(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + self.stop_seconds
        for name, process in running:
            try:
                process.wait(timeout=max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                logger.warning("%s did not stop in time; killing it", name)
                _kill_group(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
        for program in self.programs:
            if program.process is not None:
                _kill_group(program.process.pid, signal.SIGKILL)


def _kill_group(pgid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)
