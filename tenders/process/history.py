"""A process's history as people read it: every audit row about the process, in the language of
the page, with who acted (name and organisation), when (the city's time, to the minute), what
changed (``data["changes"]`` = {field: [old, new]}, ``data["object"]``) and the law it rests on.

Names come from the engine (a transition's label, a state's label) or from the registry of the
other recorded acts (``procurement.core.audit_labels``); nothing from the code reaches the page.
"""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

from procurement.accounts.models import Membership, Supplier
from procurement.core.audit_labels import OUTCOME_LABELS, audit_label, field_label
from procurement.core.formatting import city_minute
from procurement.core.models import AuditEntry
from tenders.procedures import PROCEDURE_CHOICES, STATE_BY_NAME, TRANSITION_BY_NAME

LONG_VALUE = 160  # characters of an edited text shown before it is cut


@dataclass
class HistoryRow:
    """One line of the history, every part already in words."""

    entry: AuditEntry
    at: str
    label: str
    who: str
    organisation: str
    states: tuple[str, str] | None = None
    outcome: str = ""
    subject: str = ""
    changes: list[tuple[str, str, str]] = field(default_factory=list)
    choices: list[tuple[str, str]] = field(default_factory=list)
    reason: str = ""
    legal_basis: str = ""
    # Access granted: bookkeeping of the city's own roles, shown apart from the steps.
    internal: bool = False
    # Figures this viewer may not read yet (another member's scores before the report).
    sealed: bool = False


def entry_label(name: str) -> str | None:
    """What a person reads for an audit row's ``name``; ``None`` when nothing labels it."""
    definition = TRANSITION_BY_NAME.get(name)
    if definition is not None:
        return str(definition.label)
    return audit_label(name)


def _state_label(name: str) -> str:
    state = STATE_BY_NAME.get(name)
    return str(state.label) if state is not None else ""


def _value(value: Any) -> str:
    if value is None or value == "" or value == [] or value == {}:
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list | tuple):
        return ", ".join(_value(item) for item in value)
    if isinstance(value, dict):
        return ", ".join(f"{field_label(str(k))} {_value(v)}" for k, v in value.items())
    text = str(value)
    return text if len(text) <= LONG_VALUE else text[: LONG_VALUE - 1] + "…"


def _changes(data: dict) -> list[tuple[str, str, str]]:
    changes = data.get("changes")
    if isinstance(changes, dict):
        rows = []
        for name, pair in changes.items():
            old, new = pair if isinstance(pair, list | tuple) and len(pair) == 2 else (None, pair)
            rows.append((field_label(str(name)), _value(old), _value(new)))
        return rows
    # Rows written before edits recorded their values name only the fields.
    fields = data.get("fields")
    if isinstance(fields, list):
        return [(field_label(str(name)), "", "") for name in fields]
    return []


def _choices(entry: AuditEntry, data: dict, city, suppliers: dict) -> list[tuple[str, str]]:
    """What the actor gave with a step, in words: the option chosen (a reduction of the bid
    period, say), a date (the city's time), a number, a text, a yes/no. Lists of ids are left
    to the records they name."""
    definition = TRANSITION_BY_NAME.get(entry.name)
    items = []
    for item in definition.data if definition else ():
        value = data.get(item.name)
        if value in (None, "", [], {}):
            continue
        if item.choices:
            items.append((str(item.label), str(dict(item.choices).get(value, value))))
        elif item.kind == "datetime":
            try:
                moment = dt.datetime.fromisoformat(str(value))
            except ValueError:
                continue
            items.append((str(item.label), city_minute(moment, city.zone)))
        elif item.name == "procedure":
            items.append((str(item.label), str(dict(PROCEDURE_CHOICES).get(value, value))))
        elif item.name == "supplier":
            items.append((str(item.label), suppliers.get(str(value), "—")))
        elif item.kind in ("text", "int", "bool"):
            items.append((str(item.label), _value(value)))
    return items


