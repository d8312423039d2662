"""A hot query's SQL built once per process, its rows turned into model instances as the ORM does.

Building a queryset's SQL costs more than running it when the query is short and the database
answers in a tenth of a millisecond: the API token read on every API call spent 0.8 ms in the
ORM for a query that runs in 0.28 ms (PostgreSQL on the same machine). ``compiled`` keeps what
Django's compiler produced for one queryset (its SQL, its columns' converters, how the row
splits into the model and its ``select_related`` objects) and runs it again with new parameter
values.

``KeptQueries`` keeps whole querysets' SQL the same way, each under a key that names everything
the queryset is built from (a user, their cities, a page): a list of a user's processes built its
permission-heavy SQL anew on every visit, a fifth of the page's time when no copy of the page was
kept.

The rows go through the database's own converters (SQLite's times come back aware, as through
the ORM) and the instances are built with ``Model.from_db``, the related ones attached as
``select_related`` attaches them. Only what the ORM itself would return is returned: a query
that the compiler cannot express once for every value (``__in`` lists of varying length) is
not for this.
"""

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from django.db import connections
from django.db.models import Model, QuerySet
from django.db.models.query import ModelIterable, get_related_populators

M = TypeVar("M", bound=Model)

# A value that stands for a parameter while the SQL is built once, found again among the
# compiled parameters by equality: a text for a text, a number no row's id takes for a number.
_PLACEHOLDER = "\x00opencpi-compiled-parameter-{}\x00"
_NUMBER_PLACEHOLDER = -(2**62)


def _placeholders(kinds: tuple[type, ...]) -> list:
    return [
        _NUMBER_PLACEHOLDER - i if kind is int else _PLACEHOLDER.format(i)
        for i, kind in enumerate(kinds)
    ]


def _fits(values: tuple, kinds: tuple[type, ...]) -> bool:
    """Whether each value is of its kind; ``False`` for a number no database integer holds."""
    for value, kind in zip(values, kinds, strict=True):
        if not isinstance(value, kind) or isinstance(value, bool):
            raise TypeError(f"expected {kind.__name__}, got {value!r}")
        if kind is int and not -(2**63) <= value < 2**63:
            return False
    return True


class CompiledQuery(Generic[M]):
    """``build(*placeholders)`` returns the queryset; calling the object with real values runs
    its SQL, built on the first call (for the database the queryset reads: a process talks to
    one)."""

    def __init__(self, build: Callable[..., QuerySet[M]], *, kinds: tuple[type, ...]):
        if any(kind not in (int, str) for kind in kinds):
            raise TypeError("parameters are texts (str) or whole numbers (int)")
        self._build = build
        self._kinds = kinds
        self._compiled: _Compiled | None = None

    def __call__(self, *values: str | int) -> list[M]:
        if len(values) != len(self._kinds):
            raise TypeError(f"expected {len(self._kinds)} values, got {len(values)}")
        if not _fits(values, self._kinds):
            return []  # a number beyond the database's integers is no row's id
        if self._compiled is None:
            placeholders = _placeholders(self._kinds)
            self._compiled = _Compiled(self._build(*placeholders), placeholders)
        return self._compiled.run(values)


class _Compiled:
    def __init__(self, queryset: QuerySet, placeholders: list):
        if queryset._iterable_class is not ModelIterable or queryset._prefetch_related_lookups:
            raise ValueError("only a queryset of model instances without prefetches compiles")
        self.alias = queryset.db
        compiler = queryset.query.get_compiler(using=self.alias)
        self.sql, params = compiler.as_sql()
        # Where each value goes among the parameters (a placeholder may be used twice).
        self.slots = [
            placeholders.index(param) if param in placeholders else None for param in params
        ]
        missing = set(range(len(placeholders))) - {slot for slot in self.slots if slot is not None}
        if missing:
            raise ValueError(f"parameters {sorted(missing)} do not reach the SQL as they are")
        self.fixed = list(params)
        self.compiler = compiler
        klass_info, select = compiler.klass_info, compiler.select
        fields = [column[0] for column in select[: compiler.col_count]]
        self.converters = compiler.get_converters(fields)
        self.model = klass_info["model"]
        first, last = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        self.model_slice = slice(first, last)
        self.init_list = [column[0].target.attname for column in select[first:last]]
        self.related = get_related_populators(klass_info, select, self.alias)
        self.annotations = list(compiler.annotation_col_map.items())

    def run(self, values: tuple) -> list:
        params = [
            self.fixed[i] if slot is None else values[slot] for i, slot in enumerate(self.slots)
        ]
        with connections[self.alias].cursor() as cursor:
            cursor.execute(self.sql, params)
            rows = cursor.fetchall()
        if self.converters:
            rows = list(self.compiler.apply_converters(rows, self.converters))
        instances = []
        for row in rows:
            instance = self.model.from_db(self.alias, self.init_list, row[self.model_slice])
            for populator in self.related:
                populator.populate(row, instance)
            for name, position in self.annotations:
                setattr(instance, name, row[position])
            instances.append(instance)
        return instances


def compiled(
    build: Callable[..., QuerySet[M]], *, kinds: tuple[type, ...] = (str,)
) -> CompiledQuery[M]:
    """The queryset ``build`` returns for placeholder values, compiled once per process: one
    parameter per entry of ``kinds``, a text (``str``) or a whole number (``int``: an id)."""
    return CompiledQuery(build, kinds=kinds)


class KeptQueries:
    """Querysets' SQL compiled once per process and key, the ``size`` most recently used kept.

    ``rows(key, build)`` runs the SQL kept under ``key``, or builds the queryset with ``build()``
    and compiles it first. The key must name everything the queryset is built from: a value the
    SQL carries that the key leaves out (the current time, a search, the time zone a date
    lookup converts in) would be read again as it was when first built. Permission ids are
    among the SQL's values: a migration or a flush, which may change them, empties every
    instance (``forget``, connected to ``post_migrate``)."""

    instances: "list[KeptQueries]" = []

    def __init__(self, *, size: int = 256) -> None:
        self._size = size
        self._entries: OrderedDict[Hashable, _Compiled] = OrderedDict()
        self._lock = threading.Lock()
        KeptQueries.instances.append(self)

    def rows(
        self,
        key: Hashable,
        build: Callable[..., QuerySet[M]],
        values: tuple = (),
        kinds: tuple[type, ...] = (),
    ) -> list[M]:
        """The rows of ``build(*values)``, by the SQL kept under ``key``. ``kinds`` (as for
        ``compiled``) makes ``values`` parameters of the SQL rather than part of it: they need
        not be in the key (a process's id, read by each user with their own SQL)."""
        if len(values) != len(kinds):
            raise TypeError("one kind for each value")
        if not _fits(values, kinds):
            return []  # a number beyond the database's integers is no row's id
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
        if entry is None:
            placeholders = _placeholders(kinds)
            entry = _Compiled(build(*placeholders), placeholders)
            with self._lock:
                self._entries[key] = entry
                while len(self._entries) > self._size:
                    self._entries.popitem(last=False)
        return entry.run(values)

    @classmethod
    def forget(cls, **_kwargs) -> None:
        """``post_migrate``'s receiver: the kept SQL may carry permission ids a flush changed."""
        for instance in cls.instances:
            with instance._lock:
                instance._entries.clear()
