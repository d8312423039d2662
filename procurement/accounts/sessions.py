"""Django's database sessions (``SESSION_ENGINE``), each request's read written once as SQL.

Every web request reads its session; building and compiling the ORM's query for it cost about
as much as running it. The row and the rules are Django's: the session whose key the cookie
names, if it has not expired (``expire_date`` adapted by the database's own operations, so
SQLite and PostgreSQL compare it alike); a key with no such row is forgotten, and the visitor
gets a new one when the session is next saved.
"""

from django.contrib.sessions.backends import db
from django.db import connections, router
from django.utils import timezone


class SessionStore(db.SessionStore):
    def load(self) -> dict:
        data = self._stored_data()
        if data is None:
            self._session_key = None
            return {}
        return self.decode(data)

    def _stored_data(self) -> str | None:
        if self.session_key is None:
            return None
        model = self.model
        connection = connections[router.db_for_read(model)]
        quote = connection.ops.quote_name
        sql = (
            f"SELECT {quote('session_data')} FROM {quote(model._meta.db_table)} "  # noqa: S608
            f"WHERE {quote('session_key')} = %s AND {quote('expire_date')} > %s"
        )
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        with connection.cursor() as cursor:
            cursor.execute(sql, [self.session_key, now])
            row = cursor.fetchone()
        return row[0] if row else None
