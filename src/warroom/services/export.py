"""`warroom export`: one incident, its whole timeline and its postmortem, from the store."""

from __future__ import annotations

import json

from warroom.domain.clock import Clock
from warroom.domain.policy import Policy
from warroom.domain.postmortem import draft_postmortem
from warroom.domain.postmortem_markdown import render_markdown
from warroom.store import exports
from warroom.store.engine import Store
from warroom.store.postmortem_reads import load_draft_input

__all__ = ["ExportError", "export_incident", "parse_reference"]


class ExportError(Exception):
    """The incident can't be found (or is ambiguous); the message says what to pass."""


def parse_reference(text: str) -> int:
    digits = text.strip().upper().removeprefix("INC-")
    if not digits.isdigit():
        raise ExportError(f"{text!r} is not an incident reference; write it like INC-42")
    return int(digits)


async def export_incident(
    store: Store, policy: Policy, clock: Clock, reference: str, *, fmt: str, team: str | None
) -> str:
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
        markdown = render_markdown(draft_postmortem(data))
        if fmt == "md":
            return markdown
        records = await exports.incident_records(session, incident_id)
    document = {
        "incident": records["incident"],
        "reference": f"INC-{number}",
        "timeline": records["timeline"],
        "roles": records["roles"],
        "status_updates": records["status_updates"],
        "action_items": records["action_items"],
        "postmortem": {"stored": records["postmortem"], "draft_markdown": markdown},
    }
    return json.dumps(document, indent=2, ensure_ascii=False)
