"""The template language: a Jinja2 sandbox over a plain-data context.

Legal teams write templates; they are not trusted with the server. So:

* templates run in ``ImmutableSandboxedEnvironment`` (no ``_``-attributes, no mutation of
  lists and dicts) with ``StrictUndefined`` (a missing field is an error, never an empty hole);
* only a short list of filters and tests exists, and no global but a capped ``range``;
* ``*`` and ``**`` are intercepted so ``"x" * 10**9`` or ``9**9**9`` cannot exhaust memory;
* rendering stops past a time budget and an output budget;
* at save time, ``template_check`` parses the source and walks its syntax tree against the
  kind's schema, so an unknown field is reported with its line before anyone generates a thing.
"""

import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from jinja2 import StrictUndefined, TemplateSyntaxError, nodes
from jinja2.exceptions import SecurityError, TemplateError, UndefinedError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from documents.context import SCHEMA, Field

MAX_SOURCE_CHARS = 200_000
MAX_OUTPUT_CHARS = 400_000
MAX_SECONDS = 2.0
MAX_RANGE = 1000
MAX_POWER_RESULT = 10**12
MAX_SEQUENCE = 100_000

SAFE_FILTERS = [
    "abs",
    "capitalize",
    "default",
    "d",
    "first",
    "float",
    "int",
    "join",
    "last",
    "length",
    "count",
    "list",
    "lower",
    "max",
    "min",
    "replace",
    "reverse",
    "round",
    "sort",
    "string",
    "sum",
    "title",
    "trim",
    "truncate",
    "unique",
    "upper",
    "wordcount",
]
SAFE_TESTS = [
    "boolean",
    "defined",
    "divisibleby",
    "eq",
    "equalto",
    "even",
    "false",
    "ge",
    "gt",
    "in",
    "integer",
    "iterable",
    "le",
    "lower",
    "lt",
    "mapping",
    "ne",
    "none",
    "number",
    "odd",
    "sequence",
    "string",
    "true",
    "undefined",
    "upper",
]
FORBIDDEN_NODES = (
    nodes.Extends,
    nodes.Include,
    nodes.Import,
    nodes.FromImport,
    nodes.Block,
    nodes.Macro,
    nodes.CallBlock,
    nodes.FilterBlock,
    nodes.With,
    nodes.ScopedEvalContextModifier,
)


class TemplateProblem(Exception):
    """A template failed to check or render; ``errors`` are (line, message) pairs."""

    def __init__(self, errors: list[tuple[int | None, str]]):
        super().__init__("; ".join(message for _line, message in errors))
        self.errors = errors

    @property
    def message(self) -> str:
        return "; ".join(
            (_("line %(line)s: %(message)s") % {"line": line, "message": message})
            if line
            else message
            for line, message in self.errors
        )


class _Budget:
    """A deadline shared by everything one render calls."""

    def __init__(self, seconds: float):
        self.deadline = time.monotonic() + seconds

    def check(self) -> None:
        if time.monotonic() > self.deadline:
            raise TemplateProblem(
                [
                    (
                        None,
                        _("The template took too long to render (limit %(s)s s).")
                        % {"s": MAX_SECONDS},
                    )
                ]
            )


class DocumentEnvironment(ImmutableSandboxedEnvironment):
    """The sandbox with a time budget checked on every call, attribute and loop step."""

    intercepted_binops = frozenset({"*", "**"})

    def __init__(self) -> None:
        super().__init__(
            undefined=StrictUndefined,
            autoescape=False,
            keep_trailing_newline=True,
            trim_blocks=True,
            lstrip_blocks=True,
            auto_reload=False,
            cache_size=0,
        )
        self.filters = {name: self.filters[name] for name in SAFE_FILTERS}
        self.tests = {name: self.tests[name] for name in SAFE_TESTS}
        self.globals = {"range": self._range}
        self.budget: _Budget | None = None

    def _tick(self) -> None:
        if self.budget is not None:
            self.budget.check()

    def _range(self, *args: int) -> Iterator[int]:
        values = range(*args)
        if len(values) > MAX_RANGE:
            raise TemplateProblem(
                [(None, _("range() is limited to %(n)s items.") % {"n": MAX_RANGE})]
            )
        for value in values:
            self._tick()
            yield value

    def call(self, __context, __obj, *args, **kwargs):  # type: ignore[override]
        self._tick()
        return super().call(__context, __obj, *args, **kwargs)

    def getattr(self, obj, attribute):
        self._tick()
        return super().getattr(obj, attribute)

    def getitem(self, obj, argument):
        self._tick()
        return super().getitem(obj, argument)

    def call_binop(self, context, operator, left, right):
        self._tick()
        too_large = TemplateProblem([(None, _("The number is too large."))])
        if operator == "**":
            numbers = isinstance(left, int | float) and isinstance(right, int | float)
            # Refuse before computing: 9**9**9 alone would keep the worker busy for minutes.
            if numbers and (
                abs(right) > 64 or (abs(left) > 1 and abs(right) * len(str(int(abs(left)))) > 12)
            ):
                raise too_large
            result = left**right
            if isinstance(result, int | float) and abs(result) > MAX_POWER_RESULT:
                raise too_large
            return result
        for sequence, times in ((left, right), (right, left)):
            sized = isinstance(sequence, str | list | tuple) and isinstance(times, int)
            if sized and len(sequence) * max(times, 0) > MAX_SEQUENCE:
                raise TemplateProblem([(None, _("The text or list would be too long."))])
        return left * right


