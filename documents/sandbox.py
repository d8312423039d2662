"""The template language: a Jinja2 sandbox over a plain-data context.

Legal teams write templates; they are not trusted with the server. So:

* templates run in ``ImmutableSandboxedEnvironment`` (no ``_``-attributes, no mutation of
  lists and dicts) with ``StrictUndefined`` (a missing field is an error, never an empty hole);
* only a short list of filters and tests exists, and no global but a capped ``range``;
* no expression may build a value past the output budget: ``*``, ``+``, ``%`` (format widths
  and precisions), ``~``, a ``{% set %}`` block, the filters that can lengthen text (``replace``,
  ``join``, ``string``, ``sum``, ``truncate``) and the printing of a value all count the
  characters they would make *before* making them, and everything built in one render counts
  toward ``BUILD_FACTOR`` times that budget, so a template cannot allocate its way out of memory;
* ``**`` and ``*`` on numbers are bounded so ``9**9**9`` cannot keep a worker busy;
* rendering stops past a time budget and an output budget;
* at save time, ``template_check`` parses the source and walks its syntax tree against the
  kind's schema, so an unknown field is reported with its line before anyone generates a thing.
"""

import functools
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from jinja2 import StrictUndefined, TemplateSyntaxError, nodes
from jinja2.compiler import CodeGenerator, Frame
from jinja2.exceptions import SecurityError, TemplateError, UndefinedError
from jinja2.filters import make_attrgetter
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.utils import _PassArg

from documents.context import SCHEMA, Field

MAX_SOURCE_CHARS = 200_000
MAX_OUTPUT_CHARS = 400_000
MAX_SECONDS = 2.0
MAX_RANGE = 1000
MAX_POWER_RESULT = 10**12
MAX_SEQUENCE = 100_000
# Everything one render builds (texts made by ``~``, ``+``, ``*``, ``%``, filters and set blocks)
# may add up to this many times the output budget; any single value stays within the budget.
BUILD_FACTOR = 4
# Widths and precisions of ``%`` formats: a page is 100 characters wide, a number has few digits.
MAX_FORMAT_WIDTH = 200
# Integers made by ``*`` stay below 2**256: no legal text needs more, and multiplying two huge
# integers takes time and memory that grow with their size.
MAX_NUMBER_BITS = 256

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


def _too_long(limit: int) -> TemplateProblem:
    return TemplateProblem(
        [(None, _("The text or list would be too long (limit %(n)s characters).") % {"n": limit})]
    )


def _too_large() -> TemplateProblem:
    return TemplateProblem([(None, _("The number is too large."))])


class _Budget:
    """The time and size budgets shared by everything one render calls.

    ``charge`` is called with the size of a value *before* it is built: a value longer than the
    output budget is refused, and so is a render whose values add up to more than
    ``BUILD_FACTOR`` times it (a loop building many values each within the budget)."""

    def __init__(self, seconds: float, chars: int = MAX_OUTPUT_CHARS):
        self.deadline = time.monotonic() + seconds
        self.chars = chars
        self.built = 0

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

    def charge(self, size: int) -> None:
        self.check()
        if size > self.chars:
            raise _too_long(self.chars)
        self.built += size
        if self.built > BUILD_FACTOR * self.chars:
            raise _too_long(self.chars)


# --- sizes, counted without building ---------------------------------------------------------


def _repr_size(text: str) -> int:
    """The length of ``repr(text)``, or an upper bound of it for long texts (an escape takes at
    most ten characters), so a long text is never copied to be measured."""
    if len(text) <= 10_000:
        return len(repr(text))
    if text.isprintable():
        return len(text) + 2 + text.count("\\") + text.count("'")
    return 10 * len(text) + 2


def _size(value: Any, limit: int, *, quoted: bool = False) -> int:
    """The length of ``str(value)`` (``repr`` when ``quoted``), counted without building it.

    Counting stops once it passes ``limit`` (the result is then some number above it), so
    measuring a list of a million references costs no more than the budget it is checked against.
    """
    if isinstance(value, str):
        return _repr_size(value) if quoted else len(value)
    if isinstance(value, list | tuple | dict):
        items = value.items() if isinstance(value, dict) else value
        total = 2 + (1 if isinstance(value, tuple) and len(value) == 1 else 0)
        for index, item in enumerate(items):
            if index:
                total += 2
            if isinstance(value, dict):
                key, item = item  # a mapping's pair
                total += _size(key, limit - total, quoted=True) + 2
            total += _size(item, limit - total, quoted=True)
            if total > limit:
                return total
        return total
    if isinstance(value, int) and value.bit_length() > 4 * MAX_NUMBER_BITS:
        # Python itself refuses to print integers past 4,300 digits; count them instead.
        return value.bit_length() // 3 + 2
    # Numbers, dates, booleans, None, the sandbox's own small objects: short by nature.
    return len(repr(value) if quoted else str(value))


