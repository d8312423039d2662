"""Run the same work from several threads released at the same moment (PostgreSQL tests)."""

import threading
from collections.abc import Callable

from django.db import connection


def run_at_once(work: Callable[[], None], threads: int, timeout: float = 120) -> None:
    """Start ``threads`` threads that wait for each other, then all call ``work``; each closes
    its own database connection when done. Returns when every thread has finished."""
    barrier = threading.Barrier(threads)

    def run() -> None:
        barrier.wait()
        try:
            work()
        finally:
            connection.close()

    started = [threading.Thread(target=run) for _ in range(threads)]
    for thread in started:
        thread.start()
    for thread in started:
        thread.join(timeout=timeout)
