"""The timeline that writes itself: messages, edits, deletions, highlights and typed entries.

Everything said in a war room is stored as Slack delivers it, keyed by
(channel, ts), so a retried or duplicated event never doubles an entry and
events may arrive in any order: an edit or a deletion before the message
creates the entry from what it carries (the earlier text is kept as a
revision), and a reaction before the message leaves a placeholder the message
fills in. Each use case is one transaction, written before Slack is answered.

A deleted message keeps its entry ("deleted by X at T"), but unless the
policy says `keep_deleted_text`, its text, file names and every earlier
version are purged in the transaction that learns of the deletion, and stay
purged whatever arrives later (the message itself, an edit, a pin): a pasted
password can be taken back. Slack's deletion events do not say who deleted;
the author is recorded as the deleter (only they, or an admin, can delete).

The shortcut never writes to, or names, an incident its user may not see
(`Audience`): a message already on a private incident is answered with
`HIDDEN`, and nothing is written.

A 📌 that puts a war-room message on the timeline is answered with Warroom's own
reaction (`RECORDED_REACTION`) on that message, taken off again when the message
stops being highlighted (`acknowledge`), after the highlight itself is stored.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field
from datetime import datetime

from warroom.domain.clock import Clock
from warroom.domain.incident import Incident
from warroom.domain.permissions import Action
from warroom.domain.policy import Policy
from warroom.domain.timeline import (
    DELETED_BY,
    PENDING,
    TYPED_KINDS,
    Cursor,
    KeyPage,
    SlackMessage,
    TimelineItem,
    slack_time,
)
from warroom.services.lifecycle import POSTMORTEM_DRAFT, SUPERSEDE
from warroom.services.permissions import Guard
from warroom.services.rooms import Rooms
from warroom.services.timeline.values import (
    HIDDEN,
    PAGE_SIZE,
    REACTION_SOURCE,
    RECORDED_REACTION,
    Added,
    Captured,
    Hidden,
    Marked,
)
from warroom.slack.errors import SlackFailure
from warroom.slack.gateway import MessageRef, SlackGateway
from warroom.store import captured, incidents, jobs, message_versions
from warroom.store import timeline as entries
from warroom.store.engine import Session, Store

__all__ = ["TimelineService"]

log = logging.getLogger(__name__)

NOT_A_ROOM_TTL_S = 60.0
ACK_LOCKS = 64


@dataclass
class TimelineService:
    store: Store
    rooms: Rooms
    clock: Clock
    policy: Policy
    guard: Guard
    gateway: SlackGateway
    _not_rooms: dict[str, float] = field(default_factory=dict)
    _writer: captured.CapturedWriter = field(init=False)
    _ack_locks: tuple[asyncio.Lock, ...] = field(init=False)

    def __post_init__(self) -> None:
        self._writer = captured.CapturedWriter(self.store)
        self._ack_locks = tuple(asyncio.Lock() for _ in range(ACK_LOCKS))

    async def _incident_id_in(self, channel_id: str) -> int | None:
        """The war room's incident; other channels are remembered for a minute, so chatter
        elsewhere costs no query (a war room is a channel Warroom creates, known before
        anyone can talk in it)."""
        if self._not_rooms.get(channel_id, 0.0) > time.monotonic():
            return None
        found = await self.rooms.incident_id_in(channel_id)
        if found is None:
            if len(self._not_rooms) > 10_000:
                self._not_rooms.clear()
            self._not_rooms[channel_id] = time.monotonic() + NOT_A_ROOM_TTL_S
        return found

    # -- capture ---------------------------------------------------------------

    async def record_message(self, message: SlackMessage) -> Captured | None:
        """A message posted in a war room (None elsewhere)."""
        incident_id = await self._incident_id_in(message.channel_id)
        if incident_id is None:
            return None
        entry_id = await self._writer.insert(self._new(incident_id, message))
        if entry_id is not None:
            return Captured(incident_id, entry_id, created=True)
        async with self.store.transaction() as session:  # a repeat, or it was seen before
            return await self._absorb(session, incident_id, message)

    @property
    def _purges(self) -> bool:
        return not self.policy.keep_deleted_text

    def _new(
        self, incident_id: int, message: SlackMessage, *, deleted_at: datetime | None = None
    ) -> captured.NewCaptured:
        text, data = message.text, dict(message.data)
        if deleted_at is not None:
            data[DELETED_BY] = message.author_id
            if self._purges:
                text, data = "", entries.without_content(data)
        return captured.NewCaptured(
            incident_id=incident_id,
            channel_id=message.channel_id,
            ts=message.ts,
            kind=message.kind,
            author_id=message.author_id,
            text=text,
            occurred_at=slack_time(message.ts),
            recorded_at=self.clock(),
            edited_at=slack_time(message.edited_ts) if message.edited_ts else None,
            deleted_at=deleted_at,
            data=data,
        )

    async def record_edit(
        self, message: SlackMessage, previous: SlackMessage | None
    ) -> Captured | None:
        """`message_changed`: the new version, and the one it replaced as history."""
        incident_id = await self._incident_id_in(message.channel_id)
        if incident_id is None:
            return None
        async with self.store.transaction() as session:
            return await self._absorb(session, incident_id, message, older=previous)

    async def record_delete(
        self, channel_id: str, ts: str, *, deleted_ts: str, previous: SlackMessage | None
    ) -> Captured | None:
        """`message_deleted`: the entry stays, marked deleted; its text is purged unless
        the policy keeps it."""
        incident_id = await self._incident_id_in(channel_id)
        if incident_id is None:
            return None
        gone = previous or SlackMessage(channel_id, ts, PENDING, None, "")
        async with self.store.transaction() as session:
            return await self._absorb(session, incident_id, gone, deleted_at=slack_time(deleted_ts))

    async def mark(
        self,
        channel_id: str,
        ts: str,
        *,
        source: str,
        user_id: str | None,
        active: bool,
        at: datetime,
        message: SlackMessage | None = None,
        author_id: str | None = None,
        incident_id: int | None = None,
    ) -> Marked | None:
        """Switch one highlight source of a message on or off.

        Without `incident_id` only war-room messages count; with it, nothing is written
        if the message is on another incident. `message` (from a pin or a shortcut)
        creates or updates the entry; without it a placeholder stands in.
        """
        explicit = incident_id
        if incident_id is None:
            if await self._incident_id_in(channel_id) is None:
                return None
            room = await self.rooms.incident_in(channel_id)
            if room is None or room.card_ts == ts:
                return None
            incident_id = room.id
        stub = SlackMessage(channel_id, ts, PENDING, author_id, "")
        try:
            return await self._mark(
                incident_id, message or stub, source, user_id, active, at, only_on=explicit
            )
        except _OnAnotherIncident:
            return None

    async def acknowledge(self, channel_id: str, ts: str, *, recorded: bool) -> None:
        """Warroom's reaction on a war-room message after a highlight changed: added when
        `recorded` (a 📌 put it on the timeline), taken off when not (the last highlight
        went), but only if the stored highlight still says so, read again now: of a 📌
        added and removed in quick succession, only what holds last is shown.

        Idempotent (a reaction already there, or never added, is no failure); Slack
        refusing is logged and never touches the highlight, which is stored already.
        """
        async with self._ack_locks[hash((channel_id, ts)) % ACK_LOCKS]:
            async with self.store.read() as session:
                row = await entries.find_by_ref(session, channel_id, ts)
                if row is None or bool(row.highlighted) != recorded:
                    return
                if recorded and row.deleted_at is not None:
                    return
                sources = await entries.highlights(session, row.id)
            if not any(s.source.startswith(REACTION_SOURCE) for s in sources):
                return  # no 📌 ever marked it (only a pin): no reaction of Warroom's to move
            ref = MessageRef(channel_id, ts)
            try:
                if recorded:
                    await self.gateway.add_reaction(ref, RECORDED_REACTION)
                else:
                    await self.gateway.remove_reaction(ref, RECORDED_REACTION)
            except SlackFailure as failure:
                log.warning(
                    "timeline: Warroom's reaction on %s/%s not %s: %s",
                    channel_id,
                    ts,
                    "added" if recorded else "removed",
                    failure,
                )

    async def _mark(
        self,
        incident_id: int,
        message: SlackMessage,
        source: str,
        user_id: str | None,
        active: bool,
        at: datetime,
        *,
        only_on: int | None,
    ) -> Marked:
        """With `only_on`, nothing is written if the message is on another incident."""
        async with self.store.transaction() as session:
            captured = await self._absorb(session, incident_id, message)
            if only_on is not None and captured.incident_id != only_on:
                raise _OnAnotherIncident  # put there since the caller looked: roll back
            before = await entries.is_highlighted(session, captured.entry_id)
            await entries.set_highlight(
                session,
                entry_id=captured.entry_id,
                source=source,
                user_id=user_id,
                active=active,
                changed_at=at,
            )
            highlighted = await entries.refresh_highlighted(session, captured.entry_id)
        return Marked(captured.incident_id, captured.entry_id, highlighted, highlighted != before)

    async def _absorb(
        self,
        session: Session,
        incident_id: int,
        message: SlackMessage,
        *,
        older: SlackMessage | None = None,
        deleted_at: datetime | None = None,
    ) -> Captured:
        now = self.clock()
        new = self._new(incident_id, message, deleted_at=deleted_at)
        absorbed = await message_versions.absorb(
            session, new, message, older=older, now=now, purge=self._purges
        )
        if absorbed.quoted_deletion:  # the stored draft quotes it: draft again
            await jobs.put(
                session,
                POSTMORTEM_DRAFT,
                incident_id=absorbed.incident_id,
                due_at=now,
                now=now,
                payload={SUPERSEDE: True},
            )
        return Captured(absorbed.incident_id, absorbed.entry_id, created=absorbed.created)

    async def add_from_shortcut(
        self, message: SlackMessage, *, user_id: str, incident_id: int | None = None
    ) -> Added | Hidden | None:
        """ "Add to incident timeline": a key entry at the message's own time.

        A message already on a timeline is marked there, whatever `incident_id` says;
        otherwise it goes to `incident_id`, or without one to the war room it is in
        (None elsewhere). `HIDDEN` if that incident is one `user_id` may not see.
        """
        target = await self._shortcut_target(message, incident_id)
        if target is None:
            return None
        if not await self.rooms.audience.may_see(user_id, target):
            return HIDDEN
        marked = await self.mark(
            message.channel_id,
            message.ts,
            source=f"shortcut:{user_id}",
            user_id=user_id,
            active=True,
            at=self.clock(),
            message=message,
            incident_id=target.id,
        )
        if marked is None:
            return None
        async with self.store.read() as session:
            incident = await incidents.load(session, marked.incident_id)
        return Added(incident, marked.highlighted)

    async def _shortcut_target(
        self, message: SlackMessage, incident_id: int | None
    ) -> Incident | None:
        async with self.store.read() as session:
            found = await entries.incident_of(session, message.channel_id, message.ts)
            if found is not None:
                return await incidents.load(session, found)
        if incident_id is not None:
            return await self.incident(incident_id)
        room = await self.rooms.incident_in(message.channel_id)
        if room is None or room.card_ts == message.ts:
            return None
        return room

    # -- typed entries and reading -----------------------------------------------

    async def add_typed(
        self, incident: Incident, *, kind: str, author_id: str, text: str, channel_id: str
    ) -> TimelineItem:
        """`/incident note|symptom|hypothesis|action|result <text>` (text in Slack's format)."""
        if kind not in TYPED_KINDS:
            raise ValueError(f"unknown typed entry kind {kind!r}")
        actor = await self.guard.admit(incident.id, author_id, Action.ADD_NOTE)
        now = self.clock()
        async with self.store.transaction() as session:
            await self.guard.hold(session, incident.id, actor, Action.ADD_NOTE)
            return await entries.append(
                session,
                incident_id=incident.id,
                kind=kind,
                author_id=author_id,
                text=text,
                occurred_at=now,
                recorded_at=now,
                data={"channel_id": channel_id},
            )

    async def key_page(self, incident_id: int, before: Cursor | None = None) -> KeyPage:
        """A page of the key timeline, newest last; `before` pages back in time."""
        anchor = (before.occurred_at, before.entry_id) if before else None
        shown = before.shown if before else 0
        async with self.store.read() as session:
            incident = await incidents.load(session, incident_id)
            items = await entries.key_entries(
                session, incident_id, before=anchor, limit=PAGE_SIZE + 1
            )
            total = await entries.count_key_entries(session, incident_id)
        page = items[:PAGE_SIZE]
        earlier = None
        if len(items) > PAGE_SIZE:
            oldest = page[-1]
            earlier = Cursor(incident_id, oldest.occurred_at, oldest.id, shown + len(page))
        return KeyPage(incident, tuple(reversed(page)), total, shown, earlier)

    async def incidents_for(self, team_id: str, user_id: str) -> list[Incident]:
        """Open incidents `user_id` may add a message to: private ones only if they're in it."""
        return await self.rooms.open_incidents(team_id, viewer=user_id)

    async def incident(self, incident_id: int) -> Incident | None:
        async with self.store.read() as session:
            return await incidents.find(session, incident_id)


class _OnAnotherIncident(Exception):
    pass
