"""Every status changes through a machine: the process engine for processes, ``workflows.status``
for bids, responses, awards, template versions, generated documents and participants.

The source scan keeps it so: outside the helper, no code assigns a ``status`` or ``update()``s
one (STYLE rule 2)."""

import ast
import datetime as dt
from pathlib import Path

import pytest
from django.apps import apps
from django_fsm import FSMField

from procurement.core.exceptions import Conflict
from procurement.core.models import AuditEntry
from tests.factories.tenders import make_tender
from workflows.status import StatusMachine, status_change, status_change_many

ROOT = Path(__file__).resolve().parents[2]
SCANNED = ("procurement", "workflows", "tenders", "documents", "publication")
# The helper, and the process engine's abstract model that declares the FSM field.
ALLOWED = {Path("workflows/status.py"), Path("workflows/fsm.py")}
NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def _is_status(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value == "status"


def _targets(node: ast.AST) -> list[ast.expr]:
    if isinstance(node, ast.Assign):
        found = []
        for target in node.targets:
            found.extend(target.elts if isinstance(target, ast.Tuple | ast.List) else [target])
        return found
    if isinstance(node, ast.AugAssign | ast.AnnAssign):
        return [node.target]
    return []


def _call_writes_status(call: ast.Call) -> str | None:
    func = call.func
    if isinstance(func, ast.Name) and func.id == "setattr":
        if len(call.args) > 1 and _is_status(call.args[1]):
            return "setattr(…, 'status', …)"
        return None
    if not isinstance(func, ast.Attribute):
        return None
    if func.attr == "update":
        for keyword in call.keywords:
            if keyword.arg == "status":
                return ".update(status=…)"
            spread = keyword.value if keyword.arg is None else None
            if isinstance(spread, ast.Dict) and any(
                key is not None and _is_status(key) for key in spread.keys
            ):
                return '.update(**{"status": …})'
    if func.attr == "bulk_update":
        fields = call.args[1] if len(call.args) > 1 else None
        for keyword in call.keywords:
            if keyword.arg == "fields":
                fields = keyword.value
        if isinstance(fields, ast.List | ast.Tuple | ast.Set) and any(
            _is_status(item) for item in fields.elts
        ):
            return 'bulk_update(…, ["status"])'
    return None


def status_writes(source: str, filename: str = "<source>") -> list[str]:
    """Where ``source`` writes a status other than through the helper: ``file:line what``."""
    found = []
    for node in ast.walk(ast.parse(source, filename=filename)):
        for target in _targets(node):
            if isinstance(target, ast.Attribute) and target.attr == "status":
                found.append(f"{filename}:{node.lineno} .status = …")
        if isinstance(node, ast.Call) and (what := _call_writes_status(node)):
            found.append(f"{filename}:{node.lineno} {what}")
    return found


def _scanned_files():
    for folder in SCANNED:
        for path in sorted((ROOT / folder).rglob("*.py")):
            relative = path.relative_to(ROOT)
            if "migrations" in relative.parts or "tests" in relative.parts:
                continue
            if relative in ALLOWED:
                continue
            yield relative


def test_no_code_writes_a_status_outside_the_helper():
    files = list(_scanned_files())
    assert len(files) > 50  # the scan really ran over the apps
    found = [
        line
        for relative in files
        for line in status_writes((ROOT / relative).read_text(), str(relative))
    ]
    assert found == [], "status written outside workflows.status:\n" + "\n".join(found)


def test_the_scan_flags_every_way_of_writing_a_status():
    planted = """
bid.status = "submitted"
award.status += "x"
document.status: str = "ready"
first, self.status = 1, "draft"
setattr(version, "status", "approved")
Bid.objects.filter(pk=1).update(status="withdrawn")
Response.objects.all().update(**{"status": "submitted"})
Award.objects.bulk_update(awards, ["status", "awarded_at"])
"""
    found = status_writes(planted, "planted.py")
    assert [line.split(" ", 1)[0] for line in found] == [f"planted.py:{n}" for n in range(2, 10)]


def test_the_scan_leaves_reads_and_other_fields_alone():
    harmless = """
if bid.status == "submitted":
    pass
Bid.objects.filter(status="draft").update(admission="admitted")
Response.objects.exclude(**{"status": "draft"})
JsonResponse({"status": "ok"}, status=200)
obj.status_code = 404
Award.objects.bulk_update(awards, ["awarded_at"])
"""
    assert status_writes(harmless) == []


def _machines():
    return [
        (model, StatusMachine.of(model))
        for model in apps.get_models()
        if getattr(model, "_status_machine", None) is not None
    ]


def test_every_machine_moves_between_the_choices_of_a_protected_fsm_field():
    machines = _machines()
    assert {model.__name__ for model, _machine in machines} >= {
        "Bid",
        "Response",
        "Award",
        "TemplateVersion",
        "GeneratedDocument",
        "Participant",
    }
    for model, machine in machines:
        status = model._meta.get_field(machine.field)
        assert isinstance(status, FSMField) and status.protected, model
        values = {str(value) for value, _label in status.flatchoices}
        for move in machine:
            assert set(move.sources) <= values and move.target in values, (model, move.name)
            assert callable(getattr(model, move.name)), (model, move.name)


@pytest.fixture
def draft_version(demo):
    from documents.services import template_create

    template = template_create(
        actor=demo.user("legal.logrono"), kind="pcap", language="es", name="PCAP"
    )
    return template.versions.get()


def _history(version) -> list[tuple[str, str, str]]:
    return list(
        AuditEntry.objects.filter(object_id=str(version.pk), name__startswith="template_version")
        .order_by("pk")
        .values_list("name", "from_state", "to_state")
    )


def test_an_illegal_move_is_refused_with_the_reason_and_changes_nothing(demo, draft_version):
    before = _history(draft_version)
    with pytest.raises(Conflict) as refused:
        status_change(
            draft_version, move="template_version_approve", actor=demo.user("legal.logrono")
        )
    assert refused.value.message == "Only a version in legal review can be approved."
    draft_version.refresh_from_db()
    assert draft_version.status == "draft"
    assert draft_version.approved_at is None and draft_version.approved_by is None
    assert _history(draft_version) == before


def test_a_legal_move_stamps_saves_and_writes_exactly_one_audit_row(demo, draft_version):
    legal = demo.user("legal.logrono")
    count = AuditEntry.objects.count()
    moved = status_change(
        draft_version, move="template_version_submit", actor=legal, reason=" ready ", now=NOW
    )
    assert AuditEntry.objects.count() == count + 1
    entry = AuditEntry.objects.latest("pk")
    assert (entry.action, entry.name, entry.from_state, entry.to_state) == (
        "transition",
        "template_version_submit",
        "draft",
        "in_review",
    )
    assert (entry.actor, entry.reason, entry.at, entry.object_id) == (
        legal,
        "ready",
        NOW,
        str(draft_version.pk),
    )
    moved.refresh_from_db()
    assert (moved.status, moved.submitted_at) == ("in_review", NOW)


def test_the_status_field_cannot_be_assigned(draft_version):
    with pytest.raises(AttributeError):
        draft_version.status = "approved"
    draft_version.refresh_from_db()
    assert draft_version.status == "draft"


def test_a_bulk_move_updates_only_the_rows_it_leaves_from(demo):
    from tenders.models import Participant

    tender = make_tender(city=demo.city("logrono"), procedure="pcp")
    acme, nova = demo.supplier("acme"), demo.supplier("nova")
    Participant.objects.create(tender=tender, supplier=acme)
    Participant.objects.create(tender=tender, supplier=nova, status="dropped")
    moved = status_change_many(tender.participants.all(), move="participant_select")
    assert moved == 1
    assert dict(tender.participants.values_list("supplier__slug", "status")) == {
        "acme": "selected",
        "nova": "dropped",
    }


def test_an_audited_move_is_not_made_in_bulk(draft_version):
    from documents.models import TemplateVersion

    with pytest.raises(ValueError, match="audited"):
        status_change_many(
            TemplateVersion.objects.filter(pk=draft_version.pk), move="template_version_submit"
        )
    draft_version.refresh_from_db()
    assert draft_version.status == "draft"
