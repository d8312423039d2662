"""The one way to write an audit row (STYLE rule 5), and the hash chain that makes the log
tamper-evident.

Every row stores the hash of the row before it (by id) and its own hash over its content and
that previous hash. Changing, deleting or inserting a row anywhere breaks the chain from there
on; ``manage.py verify_audit`` reports the first broken link. Appends are serialised with a
PostgreSQL advisory lock so two transactions never chain onto the same row.

The lock is transaction-scoped: it is held until COMMIT, so every write transaction that audits
is serialised from its append to its end. Callers therefore append as late as they can — the
append is the last write of ``transition_perform`` (only the outbox rows that need the new ids
follow it) — and a batch of rows takes the lock once (``audit_append``), as the scheduler does
for a whole chunk of fired deadlines.
"""

import datetime as dt
import hashlib
import json
import time
from collections.abc import Iterable, Iterator
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import connection, models, transaction
from django.db.models.expressions import RawSQL

from procurement.core.compiled import compiled
from procurement.core.models import AuditEntry

AUDIT_CHAIN_LOCK = 0x0A0D17  # arbitrary, fixed: the advisory lock that orders appends
GENESIS = "0" * 64


def audit_hash(row: AuditEntry | dict, prev_hash: str) -> str:
    """SHA-256 over the row's content and the previous hash, in a canonical JSON form."""
    get = row.get if isinstance(row, dict) else (lambda key: getattr(row, key))
    at = get("at")
    content = {
        "prev": prev_hash,
        "at": at.astimezone(dt.UTC).isoformat() if at else "",
        "actor": get("actor_id"),
        "action": get("action"),
        "content_type": get("content_type_id"),
        "object_id": str(get("object_id")),
        "name": get("name") or "",
        "from": get("from_state") or "",
        "to": get("to_state") or "",
        "reason": get("reason") or "",
        "legal_basis": get("legal_basis") or "",
        "data": get("data") or {},
    }
    encoded = json.dumps(
        content, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
    )
    return hashlib.sha256(encoded.encode()).hexdigest()


