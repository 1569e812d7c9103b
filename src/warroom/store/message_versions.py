"""Every version of a Slack message folded into its one timeline entry.

Versions arrive in any order (an edit before the message, a late older edit, a
deletion before anything): the newest is the entry's text, every other one is
kept as a revision, and a placeholder left by a reaction takes the first real
version that comes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from warroom.domain.timeline import DELETED_BY, PENDING, SlackMessage, slack_time, slack_ts
from warroom.store import captured
from warroom.store import timeline as entries
from warroom.store.models import TimelineEntryRow

__all__ = ["Absorbed", "absorb"]


@dataclass(frozen=True)
class Absorbed:
    incident_id: int
    entry_id: int
    created: bool
    quoted_deletion: bool = False
    """A highlighted entry was deleted after a postmortem draft quoted it."""


async def absorb(
    session: AsyncSession,
    new: captured.NewCaptured,
    message: SlackMessage,
    *,
    older: SlackMessage | None,
    now: datetime,
    purge: bool,
) -> Absorbed:
    """Store `message` (and the `older` version it replaced) on its entry, creating the
    entry as `new` if the message has none. With `new.deleted_at` the entry is marked
    deleted; with `purge` a deleted entry's text and history are removed."""
    (entry_id,) = await captured.insert_captured(session, [new])
    if entry_id is not None:
        if older is not None and older.version_ts != message.version_ts:
            await _keep(session, entry_id, older, now)
        return Absorbed(new.incident_id, entry_id, created=True)
    row = await entries.lock_by_ref(session, message.channel_id, message.ts)
    assert row is not None, "an entry that conflicts on insert exists"
    await _merge(session, row, message, now)
    if older is not None:
        await _merge(session, row, older, now)
    quoted = False
    if new.deleted_at is not None and row.deleted_at is None:
        row.deleted_at = new.deleted_at
        row.data = {**(row.data or {}), DELETED_BY: message.author_id or row.author_id}
        quoted = row.highlighted and await entries.postmortem_drafted(session, row.incident_id)
    if row.deleted_at is not None and purge:
        await entries.purge_content(session, row)
    return Absorbed(row.incident_id, row.id, created=False, quoted_deletion=quoted)


async def _merge(
    session: AsyncSession, row: TimelineEntryRow, version: SlackMessage, now: datetime
) -> None:
    """Fold one version into the entry: the newest is current, any other is history."""
    if version.kind == PENDING:
        return
    if row.kind == PENDING:
        row.kind, row.text, row.data = version.kind, version.text, dict(version.data)
        row.author_id = version.author_id or row.author_id
        row.edited_at = slack_time(version.edited_ts) if version.edited_ts else None
        return
    current = row.edited_at or row.occurred_at
    incoming = slack_time(version.version_ts)
    if incoming > current:
        if row.text != version.text:
            await _keep(session, row.id, _version_of(row), now)
        row.text, row.data = version.text, {**row.data, **version.data}
        row.edited_at = incoming if version.edited_ts else row.edited_at
    elif incoming < current:
        await _keep(session, row.id, version, now)


async def _keep(session: AsyncSession, entry_id: int, version: SlackMessage, now: datetime) -> None:
    await entries.add_revision(
        session,
        entry_id=entry_id,
        version_ts=version.version_ts,
        text=version.text,
        written_at=slack_time(version.version_ts),
        recorded_at=now,
    )


def _version_of(row: TimelineEntryRow) -> SlackMessage:
    assert row.slack_channel_id is not None and row.slack_ts is not None
    edited = slack_ts(row.edited_at) if row.edited_at else None
    return SlackMessage(
        row.slack_channel_id, row.slack_ts, row.kind, row.author_id, row.text, edited
    )
