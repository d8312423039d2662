"""A network-sized data set for the benchmark (``make bench``), written in bulk.

    manage.py seed_scale [--processes 100000] [--cities 150] … (see ``--help``)

This command deliberately bypasses the services and the procedure engine: rows are inserted in
bulk (``COPY`` on PostgreSQL, ``bulk_create`` elsewhere) with explicit ids and explicit ``status``
values, because running 100,000 processes through ``transition_perform`` would take hours. The
result has the shape the services would produce — per-organisation role groups with their
members, guardian group object permissions on every city, supplier, process and template, audit
rows — so selectors and permission checks behave as in production. It is a data set for
measuring, never a way to record real processes: it writes no after-commit effects, no OCDS
releases and no documents.

Every name it writes starts with ``scale-`` and it refuses to run twice on the same database.
It belongs to ``publication``, the app above all those whose rows it writes: ``tenders`` may not
import ``documents``, and ``documents`` reads ``tenders`` only through ``documents.context``.
"""

import datetime as dt
import json
import random
import time
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from typing import Any

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.utils import timezone

from documents.kinds import KIND_CHOICES
from documents.models import (
    DocumentTemplate,
    DocumentTemplateGroupObjectPermission,
    TemplateVersion,
)
from documents.services import TEMPLATE_PERMISSIONS
from procurement.accounts.models import (
    City,
    CityGroupObjectPermission,
    Membership,
    Network,
    NetworkGroupObjectPermission,
    Supplier,
    SupplierGroupObjectPermission,
    User,
)
from procurement.accounts.permissions import ORGANISATION_PERMISSIONS, role_group_name
from procurement.core import audit as core_audit
from procurement.core.models import AuditEntry
from tenders.models import Consultation, Question, Response, Tender, TenderGroupObjectPermission
from tenders.procedures import PROCEDURES, S
from tenders.process.services import TENDER_PERMISSIONS

PREFIX = "scale-"
PASSWORD = "opencpi-scale"  # noqa: S105 - benchmark data only, printed by the command
BATCH = 5000
# States before any publication: such a process is private to its city.
PRIVATE_STATES = {S.NEED_DRAFT, S.NEED_VALIDATED, S.CONSULTATION_DRAFT, S.CONSULTATION_SKIPPED}
# States in which a process has no consultation.
BEFORE_CONSULTATION = {S.NEED_DRAFT, S.NEED_VALIDATED, S.DEMAND_MAP, S.CONSULTATION_SKIPPED}
# States from which a consultation exists (drafted, running or finished).
CONSULTATION_STATES = {
    S.CONSULTATION_DRAFT,
    S.CONSULTATION_ANNOUNCED,
    S.CONSULTATION_OPEN,
    S.CONSULTATION_CLOSED,
    S.REPORT_DRAFT,
    S.REPORT_PUBLISHED,
}
WORDS = [
    *("movilidad", "sensor", "alumbrado", "residuos", "agua", "energía", "datos", "plataforma"),
    *("gemelo", "digital", "tráfico", "aparcamiento", "climatización", "riego", "parques"),
    *("biblioteca", "escuela", "salud", "teleasistencia"),
]
CPV = ["72000000-5", "48000000-8", "34900000-6", "90500000-2", "31500000-1", "73100000-3"]


class Writer:
    """Inserts rows given as dicts of column values: ``COPY`` on PostgreSQL, ``bulk_create``
    otherwise. Missing columns take the field's default (``timezone.now`` once per call)."""

    def __init__(self) -> None:
        self.copy = connection.vendor == "postgresql"
        self.counts: dict[str, int] = {}

    def next_id(self, model: type[models.Model]) -> int:
        last = model._default_manager.order_by("-pk").values_list("pk", flat=True).first()
        return int(last or 0) + 1

    def write(self, model: type[models.Model], rows: Iterable[dict[str, Any]]) -> int:
        fields = list(model._meta.concrete_fields)
        now = timezone.now()
        defaults: dict[str, Any] = {}
        for f in fields:
            if f.has_default():
                value = f.get_default()
                is_now = callable(f.default) and isinstance(value, dt.datetime)
                defaults[f.attname] = now if is_now else value
            elif getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                defaults[f.attname] = now
        count = 0
        for chunk in _chunks(rows, BATCH):
            full = [{**defaults, **row} for row in chunk]
            if self.copy:
                self._copy(model, fields, full)
            else:
                model._default_manager.bulk_create([model(**row) for row in full])
            count += len(full)
        self.counts[model._meta.label] = self.counts.get(model._meta.label, 0) + count
        return count

    def _copy(self, model, fields, rows) -> None:
        present = [f for f in fields if f.attname in rows[0]]
        columns = ", ".join(connection.ops.quote_name(f.column) for f in present)
        json_fields = {f.attname for f in present if isinstance(f, models.JSONField)}
        table = connection.ops.quote_name(model._meta.db_table)
        with connection.cursor() as cursor:
            raw = cursor.cursor  # the psycopg cursor behind Django's wrapper
            with raw.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(
                        [
                            json.dumps(row[f.attname])
                            if f.attname in json_fields
                            else row[f.attname]
                            for f in present
                        ]
                    )

    def reset_sequences(self, models_: list[type[models.Model]]) -> None:
        statements = connection.ops.sequence_reset_sql(no_style(), models_)
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