def _lock_chain() -> str:
    """Take the append lock (PostgreSQL) and return the hash of the last row.

    Two statements on purpose: under READ COMMITTED a statement sees the rows committed before
    it started, so the last row must be read by a statement that starts after the lock is held
    (one statement that locks and reads could miss the row of the transaction it waited for)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Run the transaction's deferred foreign-key checks now, before the lock, then defer
            # again (Django's mode). Left to COMMIT, they take row locks while the chain lock is
            # held, and a transaction that holds one of those rows (select_for_update) and waits
            # for the chain lock deadlocks with this one (found by the soak, #14).
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [AUDIT_CHAIN_LOCK])
        table = connection.ops.quote_name(AuditEntry._meta.db_table)
        cursor.execute(f"SELECT hash FROM {table} ORDER BY id DESC LIMIT 1")  # noqa: S608
        row = cursor.fetchone()
    return row[0] if row and row[0] else GENESIS


def audit_chain(rows: list[AuditEntry]) -> list[AuditEntry]:
    """Fill ``prev_hash``/``hash`` of unsaved rows about to be bulk-inserted in this order.

    Call inside a transaction and insert them before it commits (seed commands use it)."""
    prev = _lock_chain()
    for row in rows:
        row.prev_hash = prev
        row.hash = audit_hash(row, prev)
        prev = row.hash
    return rows


def audit_verify(rows: Iterable[AuditEntry]) -> Iterator[tuple[AuditEntry, str]]:
    """Yield (row, why) for every broken link, in id order."""
    prev = GENESIS
    for row in rows:
        if row.prev_hash != prev:
            yield (
                row,
                "its previous-hash does not match the row before it (a row was removed, inserted or changed)",
            )
        elif row.hash != audit_hash(row, row.prev_hash):
            yield row, "its content does not match its hash (the row was changed)"
        prev = row.hash


def audit_append(entries: list[AuditEntry]) -> list[AuditEntry]:
    """Chain and insert unsaved ``entries``, in this order, under one take of the append lock.

    Joins the caller's transaction without a savepoint (a failed append fails the caller's
    transaction, as it must: nothing is recorded without its audit row). The lock is then held
    until that transaction commits, so call this as the last write of the transaction.
    Returns the saved rows with their ids.
    """
    if not entries:
        return entries
    data_version_forget()
    with transaction.atomic(savepoint=False):
        # Again once it commits: another thread of this process may have read the version since.
        transaction.on_commit(data_version_forget)
        audit_chain(entries)
        return AuditEntry.objects.bulk_create(entries)


def audit_entry(
    *,
    actor: Any,
    action: str,
    target: models.Model | None = None,
    target_model: type[models.Model] | None = None,
    name: str = "",
    from_state: str = "",
    to_state: str = "",
    reason: str = "",
    legal_basis: str = "",
    data: dict | None = None,
    at=None,
) -> AuditEntry:
    """An unsaved audit row (for ``audit_append``); ``actor`` ``None`` or anonymous: the system."""
    actor_id = actor.pk if actor is not None and getattr(actor, "is_authenticated", False) else None
    extra = {"at": at} if at is not None else {}
    subject = target if target is not None else target_model
    if subject is None:
        raise ValueError("an audit row is about a target object or at least its model")
    return AuditEntry(
        **extra,
        actor_id=actor_id,
        action=action,
        content_type=ContentType.objects.get_for_model(subject, for_concrete_model=False),
        object_id=str(target.pk) if target is not None else "",
        name=name,
        from_state=from_state,
        to_state=to_state,
        reason=reason,
        legal_basis=legal_basis,
        data=json.loads(json.dumps(data or {}, default=str)),
    )


def audit_record(**fields: Any) -> AuditEntry:
    """Write one audit row now (the arguments of ``audit_entry``), chained onto the last one.

    Takes the append lock until the caller's transaction commits: in a longer transaction,
    record last."""
    return audit_append([audit_entry(**fields)])[0]


def audit_history(target: models.Model) -> list[AuditEntry]:
    """The audit rows about one object, oldest first, with their actors."""
    content_type = ContentType.objects.get_for_model(target, for_concrete_model=False)
    return _history_of(content_type.pk, str(target.pk))


_history_of = compiled(
    lambda content_type_id, object_id: (
        AuditEntry.objects.filter(content_type_id=content_type_id, object_id=object_id)
        .select_related("actor")
        .order_by("at", "pk")
    ),
    kinds=(int, str),
)


def data_version(*, within: float = 0) -> int:
    """The id of the newest audit row (0 when there is none). Every service that writes appends
    a row, and appends are serialised until their transaction commits, so the id grows with every
    committed write and never runs ahead of what other transactions can see: a cache key that
    holds it is fresh until the next write (the public portal's pages, the API's counts).

    ``within`` seconds: the version this process read that recently will do, without asking the
    database (for pages that may show another process's write that much later: the public
    portal's). This process forgets what it read when it appends a row and again when that
    write commits, so what it serves next shows its own writes; inside a transaction it always
    asks."""
    global _last_read
    now = time.monotonic()
    if within and _last_read is not None and not connection.in_atomic_block:
        read_at, version = _last_read
        if now - read_at < within:
            return version
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT MAX("id") FROM "{AuditEntry._meta.db_table}"')  # noqa: S608
        (newest,) = cursor.fetchone()
    version = newest or 0
    if not connection.in_atomic_block:
        _last_read = (now, version)
    return version


# (when, version): this process's last read of the data version outside a transaction.
_last_read: tuple[float, int] | None = None


def data_version_column() -> RawSQL:
    """``data_version`` as a column of a query the request makes anyway (the API token's read
    carries it: one round trip less on every API call). Read by the same rules: a cache key
    built on it is fresh until the next write. ``None`` when there is no audit row."""
    table = connection.ops.quote_name(AuditEntry._meta.db_table)
    # Safe: the table's name from model metadata, no values.
    sql = f'SELECT MAX("id") FROM {table}'  # noqa: S608
    return RawSQL(sql, [], output_field=models.BigIntegerField())  # noqa: S611


def data_version_forget() -> None:
    """The next ``data_version`` asks the database, whatever its ``within``."""
    global _last_read
    _last_read = None


def _audit_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return ", ".join(_audit_text(item) for item in value)
    if isinstance(value, dict):
        return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    return str(value)


def audit_changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[str]]:
    """``{field: [old, new]}`` for the fields of ``after`` whose value differs from ``before``,
    as text (the ``changes`` of an edit's audit row, which the history shows)."""
    changes = {}
    for field, new in after.items():
        if before.get(field) == new:  # Decimal("40") is Decimal("40.00")
            continue
        old_text, new_text = _audit_text(before.get(field)), _audit_text(new)
        if old_text != new_text:
            changes[field] = [old_text, new_text]
    return changes