_FORMAT_SPEC = re.compile(
    r"%(?:\((?P<key>[^)]*)\))?(?P<flags>[-#0 +]*)(?P<width>\*|\d+)?(?:\.(?P<precision>\*|\d*))?"
    r"[hlL]?(?P<type>.)",
    re.DOTALL,
)


def _format_specs(text: str) -> list[re.Match]:
    return list(_FORMAT_SPEC.finditer(text))


def _format_size(template: str, arguments: Any, limit: int) -> int:
    """An upper bound of ``len(template % arguments)``, counted without formatting.

    A width or precision above ``MAX_FORMAT_WIDTH`` is refused outright."""
    specs = _format_specs(template)
    positional = list(arguments) if isinstance(arguments, tuple) else [arguments]
    mapping = arguments if isinstance(arguments, dict) else None
    total = len(template) - sum(len(spec.group(0)) for spec in specs)
    for spec in specs:
        kind = spec.group("type")
        if kind == "%":
            total += 1
            continue
        numbers = []
        for part in ("width", "precision"):
            given = spec.group(part)
            if given == "*":
                given = positional.pop(0) if positional else 0
            number = int(given) if isinstance(given, int | str) and str(given).isdigit() else 0
            if abs(number) > MAX_FORMAT_WIDTH:
                raise _format_too_wide(MAX_FORMAT_WIDTH)
            numbers.append(abs(number))
        width, precision = numbers
        if spec.group("key") is not None and mapping is not None:
            value = mapping.get(spec.group("key"), "")
        else:
            value = positional.pop(0) if positional else ""
        if kind in "sra":
            size = _size(value, limit, quoted=kind != "s")
            if spec.group("precision") is not None:
                size = min(size, precision)
        elif kind in "diuoxXeEfFgG":
            # Digits of the integer part (a float's is at most 309) and of the precision.
            whole = (
                _size(int(value), limit)
                if isinstance(value, int | float) and abs(value) < float("inf")
                else 10
            )
            size = whole + precision + 10
        else:
            size = 1
        total += max(width, size)
        if total > limit:
            return total
    return total


def _format_too_wide(limit: int) -> TemplateProblem:
    return TemplateProblem(
        [(None, _("A format width or precision is limited to %(n)s.") % {"n": limit})]
    )


class _CodeGenerator(CodeGenerator):
    """Jinja's compiler, with ``~`` measured by the environment before it joins anything."""

    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        # No constant folding here on purpose: the environment measures at render time.
        self.write("environment.concat_bounded((")
        for argument in node.nodes:
            self.visit(argument, frame)
            self.write(", ")
        self.write("))")