def _environment() -> DocumentEnvironment:
    return DocumentEnvironment()


# --- save-time check ------------------------------------------------------------------------


@dataclass
class _Scope:
    names: dict[str, Field | None]  # None: a value of unknown shape (a number, a loop helper)


LOOP = Field(
    "object",
    "",
    {
        name: Field("number", "")
        for name in ("index", "index0", "revindex", "revindex0", "length", "depth", "depth0")
    }
    | {name: Field("bool", "") for name in ("first", "last")}
    | {name: Field("text", "") for name in ("previtem", "nextitem")},
)


class _Checker:
    def __init__(self, kind: str):
        self.schema = SCHEMA[kind]
        self.errors: list[tuple[int | None, str]] = []

    def error(self, node: nodes.Node, message: str) -> None:
        self.errors.append((getattr(node, "lineno", None), message))

    # The shape of an expression, when it names a field; None when it is a plain value.
    def shape(self, node: nodes.Node, scope: dict[str, Field | None]) -> Field | None:
        if isinstance(node, nodes.Name):
            if node.name in scope:
                return scope[node.name]
            if node.name in self.schema:
                return self.schema[node.name]
            if node.name == "range":
                return None
            self.error(
                node,
                _("Unknown field “%(name)s”. Known: %(known)s.")
                % {"name": node.name, "known": ", ".join(sorted(self.schema))},
            )
            return None
        if isinstance(node, nodes.Getattr | nodes.Getitem):
            if isinstance(node, nodes.Getattr):
                key = node.attr
            elif isinstance(node.arg, nodes.Const) and isinstance(node.arg.value, str):
                key = node.arg.value
            else:
                self.visit(node.arg, scope)
                base = self.shape(node.node, scope)
                if base is not None and base.type == "list":
                    return Field("object", "", base.fields) if base.fields else None
                return None
            if key.startswith("_"):
                self.error(
                    node, _("Names starting with “_” are not allowed: “%(name)s”.") % {"name": key}
                )
                return None
            base = self.shape(node.node, scope)
            if base is None:
                return None
            if base.type == "object" and key in base.fields:
                return base.fields[key]
            path = _dotted(node)
            if base.type == "object":
                known = ", ".join(sorted(base.fields))
                self.error(
                    node,
                    _("Unknown field “%(path)s”. Known here: %(known)s.")
                    % {"path": path, "known": known},
                )
            else:
                self.error(
                    node,
                    _("“%(path)s”: a %(type)s has no fields.") % {"path": path, "type": base.type},
                )
            return None
        self.visit(node, scope)
        return None

    def visit(self, node: nodes.Node, scope: dict[str, Field | None]) -> None:
        if isinstance(node, FORBIDDEN_NODES):
            self.error(
                node,
                _("“%(tag)s” is not available in document templates.")
                % {"tag": type(node).__name__.lower()},
            )
            return
        if isinstance(node, nodes.Name | nodes.Getattr | nodes.Getitem):
            self.shape(node, scope)
            return
        if isinstance(node, nodes.Filter | nodes.Test):
            known = SAFE_FILTERS if isinstance(node, nodes.Filter) else SAFE_TESTS
            if node.name not in known:
                what = _("filter") if isinstance(node, nodes.Filter) else _("test")
                self.error(
                    node,
                    _("Unknown %(what)s “%(name)s”. Available: %(known)s.")
                    % {"what": what, "name": node.name, "known": ", ".join(known)},
                )
        if isinstance(node, nodes.Call) and not (
            isinstance(node.node, nodes.Name) and node.node.name == "range"
        ):
            self.error(node, _("Only range() may be called in a document template."))
        if isinstance(node, nodes.For):
            self.visit(node.iter, scope)
            item = self.shape(node.iter, scope)
            inner = dict(scope)
            inner["loop"] = LOOP
            element = (
                Field("object", "", item.fields)
                if item is not None and item.type == "list" and item.fields
                else None
            )
            for target in (
                node.target.find_all(nodes.Name)
                if not isinstance(node.target, nodes.Name)
                else [node.target]
            ):
                inner[target.name] = element if isinstance(node.target, nodes.Name) else None
            if node.test is not None:
                self.visit(node.test, inner)
            for child in node.body:
                self.visit(child, inner)
            for child in node.else_:
                self.visit(child, scope)
            return
        if isinstance(node, nodes.Assign):
            self.visit(node.node, scope)
            shape = (
                self.shape(node.node, scope)
                if isinstance(node.node, nodes.Name | nodes.Getattr)
                else None
            )
            for target in (
                node.target.find_all(nodes.Name)
                if not isinstance(node.target, nodes.Name)
                else [node.target]
            ):
                scope[target.name] = shape
            return
        if isinstance(node, nodes.AssignBlock):
            for child in node.body:
                self.visit(child, scope)
            scope[node.target.name] = None  # type: ignore[attr-defined]
            return
        for child in node.iter_child_nodes():
            self.visit(child, scope)


