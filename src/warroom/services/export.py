"""`warroom export`: one incident, its whole timeline and its postmortem, from the store.

People are named as the user directory knows them (the export does not ask Slack):
the postmortem shows names, and the JSON keeps each user ID with its name beside it
(`reporter_id` and `reporter_name`); someone the directory never saw is named by ID.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from warroom.domain.clock import Clock
from warroom.domain.policy import Policy
from warroom.domain.postmortem import draft_postmortem
from warroom.domain.postmortem_markdown import people_in, render_markdown
from warroom.services.people import People
from warroom.store import exports
from warroom.store.engine import Store
from warroom.store.postmortem_reads import load_draft_input

__all__ = ["ExportError", "export_incident", "parse_reference"]

PEOPLE_COLUMNS: Mapping[str, tuple[str, ...]] = {
    "incident": ("reporter_id",),
    "timeline": ("author_id",),
    "roles": ("user_id", "assigned_by"),
    "status_updates": ("author_id",),
    "action_items": ("owner_id", "created_by", "closed_by"),
}
"""The columns of each record that hold a user ID; each gets a `…_name` beside it."""


class ExportError(Exception):
    """The incident can't be found (or is ambiguous); the message says what to pass."""


def parse_reference(text: str) -> int:
    digits = text.strip().upper().removeprefix("INC-")
    if not digits.isdigit():
        raise ExportError(f"{text!r} is not an incident reference; write it like INC-42")
    return int(digits)


def _name_key(column: str) -> str:
    """`reporter_id` → `reporter_name`, `assigned_by` → `assigned_by_name`."""
    return column.removesuffix("_id") + "_name"


def _records(records: Mapping[str, Any], key: str) -> list[dict[str, Any]]:
    value = records.get(key)
    if isinstance(value, dict):
        return [value]
    return list(value) if isinstance(value, list) else []


def _people_ids(records: Mapping[str, Any]) -> set[str]:
    return {
        str(record[column])
        for key, columns in PEOPLE_COLUMNS.items()
        for record in _records(records, key)
        for column in columns
        if record.get(column)
    }


def _named(records: Mapping[str, Any], names: Mapping[str, str]) -> None:
    """Put each user ID's name beside it (None beside an empty ID)."""
    for key, columns in PEOPLE_COLUMNS.items():
        for record in _records(records, key):
            for column in columns:
                if column in record:
                    user_id = record[column]
                    record[_name_key(column)] = names.get(user_id, user_id) if user_id else None


async def export_incident(
    store: Store,
    policy: Policy,
    clock: Clock,
    reference: str,
    *,
    fmt: str,
    team: str | None,
    people: People | None = None,
) -> str:
    """The incident as Markdown (`md`, its postmortem draft) or JSON (`json`, every record
    and the draft). `people` names people (default: the store's directory alone)."""
    people = people or People(store=store, gateway=None, clock=clock)
    number = parse_reference(reference)
    async with store.read() as session:
        found = await exports.numbered(session, number, team)
        if not found:
            raise ExportError(f"INC-{number} is not in this database")
        if len(found) > 1:
            teams = ", ".join(sorted(each.team_id for each in found))
            raise ExportError(f"INC-{number} exists in several workspaces ({teams}); add --team")
        incident_id = found[0].incident_id
        data = await load_draft_input(store, incident_id, policy, clock())
        postmortem = draft_postmortem(data)
        records = (
            await exports.incident_records(session, incident_id, policy.zone) if fmt != "md" else {}
        )
    names = await people.names(people_in(postmortem) | _people_ids(records))
    markdown = render_markdown(postmortem, names=names)
    if fmt == "md":
        return markdown
    _named(records, names)
    document = {
        "incident": records["incident"],
        "reference": f"INC-{number}",
        "timezone": policy.timezone,
        "timeline": records["timeline"],
        "roles": records["roles"],
        "status_updates": records["status_updates"],
        "action_items": records["action_items"],
        "postmortem": {"stored": records["postmortem"], "draft_markdown": markdown},
    }
    return json.dumps(document, indent=2, ensure_ascii=False)
