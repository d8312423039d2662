"""No module outside ``tenders/procedures/`` names a process state or transition in a literal.

Code asks a state what it allows (``is_editable(tender, Edit.LOTS)``, ``state.deadlines``,
``state.ocds_status``), asks a transition what it marks (``steps_marking(Milestone.AWARD)``),
or, where it must name one (firing a step, filtering by one state), uses ``S``/``T`` from
``tenders.procedures.names``. The checker below parses every module of ``procurement/``,
``workflows/``, ``tenders/`` (but ``tenders/procedures/`` and migrations), ``documents/`` and
``publication/`` and reports string literals that are process state or transition names used
as such.

Some names are also ordinary words or other things of the project: "published", "closed" and
"award" are English; "awarded" and "documents_requested" are statuses of an award row;
"consultation_closed" is an effect; "rd_phase" a field. So the rule has two halves:

- A *distinct* name, one with an underscore that is nothing else in the project (no effect,
  data item, stage, procedure, role, model field or choice of another model bears it), can only
  mean the state or the transition: it is flagged wherever it appears, except as a dict key
  or a subscript among other keys (those name data fields: ``row["rank"]``) and in docstrings.
- An *ambiguous* name is flagged only where it is used as a state or a step: compared (``==``,
  ``!=``, ``in``, ``not in``, alone or in a literal tuple, list or set) with something called
  ``status``, ``state``, ``to_state``, ``from_state`` or ``name``; given to a keyword argument
  of that kind (``status=``, ``tender__status__in=``, ``to_state=``…); given to a call that
  fires a step (its name mentions ``transition`` or ``fire``); as a key of a dict literal
  whose keys are all process names; or in a literal collection of two or more strings that
  are all process names. A word that is also the status of another model (``"awarded"``) is
  flagged against a status only when the expression is evidently a process (it mentions
  ``tender`` or ``process``), so that ``award.status == "awarded"`` is left to that model's
  own rules.

Tests are not covered: they may spell names out to pin what the definitions say.
"""

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.apps import apps

from tenders.procedures import PROCEDURE_CHOICES, STAGES, STATES, TRANSITIONS, S, T
from tenders.procedures.base import COMMITTEE, LEGAL, OFFICER

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("procurement", "workflows", "tenders", "documents", "publication")
EXCLUDED = (ROOT / "tenders" / "procedures",)
PROJECT_APPS = {"accounts", "core", "tenders", "workflows", "documents", "publication"}
STATE_WORDS = {"status", "state", "to_state", "from_state", "name"}
COMPARISONS = (ast.Eq, ast.NotEq, ast.In, ast.NotIn)
FIRING = ("transition", "fire")  # calls that fire a step: transition_perform, a demo's _fire


@dataclass(frozen=True)
class Vocabulary:
    names: frozenset[str]
    distinct: frozenset[str]
    other_statuses: frozenset[str]


def vocabulary() -> Vocabulary:
    """Process names, and which of them mean something else in the project too."""
    names = {s.name for s in STATES} | {t.name for t in TRANSITIONS}
    other: set[str] = {code for code, _label in STAGES} | {c for c, _l in PROCEDURE_CHOICES}
    other |= {OFFICER, LEGAL, COMMITTEE}
    for t in TRANSITIONS:
        other |= set(t.effects) | {f.name for f in t.data}
    statuses: set[str] = set()
    for model in apps.get_models():
        if model._meta.app_label not in PROJECT_APPS:
            continue
        for f in model._meta.get_fields():
            other |= {f.name, getattr(f, "attname", f.name)}
            process_state = f.name == "status" and getattr(model, "machine", None) is not None
            if not getattr(f, "choices", None) or process_state:
                continue
            values = {v for v, _label in f.flatchoices if isinstance(v, str)}
            other |= values
            statuses |= values
    ambiguous = {n for n in names if "_" not in n or n in other}
    return Vocabulary(frozenset(names), frozenset(names - ambiguous), frozenset(statuses & names))


def _last_word(node: ast.AST) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _mentions_process(node: ast.AST) -> bool:
    words = [n.id for n in ast.walk(node) if isinstance(n, ast.Name)]
    words += [n.attr for n in ast.walk(node) if isinstance(n, ast.Attribute)]
    return any("tender" in w.lower() or "process" in w.lower() for w in words)