def _suppliers(entries) -> dict[str, str]:
    """The names of the suppliers the steps' data name by id (an applicant registered)."""
    ids = {
        str(e.data["supplier"])
        for e in entries
        if e.action == AuditEntry.Action.TRANSITION
        and isinstance(e.data, dict)
        and str(e.data.get("supplier", "")).isdigit()
    }
    if not ids:
        return {}
    return {
        str(pk): name for pk, name in Supplier.objects.filter(pk__in=ids).values_list("pk", "name")
    }


def _roles_granted(data: dict) -> str:
    """The city roles of a grant, from its groups (``city:<pk>:<role>``)."""
    labels = dict(Membership.Role.choices)
    roles = []
    for group in data.get("groups") or {}:
        role = str(group).rsplit(":", 1)[-1]
        roles.append(str(labels.get(role, role)))
    return ", ".join(dict.fromkeys(roles))


def _organisations(actor_ids: set[int]) -> dict[int, str]:
    """Each actor's organisation (the first membership's city, supplier or network), one query."""
    names: dict[int, str] = {}
    memberships = (
        Membership.objects.filter(user_id__in=actor_ids)
        .select_related("city", "supplier", "network")
        .order_by("pk")
    )
    for membership in memberships:
        organisation = membership.city or membership.supplier or membership.network
        if organisation is not None:
            names.setdefault(membership.user_id, str(organisation))
    return names


def _people(usernames: set[str]) -> dict[str, str]:
    users = get_user_model().objects.filter(username__in=usernames)
    return {user.username: user.get_full_name() or user.username for user in users}


# Acts whose figures stay between their author and the record until a later act opens them:
# a committee member's value-judgement scores are read by the others once the report is signed.
SEALED_UNTIL_REPORT = frozenset({"score_save"})


def history_rows(entries, *, city, viewer=None, scores_open: bool = True) -> list[HistoryRow]:
    """``entries`` (audit rows with their actors) as lines a person reads, oldest first.

    Until ``scores_open`` (the value-judgement report signed), the points of a score show only
    to the member who gave them (``viewer``); the others read that a score was recorded."""
    entries = list(entries)
    organisations = _organisations({e.actor_id for e in entries if e.actor_id})
    assigned = {
        str(e.data.get("user"))
        for e in entries
        if e.name == "committee_assign" and isinstance(e.data, dict) and e.data.get("user")
    }
    people = _people(assigned) if assigned else {}
    suppliers = _suppliers(entries)
    rows = []
    for entry in entries:
        data = entry.data if isinstance(entry.data, dict) else {}
        label = entry_label(entry.name) or entry.name.replace("_", " ").capitalize()
        actor = entry.actor
        row = HistoryRow(
            entry=entry,
            at=city_minute(entry.at, city.zone),
            label=label,
            who=(actor.get_full_name() or actor.username) if actor else _("the system"),
            organisation=organisations.get(entry.actor_id, "") if actor else "",
            changes=_changes(data),
            choices=_choices(entry, data, city, suppliers),
            reason=entry.reason,
            legal_basis=entry.legal_basis,
            subject=str(data.get("object") or ""),
        )
        if entry.action == AuditEntry.Action.TRANSITION and entry.to_state:
            row.states = (_state_label(entry.from_state), _state_label(entry.to_state))
        elif entry.to_state:
            row.outcome = _state_label(entry.to_state) or str(
                OUTCOME_LABELS.get(entry.to_state, "")
            )
        if (
            entry.name in SEALED_UNTIL_REPORT
            and not scores_open
            and (viewer is None or entry.actor_id != viewer.pk)
        ):
            row.changes, row.sealed = [], True
        if entry.name == "committee_assign":
            user = str(data.get("user", ""))
            row.subject = people.get(user, user)
        elif entry.action == AuditEntry.Action.GRANT:
            row.internal = True
            # The stored reason is the code's note ("process created"), not words for people.
            row.reason = ""
            roles = _roles_granted(data)
            if roles:
                row.label = _("Access granted to: %(roles)s") % {"roles": roles}
        rows.append(row)
    return rows
