"""The one way to write an audit row (STYLE rule 5), and the hash chain that makes the log
tamper-evident.

Every row stores the hash of the row before it (by id) and its own hash over its content and
that previous hash. Changing, deleting or inserting a row anywhere breaks the chain from there
on; ``manage.py verify_audit`` reports the first broken link. Appends are serialised with a
PostgreSQL advisory lock so two transactions never chain onto the same row.
"""

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Iterator
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import connection, models, transaction

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
    """Take the append lock (PostgreSQL) and return the hash of the last row."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [AUDIT_CHAIN_LOCK])
    last = AuditEntry.objects.order_by("-pk").values_list("hash", flat=True).first()
    return last or GENESIS


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


def audit_record(
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
    actor_id = actor.pk if actor is not None and getattr(actor, "is_authenticated", False) else None
    extra = {"at": at} if at is not None else {}
    subject = target if target is not None else target_model
    if subject is None:
        raise ValueError("an audit row is about a target object or at least its model")
    entry = AuditEntry(
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
    with transaction.atomic():
        audit_chain([entry])
        entry.save()
    return entry


def audit_history(target: models.Model):
    """The audit rows about one object, oldest first, with their actors."""
    return (
        AuditEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(target, for_concrete_model=False),
            object_id=str(target.pk),
        )
        .select_related("actor")
        .order_by("at", "pk")
    )