def _chunks(rows: Iterable[dict], size: int) -> Iterator[list[dict]]:
    chunk: list[dict] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _chained(rows: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Audit rows with their tamper-evidence hashes, when the audit log keeps a hash chain."""
    fields = {f.name for f in AuditEntry._meta.concrete_fields}
    chain = getattr(core_audit, "audit_hash", None)
    if "hash" not in fields or chain is None:
        yield from rows
        return
    prev = AuditEntry.objects.order_by("-pk").values_list("hash", flat=True).first()
    prev = prev or getattr(core_audit, "GENESIS", "0" * 64)
    for row in rows:
        row["prev_hash"] = prev
        row["hash"] = prev = chain(row, prev)
        yield row


def _perm_ids(codenames: Iterable[str]) -> dict[str, int]:
    wanted = set(codenames)
    found = {}
    for perm in Permission.objects.select_related("content_type"):
        name = f"{perm.content_type.app_label}.{perm.codename}"
        if name in wanted:
            found[name] = perm.pk
    missing = wanted - set(found)
    if missing:
        raise CommandError(f"permissions missing (migrate first): {sorted(missing)}")
    return found


class Command(BaseCommand):
    help = "Insert a network-sized benchmark data set in bulk (bypasses the services on purpose)."

    def add_arguments(self, parser: CommandParser) -> None:
        size = parser.add_argument
        size("--networks", type=int, default=2)
        size("--cities", type=int, default=150)
        size("--suppliers", type=int, default=5000)
        size("--processes", type=int, default=100_000)
        size("--consultations", type=int, default=20_000)
        size("--responses", type=int, default=500_000)
        size("--audit", type=int, default=1_000_000, help="audit rows on the processes")
        size("--templates", type=int, default=2000)
        size("--seed", type=int, default=1, help="random seed: the same sizes give the same data")

    def handle(self, *args, **options) -> None:
        if City.objects.filter(slug__startswith=PREFIX).exists():
            raise CommandError("This database already holds a scale data set; use a fresh one.")
        if options["consultations"] > options["processes"]:
            raise CommandError("--consultations cannot exceed --processes.")
        if options["responses"] > options["consultations"] * options["suppliers"]:
            raise CommandError("--responses cannot exceed consultations × suppliers.")
        started = time.monotonic()
        self.rng = random.Random(options["seed"])  # noqa: S311 - reproducible data, not secrets
        self.w = Writer()
        self.now = timezone.now().replace(second=0, microsecond=0)
        steps: list[tuple[str, Callable[[dict], None]]] = [
            ("parties", self.parties),
            ("processes", self.processes),
            ("consultations", self.consultations),
            ("audit", self.audit),
            ("templates", self.templates),
        ]
        for label, step in steps:
            t0 = time.monotonic()
            with transaction.atomic():
                step(options)
            self.stdout.write(f"  {label}: {time.monotonic() - t0:.1f} s")
        self.w.reset_sequences(
            [
                Network,
                City,
                City.networks.through,
                Supplier,
                Group,
                User,
                User.groups.through,
                Membership,
                Tender,
                Consultation,
                Question,
                Response,
                AuditEntry,
                DocumentTemplate,
                TemplateVersion,
                CityGroupObjectPermission,
                SupplierGroupObjectPermission,
                NetworkGroupObjectPermission,
                TenderGroupObjectPermission,
                DocumentTemplateGroupObjectPermission,
            ]
        )
        if connection.vendor == "postgresql":
            # Statistics for the planner, and (outside a transaction, i.e. not under a test) the
            # visibility map autovacuum keeps in a live system: without it the permission
            # tables could not be read from their indexes alone and the benchmark would measure
            # a database nobody runs.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")
        total = time.monotonic() - started
        for label, count in sorted(self.w.counts.items()):
            self.stdout.write(f"  {label}: {count:,}")
        self.stdout.write(
            self.style.SUCCESS(f"seed_scale done in {total:.1f} s (users' password: {PASSWORD})")
        )

    # --- parties: networks, cities, suppliers, their role groups, members and grants ----------

    def _groups(self, kind: str, pks: list[int], roles: Iterable[str]) -> dict[tuple, int]:
        roles = list(roles)
        first = self.w.next_id(Group)
        rows, ids = [], {}
        for n, (pk, role) in enumerate((pk, role) for pk in pks for role in roles):
            ids[(pk, role)] = first + n
            rows.append({"id": first + n, "name": role_group_name(kind=kind, pk=pk, role=role)})
        self.w.write(Group, rows)
        return ids

    def _members(self, kind: str, groups: dict[tuple, int], username: Callable) -> None:
        """One user per (organisation, role), member of its group through a membership."""
        first = self.w.next_id(User)
        password = self.password
        users, memberships, links = [], [], []
        for n, ((pk, role), group_id) in enumerate(sorted(groups.items())):
            uid = first + n
            name = username(pk, role)
            users.append(
                {
                    "id": uid,
                    "username": name,
                    "password": password,
                    "email": f"{name}@example.org",
                    "first_name": "",
                    "last_name": "",
                    "national_id": "",
                }
            )
            memberships.append(
                {"user_id": uid, f"{kind}_id": pk, "role": role}
                | {k: None for k in ("city_id", "supplier_id", "network_id") if k != f"{kind}_id"}
            )
            links.append({"user_id": uid, "group_id": group_id})
        self.w.write(User, users)
        self.w.write(Membership, memberships)
        self.w.write(User.groups.through, links)

    def _grants(self, model, groups: dict[tuple, int], perms_by_role, objects) -> None:
        """Group object permissions: ``objects`` yields (object id, owner id)."""
        perm_ids = _perm_ids(p for perms in perms_by_role.values() for p in perms)

        def rows():
            for object_id, owner in objects:
                for role, perms in perms_by_role.items():
                    for perm in perms:
                        yield {
                            "permission_id": perm_ids[perm],
                            "group_id": groups[(owner, role)],
                            "content_object_id": object_id,
                        }

        self.w.write(model, rows())

    def parties(self, o: dict) -> None:
        self.password = make_password(PASSWORD)
        n0 = self.w.next_id(Network)
        networks = [
            {
                "id": n0 + i,
                "name": f"Scale network {i}",
                "slug": f"{PREFIX}net-{i}",
                "description": "",
            }
            for i in range(o["networks"])
        ]
        self.w.write(Network, networks)
        self.network_ids: list[int] = [n0 + i for i in range(o["networks"])]
        c0 = self.w.next_id(City)
        self.city_ids = [c0 + i for i in range(o["cities"])]
        self.w.write(
            City,
            (
                {
                    "id": pk,
                    "name": f"Ciudad {i:03d}",
                    "slug": f"{PREFIX}city-{i}",
                    "country": "ES",
                    "region": "RI",
                }
                for i, pk in enumerate(self.city_ids)
            ),
        )
        through = City.networks.through
        self.w.write(
            through,
            (
                {"city_id": pk, "network_id": self.network_ids[i % len(self.network_ids)]}
                for i, pk in enumerate(self.city_ids)
            )
            if self.network_ids
            else [],
        )
        s0 = self.w.next_id(Supplier)
        self.supplier_ids = [s0 + i for i in range(o["suppliers"])]
        kinds = [k for k, _label in Supplier.Kind.choices]
        self.w.write(
            Supplier,
            (
                {
                    "id": pk,
                    "name": f"Proveedor {i:05d} S.L.",
                    "slug": f"{PREFIX}supplier-{i}",
                    "kind": kinds[i % len(kinds)],
                    "tax_id": f"B{i:08d}",
                    "is_sme": i % 3 != 0,
                    "website": "",
                }
                for i, pk in enumerate(self.supplier_ids)
            ),
        )
        city_roles = Membership.ROLES_BY_KIND[Membership.Kind.CITY]
        self.city_groups = self._groups("city", self.city_ids, city_roles)
        supplier_groups = self._groups(
            "supplier", self.supplier_ids, Membership.ROLES_BY_KIND[Membership.Kind.SUPPLIER]
        )
        network_groups = self._groups(
            "network", self.network_ids, Membership.ROLES_BY_KIND[Membership.Kind.NETWORK]
        )
        city_index = {pk: i for i, pk in enumerate(self.city_ids)}
        supplier_index = {pk: i for i, pk in enumerate(self.supplier_ids)}
        network_index = {pk: i for i, pk in enumerate(self.network_ids)}
        self._members("city", self.city_groups, lambda pk, r: f"{PREFIX}{r}-{city_index[pk]}")
        self._members(
            "supplier", supplier_groups, lambda pk, r: f"{PREFIX}supplier-{supplier_index[pk]}"
        )
        self._members(
            "network", network_groups, lambda pk, r: f"{PREFIX}coordinator-{network_index[pk]}"
        )
        self._grants(
            CityGroupObjectPermission,
            self.city_groups,
            ORGANISATION_PERMISSIONS[Membership.Kind.CITY],
            ((pk, pk) for pk in self.city_ids),
        )
        self._grants(
            SupplierGroupObjectPermission,
            supplier_groups,
            ORGANISATION_PERMISSIONS[Membership.Kind.SUPPLIER],
            ((pk, pk) for pk in self.supplier_ids),
        )
        self._grants(
            NetworkGroupObjectPermission,
            network_groups,
            ORGANISATION_PERMISSIONS[Membership.Kind.NETWORK],
            ((pk, pk) for pk in self.network_ids),
        )

    # --- processes ------------------------------------------------------------------------------

    def _plan(self, count: int) -> list[tuple[str, str]]:
        """(procedure, state) for each process: every state of every procedure, round robin."""
        pairs = [(code, s.name) for code, p in PROCEDURES.items() for s in p.states]
        return [pairs[i % len(pairs)] for i in range(count)]

    def processes(self, o: dict) -> None:
        rng = self.rng
        t0 = self.w.next_id(Tender)
        self.tenders: list[tuple[int, int, str, str]] = []  # (id, city id, procedure, state)
        years = 5 * 365 * 24 * 3600

        def rows():
            for i, (procedure, state) in enumerate(self._plan(o["processes"])):
                pk = t0 + i
                city = self.city_ids[i % len(self.city_ids)]
                self.tenders.append((pk, city, procedure, state))
                created = self.now - dt.timedelta(seconds=rng.randrange(years))
                public = state not in PRIVATE_STATES
                words = rng.sample(WORDS, 3)
                yield {
                    "id": pk,
                    "created_at": created,
                    "updated_at": created,
                    "status": state,
                    "city_id": city,
                    "title": f"Plataforma de {words[0]} y {words[1]} nº {i}",
                    "description": f"Necesidad de {words[2]} no resuelta por el mercado.",
                    "procedure": procedure,
                    "estimated_value": Decimal(rng.randrange(50_000, 5_000_000)),
                    "currency": "EUR",
                    "cpv_codes": [CPV[i % len(CPV)]],
                    "functional_specifications": "",
                    "consultation_skip_reason": "",
                    "legal_report_ref": "",
                    "credit_certificate_ref": "",
                    "audit_report_ref": "",
                    "first_published_at": created + dt.timedelta(days=10) if public else None,
                    "next_check": None,
                }

        self.w.write(Tender, rows())
        self._grants(
            TenderGroupObjectPermission,
            self.city_groups,
            TENDER_PERMISSIONS,
            ((pk, city) for pk, city, _p, _s in self.tenders),
        )

    # --- consultations, questions and responses -----------------------------------------------

    def consultations(self, o: dict) -> None:
        rng = self.rng
        wanted = o["consultations"]
        # Processes whose state has a consultation first, then the later ones (whose
        # consultation is over), so "open" consultations exist at every size.
        eligible = [t for t in self.tenders if t[3] not in BEFORE_CONSULTATION]
        ordered = sorted(eligible, key=lambda t: (t[3] not in CONSULTATION_STATES, t[0]))[:wanted]
        c0 = self.w.next_id(Consultation)
        consultations: list[dict[str, Any]] = []
        for n, (tender_id, _city, _procedure, state) in enumerate(ordered):
            if state == S.CONSULTATION_DRAFT:
                opens, closes, published = self.now + dt.timedelta(days=20), None, None
            elif state == S.CONSULTATION_ANNOUNCED:
                opens = self.now + dt.timedelta(days=rng.randrange(1, 20))
                closes, published = opens + dt.timedelta(days=30), self.now
            elif state == S.CONSULTATION_OPEN:
                opens = self.now - dt.timedelta(days=rng.randrange(1, 20))
                closes = self.now + dt.timedelta(days=rng.randrange(1, 30))
                published = opens - dt.timedelta(days=5)
            else:
                closes = self.now - dt.timedelta(days=rng.randrange(1, 900))
                opens = closes - dt.timedelta(days=30)
                published = opens - dt.timedelta(days=5)
            consultations.append(
                {
                    "id": c0 + n,
                    "tender_id": tender_id,
                    "subject": f"Consulta preliminar del mercado {n}",
                    "background": "",
                    "report": "",
                    "opens_at": opens,
                    "closes_at": closes,
                    "published_at": published,
                }
            )
        self.w.write(Consultation, consultations)
        self.w.write(
            Question,
            (
                {
                    "consultation_id": c["id"],
                    "order": order,
                    "text": f"Pregunta {order}: ¿qué solución propone?",
                    "help_text": "",
                    "kind": "text",
                    "required": order == 1,
                }
                for c in consultations
                for order in (1, 2, 3)
            ),
        )
        # Responses: distinct suppliers per consultation, spread evenly over consultations.
        closed = [c for c in consultations if c["published_at"] is not None]
        if not closed or not o["responses"]:
            return
        per = o["responses"] // len(closed)
        extra = o["responses"] - per * len(closed)
        suppliers = self.supplier_ids
        pick = self.rng

        def rows():
            for n, c in enumerate(closed):
                k = per + (1 if n < extra else 0)
                start = pick.randrange(len(suppliers))
                for j in range(min(k, len(suppliers))):
                    supplier = suppliers[(start + j) % len(suppliers)]
                    at = max(c["opens_at"], self.now - dt.timedelta(days=900))
                    yield {
                        "consultation_id": c["id"],
                        "supplier_id": supplier,
                        "status": "submitted" if j % 10 else "draft",
                        "submitted_at": at if j % 10 else None,
                        "created_at": at,
                        "updated_at": at,
                        "created_by_id": None,
                    }

        self.w.write(Response, rows())

    # --- the audit log ------------------------------------------------------------------------

    def audit(self, o: dict) -> None:
        if not self.tenders or not o["audit"]:
            return
        ct = ContentType.objects.get_for_model(Tender).pk
        per = max(1, o["audit"] // len(self.tenders))
        wanted = o["audit"]

        def rows():
            written = 0
            for pk, _city, _procedure, state in self.tenders:
                for k in range(per):
                    if written >= wanted:
                        return
                    written += 1
                    yield {
                        "at": self.now - dt.timedelta(days=per - k),
                        "actor_id": None,
                        "action": "transition" if k else "create",
                        "content_type_id": ct,
                        "object_id": str(pk),
                        "name": f"step_{k}" if k else "tender_create",
                        "from_state": "",
                        "to_state": state if k == per - 1 else "",
                        "reason": "",
                        "legal_basis": "",
                        "data": {},
                    }
            # More rows asked than processes × per: the remainder on the first processes.
            for pk, _city, _procedure, _state in self.tenders:
                if written >= wanted:
                    return
                written += 1
                yield {
                    "at": self.now,
                    "actor_id": None,
                    "action": "change",
                    "content_type_id": ct,
                    "object_id": str(pk),
                    "name": "tender_update",
                    "from_state": "",
                    "to_state": "",
                    "reason": "",
                    "legal_basis": "",
                    "data": {},
                }

        self.w.write(AuditEntry, _chained(rows()))

    # --- the template library -----------------------------------------------------------------

    def templates(self, o: dict) -> None:
        count = o["templates"]
        if not count:
            return
        kinds = [k for k, _label in KIND_CHOICES]
        t0 = self.w.next_id(DocumentTemplate)
        owned: list[tuple[int, int]] = []  # (template id, city id)
        rows = []
        for i in range(count):
            pk = t0 + i
            # One in ten belongs to a network's default library; the rest to cities.
            network = (
                self.network_ids[i % len(self.network_ids)]
                if self.network_ids and i % 10 == 0
                else None
            )
            city = None if network else self.city_ids[i % len(self.city_ids)]
            if city:
                owned.append((pk, city))
            rows.append(
                {
                    "id": pk,
                    "city_id": city,
                    "network_id": network,
                    "kind": kinds[i % len(kinds)],
                    "language": "es" if i % 4 else "en",
                    "name": f"Plantilla {i:04d}",
                    "description": "",
                    "shared_public": i % 7 == 0,
                    "adopted_from_id": None,
                    "created_by_id": None,
                }
            )
        self.w.write(DocumentTemplate, rows)
        self.w.write(
            TemplateVersion,
            (
                {
                    "template_id": row["id"],
                    "number": 1,
                    "source": "Resolución de {{ city.name }} sobre «{{ process.title }}».",
                    "note": "",
                    "status": "approved",
                    "approved_at": self.now,
                }
                for row in rows
            ),
        )
        self._grants(
            DocumentTemplateGroupObjectPermission, self.city_groups, TEMPLATE_PERMISSIONS, owned
        )
