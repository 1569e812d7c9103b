"""`warroom export`: one incident, its whole timeline and its postmortem, from the store."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from warroom.domain.clock import Clock
from warroom.domain.policy import Policy
from warroom.domain.postmortem import draft_postmortem
from warroom.domain.postmortem_markdown import render_markdown
from warroom.store.engine import Store
from warroom.store.models import (
    ActionItemRow,
    IncidentRow,
    PostmortemRow,
    RoleAssignmentRow,
    StatusUpdateRow,
    TimelineEntryRow,
)
from warroom.store.postmortem_reads import load_draft_input

__all__ = ["ExportError", "export_incident", "parse_reference"]


class ExportError(Exception):
    """The incident can't be found (or is ambiguous); the message says what to pass."""


def parse_reference(text: str) -> int:
    digits = text.strip().upper().removeprefix("INC-")
    if not digits.isdigit():
        raise ExportError(f"{text!r} is not an incident reference; write it like INC-42")
    return int(digits)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _row(row: Any, *, skip: tuple[str, ...] = ()) -> dict[str, Any]:
    return {
        column.key: _plain(getattr(row, column.key))
        for column in row.__table__.columns
        if column.key not in skip
    }


async def export_incident(
    store: Store, policy: Policy, clock: Clock, reference: str, *, fmt: str, team: str | None
) -> str:
    number = parse_reference(reference)
    async with store.read() as session:
        query = select(IncidentRow).where(IncidentRow.number == number)
        if team:
            query = query.where(IncidentRow.team_id == team)
        found = list((await session.execute(query)).scalars())
        if not found:
            raise ExportError(f"INC-{number} is not in this database")
        if len(found) > 1:
            teams = ", ".join(sorted(r.team_id for r in found))
            raise ExportError(f"INC-{number} exists in several workspaces ({teams}); add --team")
        incident = found[0]
        data = await load_draft_input(store, incident.id, policy, clock())
        markdown = render_markdown(draft_postmortem(data))
        if fmt == "md":
            return markdown

        async def rows(model: Any, order: Any) -> list[dict[str, Any]]:
            result = await session.execute(
                select(model).where(model.incident_id == incident.id).order_by(order)
            )
            return [_row(r) for r in result.scalars()]

        stored = await session.get(PostmortemRow, incident.id)
        document = {
            "incident": _row(incident, skip=("provisioning_until", "declare_key")),
            "reference": f"INC-{incident.number}",
            "timeline": await rows(TimelineEntryRow, TimelineEntryRow.occurred_at),
            "roles": await rows(RoleAssignmentRow, RoleAssignmentRow.assigned_at),
            "status_updates": await rows(StatusUpdateRow, StatusUpdateRow.posted_at),
            "action_items": await rows(ActionItemRow, ActionItemRow.id),
            "postmortem": {
                "stored": _row(stored) if stored else None,
                "draft_markdown": markdown,
            },
        }
    return json.dumps(document, indent=2, ensure_ascii=False, default=_plain)
