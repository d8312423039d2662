"""Django's PostgreSQL backend, its connection health check asked at most once a second.

With persistent connections (``CONN_MAX_AGE``) and ``CONN_HEALTH_CHECKS``, Django asks the
server ``SELECT 1`` before the first query of every request, so that a connection the server
has dropped (a restart, a fail-over) is replaced instead of failing the request. That round
trip cost as much as the API token's read (0.2 ms of a 1.2 ms API call served from the cache).
Here a connection that opened or answered the check less than ``HEALTH_CHECK_SECONDS`` ago is
taken as it is: a server that goes away inside that second fails at most the one request that
meets it, after which Django closes the connection (it closes any connection whose request
saw a database error) and the next request opens a new one.
"""

import time

from django.db.backends.postgresql import base

HEALTH_CHECK_SECONDS = 1.0


class DatabaseWrapper(base.DatabaseWrapper):
    # When this connection last opened or answered a health check (time.monotonic()).
    checked_at: float = float("-inf")

    def connect(self):
        super().connect()
        self.checked_at = time.monotonic()

    def close_if_health_check_failed(self):
        if (
            self.connection is not None
            and not self.health_check_done
            and time.monotonic() - self.checked_at < HEALTH_CHECK_SECONDS
        ):
            self.health_check_done = True
            return
        checking = self.connection is not None and not self.health_check_done
        super().close_if_health_check_failed()
        if checking and self.connection is not None:
            self.checked_at = time.monotonic()
