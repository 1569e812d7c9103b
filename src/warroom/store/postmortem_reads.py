"""What a postmortem draft reads: the entries it shows, and a count of the rest.

An incident can gather 100,000 timeline entries, nearly all of them chat that the
draft only counts. Reading them all as ORM rows took 3 s, and on SQLite, which runs
on the event loop's thread, nothing else was answered meanwhile. So only the
entries the draft shows are read (automatic events, typed notes, highlighted
messages: `postmortem.CHAT_KINDS` says which are left out), as plain columns, a
page at a time in short read transactions, handing the loop back between pages.
Pages follow `(occurred_at, id)`, the order the draft lists entries in, along the
partial index `ix_timeline_entries_postmortem`, which holds just those entries.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

from sqlalchemy import Row, func, select, text, tuple_

from warroom.domain.policy import Policy
from warroom.domain.postmortem import ActionItemFact, PostmortemInput, RoleSpan, TimelineFact
from warroom.store import incidents
from warroom.store.engine import Store
from warroom.store.models import (
    SHOWN_IN_POSTMORTEM,
    ActionItemRow,
    RoleAssignmentRow,
    TimelineEntryRow,
)

__all__ = ["PAGE", "load_draft_input", "shown_entries"]

PAGE = 250
"""Entries per read: each page holds the loop for a few milliseconds (SQLite reads on
its thread; either way the rows become facts there). 1,000 held it for 30-40 ms."""

_E = TimelineEntryRow
_SHOWN = text(SHOWN_IN_POSTMORTEM)  # answered by the partial index of the same name
_COLUMNS = (
    _E.id,
    _E.kind,
    _E.author_id,
    _E.text,
    _E.occurred_at,
    _E.highlighted,
    _E.edited_at.is_not(None).label("edited"),
    _E.deleted_at.is_not(None).label("deleted"),
    _E.data,
)


async def load_draft_input(
    store: Store, incident_id: int, policy: Policy, now: datetime
) -> PostmortemInput:
    """Everything the pure draft needs. The incident, roles, action items and the count
    are read together; the entries follow page by page, so an entry written meanwhile
    may or may not be in the draft (it is in the next one)."""
    async with store.read() as session:
        incident = await incidents.load(session, incident_id)
        total = await session.scalar(
            select(func.count()).select_from(_E).where(_E.incident_id == incident_id)
        )
        roles = await session.execute(
            select(RoleAssignmentRow)
            .where(RoleAssignmentRow.incident_id == incident_id)
            .order_by(RoleAssignmentRow.assigned_at, RoleAssignmentRow.id)
        )
        role_history = [
            RoleSpan(r.role, r.user_id, r.assigned_by, r.assigned_at, r.ended_at)
            for r in roles.scalars()
        ]
        items = await session.execute(
            select(ActionItemRow)
            .where(ActionItemRow.incident_id == incident_id)
            .order_by(ActionItemRow.id)
        )
        action_items = [
            ActionItemFact(a.text, a.owner_id, a.due_on, a.state, a.reason) for a in items.scalars()
        ]
    entries = [fact async for page in shown_entries(store, incident_id) for fact in page]
    return PostmortemInput(
        incident=incident,
        policy=policy,
        entries=entries,
        entries_total=total or 0,
        role_history=role_history,
        action_items=action_items,
        resolution=incident.summary if incident.resolved_at else None,
        root_cause=incident.root_cause,
        drafted_at=now,
        zone=policy.zone,
    )


async def shown_entries(
    store: Store, incident_id: int, *, page: int | None = None
) -> AsyncIterator[list[TimelineFact]]:
    """The entries the draft shows, oldest first, `page` (default `PAGE`) at a time."""
    page = page or PAGE
    after: tuple[datetime, int] | None = None
    while True:
        query = select(*_COLUMNS).where(_E.incident_id == incident_id, _SHOWN)
        if after is not None:
            query = query.where(tuple_(_E.occurred_at, _E.id) > after)
        query = query.order_by(_E.occurred_at, _E.id).limit(page)
        async with store.read() as session:
            rows = (await session.execute(query)).all()
        yield [_fact(row) for row in rows]
        if len(rows) < page:
            return
        after = (rows[-1].occurred_at, rows[-1].id)
        await asyncio.sleep(0)  # SQLite answers on this thread: let the loop run


def _fact(row: Row[Any]) -> TimelineFact:
    return TimelineFact(
        kind=row.kind,
        author_id=row.author_id,
        text=row.text,
        occurred_at=row.occurred_at,
        highlighted=bool(row.highlighted),
        edited=bool(row.edited),
        deleted=bool(row.deleted),
        data=dict(row.data or {}),
    )