def _strings(node: ast.AST) -> list[ast.Constant]:
    """The literal itself, or the literals of a literal tuple, list or set."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node]
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return [e for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]
    return []


def _callee(call: ast.Call) -> str:
    return _last_word(call.func) or ""


class Checker(ast.NodeVisitor):
    def __init__(self, words: Vocabulary, filename: str) -> None:
        self.words = words
        self.filename = filename
        self.found: dict[tuple[int, int], str] = {}
        self.allowed_keys: set[int] = set()  # id() of literals that name data fields

    def flag(self, node: ast.Constant, why: str) -> None:
        self.found.setdefault(
            (node.lineno, node.col_offset),
            f"{self.filename}:{node.lineno}: {node.value!r} {why}",
        )

    def _is_name(self, node: ast.Constant) -> bool:
        return node.value in self.words.names

    def _used_as_state(self, literal: ast.Constant, other: ast.AST) -> bool:
        if literal.value in self.words.other_statuses:
            return _mentions_process(other)
        return True

    def visit_Compare(self, node: ast.Compare) -> None:
        operands = [node.left, *node.comparators]
        for i, op in enumerate(node.ops):
            if not isinstance(op, COMPARISONS):
                continue
            pair = (operands[i], operands[i + 1])
            for side, other in (pair, pair[::-1]):
                if _last_word(other) not in STATE_WORDS:
                    continue
                for literal in _strings(side):
                    if self._is_name(literal) and self._used_as_state(literal, other):
                        self.flag(literal, f"compared with {ast.unparse(other)}")
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        if any(word in _callee(node) for word in FIRING):
            for literal in [c for arg in node.args for c in _strings(arg)]:
                if self._is_name(literal):
                    self.flag(literal, f"fired by {_callee(node)}()")
        for keyword in node.keywords:
            if keyword.arg is None:
                continue
            parts = [p for p in keyword.arg.split("__") if p != "in"]
            stateful = parts[-1] in STATE_WORDS - {"name"}
            fires = keyword.arg == "name" and any(word in _callee(node) for word in FIRING)
            if not (stateful or fires):
                continue
            about_process = any("tender" in p or "process" in p for p in parts[:-1])
            for literal in _strings(keyword.value):
                if self._is_name(literal) and (
                    fires
                    or about_process
                    or literal.value not in self.words.other_statuses
                    or _mentions_process(node.func)
                ):
                    self.flag(literal, f"given as {keyword.arg}=")
        self.generic_visit(node)

    def visit_Dict(self, node: ast.Dict) -> None:
        keys = [k for k in node.keys if k is not None]
        literal_keys = [k for k in keys if isinstance(k, ast.Constant) and isinstance(k.value, str)]
        if literal_keys and len(literal_keys) == len(keys) and all(map(self._is_name, keys)):
            if len(keys) >= 2 or any(k.value in self.words.distinct for k in literal_keys):
                for key in literal_keys:
                    self.flag(key, "as the key of a table of process names")
        else:
            self.allowed_keys |= {id(k) for k in literal_keys}
        self.generic_visit(node)

    def visit_Subscript(self, node: ast.Subscript) -> None:
        self.allowed_keys |= {id(k) for k in _strings(node.slice)}
        self.generic_visit(node)

    def _collection(self, node: ast.Tuple | ast.List | ast.Set) -> None:
        literals = _strings(node)
        whole = len(literals) >= 2 and len(literals) == len(node.elts)
        if whole and all(map(self._is_name, literals)):
            for literal in literals:
                self.flag(literal, "in a collection of process names")
        self.generic_visit(node)

    visit_Tuple = visit_List = visit_Set = _collection

    def visit_Expr(self, node: ast.Expr) -> None:
        if isinstance(node.value, ast.Constant):
            self.allowed_keys.add(id(node.value))  # a docstring
        self.generic_visit(node)

    def finish(self, tree: ast.AST) -> list[str]:
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and node.value in self.words.distinct
                and id(node) not in self.allowed_keys
            ):
                self.flag(node, "names a process state or transition")
        return [self.found[k] for k in sorted(self.found)]


def violations(source: str, filename: str, words: Vocabulary) -> list[str]:
    tree = ast.parse(source, filename=filename)
    checker = Checker(words, filename)
    checker.visit(tree)
    return checker.finish(tree)


def modules() -> list[Path]:
    found = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts or any(path.is_relative_to(e) for e in EXCLUDED):
                continue
            found.append(path)
    return found


@pytest.fixture(scope="module")
def words() -> Vocabulary:
    return vocabulary()


def test_no_module_outside_the_procedures_names_a_state_or_transition(words):
    found = []
    for path in modules():
        found += violations(path.read_text(), str(path.relative_to(ROOT)), words)
    assert not found, "Ask the state or transition, or use S/T:\n" + "\n".join(found)


def test_the_checker_reads_the_packages_it_guards():
    paths = {p.relative_to(ROOT).as_posix() for p in modules()}
    assert {
        "tenders/process/services.py",
        "tenders/award/selectors.py",
        "documents/context.py",
        "publication/ocds/builder.py",
        "publication/portal/selectors.py",
    } <= paths
    assert not any(p.startswith("tenders/procedures/") or "/migrations/" in p for p in paths)


PLANTED = [
    'if tender.status == "published":\n    pass\n',
    'if p.status == "closed":\n    pass\n',
    'ok = locked.tender.status in ("bids_closed", "tech_opened")\n',
    'ok = "consultation_open" != consultation.tender.status\n',
    'EDITABLE = {"need_draft", "specs_draft"}\n',
    'ENDS = ("cancelled", "void")\n',
    'STATUS = {"closed": "complete", "void": "unsuccessful"}\n',
    'STEP = "close_bids"\n',
    'q = Tender.objects.filter(status__in=["published", "awarded"])\n',
    'q = Consultation.objects.filter(tender__status="consultation_open")\n',
    'q = Tender.objects.filter(status="awarded")\n',
    'transition_perform(process=tender, name="award", actor=None)\n',
    '_fire(tender, "draft_specs", "officer", now)\n',
    '_fire(tender, "award", "officer", now)\n',
    'planning = entry.to_state == "cancelled"\n',
    'steps = [e for e in entries if e.name == "publish_report"]\n',
]


@pytest.mark.parametrize("source", PLANTED)
def test_the_checker_catches_a_planted_state_name(words, source):
    assert violations(source, "planted.py", words), source


ALLOWED = [
    "if tender.status == S.PUBLISHED:\n    pass\n",
    "ok = is_editable(tender, Edit.LOTS)\n",
    'ok = award.status == "awarded"\n',
    'q = Award.objects.filter(status="awarded")\n',
    "ok = bid.status == Bid.Status.SUBMITTED\n",
    'row = {"rank": 1, "bid": 2}\nrow["final_offers"] = ""\n',
    'label = _("published")\n',
    'page = page_rows(request, rows, param="closed")\n',
    'def f():\n    """Closes at ``consultation_open``."""\n',
    'TAGS = ("award", "contract")\n',
    'FIELDS = ["awarded_at", "rd_phase"]\n',
]


@pytest.mark.parametrize("source", ALLOWED)
def test_the_checker_leaves_other_vocabularies_alone(words, source):
    assert not violations(source, "allowed.py", words), source


def test_the_vocabulary_tells_distinct_names_from_ordinary_words(words):
    assert {"need_draft", "close_bids", "publish_report", "consultation_open"} <= words.distinct
    ambiguous = words.names - words.distinct
    # English words, another model's statuses, an effect and a field.
    assert {"published", "closed", "award", "awarded", "documents_requested"} <= ambiguous
    assert {"consultation_closed", "rd_phase"} <= ambiguous
    assert "awarded" in words.other_statuses
    assert "published" not in words.other_statuses


def test_the_named_constants_match_the_definitions_exactly():
    assert [m.value for m in S] == [s.name for s in STATES]
    assert [m.value for m in T] == [t.name for t in TRANSITIONS]
    assert all(m.name == m.value.upper() for m in [*S, *T])