def _dotted(node: nodes.Node) -> str:
    if isinstance(node, nodes.Name):
        return node.name
    if isinstance(node, nodes.Getattr):
        return f"{_dotted(node.node)}.{node.attr}"
    if isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
        return f"{_dotted(node.node)}.{node.arg.value}"
    return "…"


def template_check(*, source: str, kind: str) -> list[tuple[int | None, str]]:
    """Problems of a template source for ``kind`` as (line, message); empty when it is sound."""
    if len(source) > MAX_SOURCE_CHARS:
        return [
            (None, _("The template is longer than %(n)s characters.") % {"n": MAX_SOURCE_CHARS})
        ]
    environment = _environment()
    try:
        tree = environment.parse(source)
    except TemplateSyntaxError as error:
        return [(error.lineno, error.message or str(error))]
    checker = _Checker(kind)
    scope: dict[str, Field | None] = {}
    for child in tree.body:
        checker.visit(child, scope)
    seen = set()
    unique = []
    for problem in checker.errors:
        if problem not in seen:
            seen.add(problem)
            unique.append(problem)
    return unique


# --- rendering ------------------------------------------------------------------------------


def _line_of(error: BaseException, source: str) -> int | None:
    tb = error.__traceback__
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def template_render_text(
    *,
    source: str,
    context: dict[str, Any],
    max_seconds: float = MAX_SECONDS,
    max_chars: int = MAX_OUTPUT_CHARS,
) -> str:
    """Render ``source`` over ``context`` inside the sandbox and its budgets.

    Raises ``TemplateProblem`` with a message a legal team can act on; never anything else.
    """
    environment = _environment()
    environment.budget = _Budget(max_seconds)
    try:
        template = environment.from_string(source)
        chunks: list[str] = []
        size = 0
        for chunk in template.generate(**context):
            size += len(chunk)
            if size > max_chars:
                raise TemplateProblem(
                    [
                        (
                            None,
                            _("The document would be longer than %(n)s characters.")
                            % {"n": max_chars},
                        )
                    ]
                )
            chunks.append(chunk)
            environment.budget.check()
        return "".join(chunks)
    except TemplateProblem as problem:
        line = _line_of(problem, source)
        if line and problem.errors and problem.errors[0][0] is None:
            problem.errors = [(line, problem.errors[0][1]), *problem.errors[1:]]
        raise
    except TemplateSyntaxError as error:
        raise TemplateProblem([(error.lineno, error.message or str(error))]) from error
    except SecurityError as error:
        raise TemplateProblem(
            [(_line_of(error, source), _("Not allowed: %(why)s") % {"why": error})]
        ) from error
    except UndefinedError as error:
        raise TemplateProblem(
            [(_line_of(error, source), _("Unknown field: %(why)s") % {"why": error})]
        ) from error
    except TemplateError as error:
        raise TemplateProblem([(_line_of(error, source), str(error))]) from error
    except RecursionError as error:
        raise TemplateProblem([(None, _("The template nests too deeply."))]) from error
    except (MemoryError, OverflowError) as error:
        raise TemplateProblem([(None, _("The template asks for too much memory."))]) from error
    except (
        TypeError,
        ValueError,
        ZeroDivisionError,
        AttributeError,
        KeyError,
        IndexError,
    ) as error:
        raise TemplateProblem(
            [(_line_of(error, source), _("The template failed: %(why)s") % {"why": error})]
        ) from error