class DocumentEnvironment(ImmutableSandboxedEnvironment):
    """The sandbox with a time budget checked on every call, attribute and loop step, and a
    size budget checked before every value that could grow is built."""

    intercepted_binops = frozenset({"*", "**", "+", "%"})
    code_generator_class = _CodeGenerator

    def __init__(self) -> None:
        super().__init__(
            undefined=StrictUndefined,
            autoescape=False,
            keep_trailing_newline=True,
            trim_blocks=True,
            lstrip_blocks=True,
            auto_reload=False,
            cache_size=0,
            finalize=self._finalize,
        )
        self.filters = {
            name: self._bounded_filter(name, self.filters[name]) for name in SAFE_FILTERS
        }
        self.tests = {name: self.tests[name] for name in SAFE_TESTS}
        self.globals = {"range": self._range}
        self.budget: _Budget | None = None
        # The compiled template joins ``{% set %}`` blocks with ``environment.concat``.
        self.concat = self._concat  # type: ignore[assignment]

    def _tick(self) -> None:
        if self.budget is not None:
            self.budget.check()

    def _charge(self, size: int) -> None:
        if self.budget is not None:
            self.budget.charge(size)

    def _limit(self) -> int:
        return self.budget.chars if self.budget is not None else MAX_OUTPUT_CHARS

    def _text(self, value: Any) -> str:
        """``str(value)``, measured first."""
        if isinstance(value, str):
            return value
        self._charge(_size(value, self._limit()))
        return str(value)

    def _finalize(self, value: Any) -> Any:
        """Every ``{{ … }}`` prints through here: a list or mapping is measured before it is
        turned into text (a list of a thousand references to one long text is short in memory
        and enormous printed)."""
        if isinstance(value, str):
            return value
        if self.budget is not None and _size(value, self._limit()) > self._limit():
            raise _too_long(self._limit())
        return value

    def _concat(self, pieces: Any) -> str:
        pieces = list(pieces)
        self._charge(sum(len(piece) for piece in pieces))
        return "".join(pieces)

    def concat_bounded(self, values: tuple[Any, ...]) -> str:
        """``a ~ b ~ c``: each part measured, then the total, before anything is joined."""
        limit = self._limit()
        total = 0
        for value in values:
            total += _size(value, limit - total)
            if total > limit:
                break
        self._charge(total)
        return "".join(str(value) for value in values)

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
        # Only range() may be called, as the save-time check says: str.format and the
        # recursive loop's loop() would otherwise build text outside every budget.
        if getattr(__obj, "__func__", None) is not DocumentEnvironment._range:
            raise SecurityError(_("only range() may be called"))
        return super().call(__context, __obj, *args, **kwargs)

    def getattr(self, obj, attribute):
        self._tick()
        return super().getattr(obj, attribute)

    def getitem(self, obj, argument):
        self._tick()
        return super().getitem(obj, argument)

    def call_binop(self, context, operator, left, right):
        self._tick()
        if operator == "**":
            numbers = isinstance(left, int | float) and isinstance(right, int | float)
            # Refuse before computing: 9**9**9 alone would keep the worker busy for minutes.
            if numbers and (
                abs(right) > 64 or (abs(left) > 1 and abs(right) * len(str(int(abs(left)))) > 12)
            ):
                raise _too_large()
            result = left**right
            if isinstance(result, int | float) and abs(result) > MAX_POWER_RESULT:
                raise _too_large()
            return result
        if operator == "%":
            if isinstance(left, str):
                self._charge(_format_size(left, right, self._limit()))
            return left % right
        if operator == "+":
            self._measure_sum(left, right)
            return left + right
        for sequence, times in ((left, right), (right, left)):
            if isinstance(sequence, str | list | tuple) and isinstance(times, int):
                count = len(sequence) * max(times, 0)
                if isinstance(sequence, str):
                    self._charge(count)
                elif count > MAX_SEQUENCE:
                    raise _too_long(MAX_SEQUENCE)
        if (
            isinstance(left, int)
            and isinstance(right, int)
            and left.bit_length() + right.bit_length() > MAX_NUMBER_BITS
        ):
            raise _too_large()
        return left * right

    def _measure_sum(self, left: Any, right: Any) -> None:
        if isinstance(left, str) and isinstance(right, str):
            self._charge(len(left) + len(right))
        elif (
            isinstance(left, list | tuple)
            and isinstance(right, list | tuple)
            and len(left) + len(right) > MAX_SEQUENCE
        ):
            raise _too_long(MAX_SEQUENCE)

    # --- filters: measured before they run when they can lengthen text, checked after -------

    def _bounded_filter(self, name: str, function: Callable) -> Callable:
        before = getattr(self, f"_before_{name}", None)
        passes_argument = _PassArg.from_obj(function) is not None

        first = 1 if passes_argument else 0  # where the filtered value is among the arguments

        @functools.wraps(function)
        def bounded(*args: Any, **kwargs: Any) -> Any:
            self._tick()
            if before is not None:
                # A check that reads a one-shot iterable (range) hands back what it read.
                value = before(*args[first:], **kwargs)
                if value is not None:
                    args = (*args[:first], value, *args[first + 1 :])
            result = function(*args, **kwargs)
            if isinstance(result, str) and before is None:
                # Filters such as upper or title make at most a few characters per character:
                # the input was within the budget, so the copy is too; it still counts.
                self._charge(len(result))
            elif isinstance(result, list | tuple) and len(result) > MAX_SEQUENCE:
                raise _too_long(MAX_SEQUENCE)
            return result

        return bounded

    def _before_replace(self, value: Any, old: Any, new: Any, count: int | None = None) -> None:
        text, old, new = self._text(value), str(old), str(new)
        found = text.count(old) if old else len(text) + 1
        if count is not None and count >= 0:
            found = min(found, count)
        self._charge(len(text) + found * max(len(new) - len(old), 0))

    def _before_join(self, value: Any, d: Any = "", attribute: Any = None) -> list:
        limit = self._limit()
        value = items = list(value)
        if attribute is not None:
            items = list(map(make_attrgetter(self, attribute), items))
        total = max(len(items) - 1, 0) * _size(d, limit)
        for item in items:
            total += _size(item, limit - total)
            if total > limit:
                break
        self._charge(total)
        return value

    def _before_string(self, value: Any) -> None:
        self._charge(_size(value, self._limit()))

    def _before_truncate(
        self,
        value: Any,
        length: int = 255,
        killwords: bool = False,
        end: Any = "...",
        leeway: int | None = None,
    ) -> None:
        self._charge(min(_size(value, self._limit()), max(length, 0)) + _size(end, self._limit()))

    def _before_sum(self, value: Any, attribute: Any = None, start: Any = 0) -> list:
        value = items = list(value)
        if attribute is not None:
            items = list(map(make_attrgetter(self, attribute), items))
        if isinstance(start, list | tuple) or any(isinstance(i, list | tuple) for i in items):
            total = len(start) if isinstance(start, list | tuple) else 0
            total += sum(len(item) for item in items if isinstance(item, list | tuple))
            if total > MAX_SEQUENCE:
                raise _too_long(MAX_SEQUENCE)
        return value


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
                    _("“%(path)s”: a %(type)s has no fields.")
                    % {"path": path, "type": base.type_display},
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
        if isinstance(node, nodes.Mod | nodes.Mul):
            self.check_size(node)
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

    def check_size(self, node: nodes.Mod | nodes.Mul) -> None:
        """Sizes visible in the source: a format's literal width, a literal text repeated."""
        left, right = node.left, node.right
        if isinstance(node, nodes.Mod):
            if isinstance(left, nodes.Const) and isinstance(left.value, str):
                for spec in _format_specs(left.value):
                    for part in ("width", "precision"):
                        given = spec.group(part) or ""
                        if given.isdigit() and int(given) > MAX_FORMAT_WIDTH:
                            self.error(node, _format_too_wide(MAX_FORMAT_WIDTH).errors[0][1])
            return
        for text, times in ((left, right), (right, left)):
            if (
                isinstance(text, nodes.Const)
                and isinstance(text.value, str)
                and isinstance(times, nodes.Const)
                and isinstance(times.value, int)
                and len(text.value) * times.value > MAX_OUTPUT_CHARS
            ):
                self.error(node, _too_long(MAX_OUTPUT_CHARS).errors[0][1])


def _dotted(node: nodes.Node) -> str:
    if isinstance(node, nodes.Name):
        return node.name
    if isinstance(node, nodes.Getattr):
        return f"{_dotted(node.node)}.{node.attr}"
    if isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
        return f"{_dotted(node.node)}.{node.arg.value}"
    return "…"


# Jinja's syntax errors are English sentences; a legal team reads them in its own language.
_BLOCK_NOT_CLOSED = re.compile(r"The innermost block that needs to be closed is '(?P<tag>\w+)'")
_UNKNOWN_TAG = re.compile(r"^Encountered unknown tag '(?P<tag>[^']+)'")
_UNEXPECTED_END = re.compile(r"^unexpected end of template", re.I)
_NO_FILTER_OR_TEST = re.compile(r"^No (?P<what>filter|test) named '(?P<name>[^']+)'")
_UNEXPECTED = re.compile(r"^unexpected (?:char )?(?P<what>'[^']*'|\"[^\"]*\")")


def _syntax_message(error: TemplateSyntaxError) -> str:
    """Jinja's message for a syntax error, said in the active language."""
    message = error.message or str(error)
    unclosed = _BLOCK_NOT_CLOSED.search(message)
    unknown = _UNKNOWN_TAG.search(message)
    if unknown and unclosed:
        return _("“%(tag)s” does not close the open “%(open)s” block.") % {
            "tag": unknown["tag"],
            "open": unclosed["tag"],
        }
    if unclosed:
        return _("The “%(open)s” block is never closed (its “end%(open)s” is missing).") % {
            "open": unclosed["tag"]
        }
    if unknown:
        return _("Unknown tag “%(tag)s”.") % {"tag": unknown["tag"]}
    missing = _NO_FILTER_OR_TEST.search(message)
    if missing and missing["what"] == "filter":
        return _("Unknown filter “%(name)s”.") % {"name": missing["name"]}
    if missing:
        return _("Unknown test “%(name)s”.") % {"name": missing["name"]}
    if _UNEXPECTED_END.search(message):
        return _("The template ends before a field or a tag is closed.")
    unexpected = _UNEXPECTED.search(message)
    if unexpected:
        return _("Unexpected “%(what)s”.") % {"what": unexpected["what"][1:-1]}
    return _("The syntax is not valid here: a field, filter or tag is misspelt or unclosed.")


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
        return [(error.lineno, _syntax_message(error))]
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
    environment.budget = _Budget(max_seconds, max_chars)
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
        raise TemplateProblem([(error.lineno, _syntax_message(error))]) from error
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
