"""Declaring an incident: record it first, then build its war room, resumably.

`record` writes the incident and its `declared` entry before Slack is told the
submission was accepted, so nothing acknowledged can be lost. `provision` then
builds the room in at most three sequential rounds of Slack calls
(create channel → invite, card, topic, announcement together → pin and tell the
reporter), writing down the channel as soon as it exists and the messages with
the closing transaction. Running it again resumes where it stopped; a lease,
renewed every few seconds by the run that holds it, keeps two runs from
building the same room.

A run can die between Slack acting and Warroom recording it (SIGKILL, a
timeout Slack answered after all). A resumed run therefore first looks for
what Slack already has: its card and announcement among the messages Warroom
itself posted, and its channel, but only when a channel creation is in doubt
(`pending_channel_name`, written before each conversations.create and cleared
by Slack's answer, whether channel or refusal) and only a channel Warroom made
for this incident (see domain/room_adoption.py): a squatter's channel of the
same name is never taken. If nobody resumes, the `finish_room` job, due once
an unrenewed lease has run out (12 seconds after the declaration), does.

A public incident declared with `/incident declare` in a public channel also gets
one line in that channel linking the war room (`announce_in_origin_channel`). The
channel is written down with the declaration (the `declared` entry's data), the
line is posted with the announcement, and a resumed run first looks for it there,
as for the announcement: it is posted at most once, and Warroom not being in that
channel (or any other refusal) is logged and never fails the setup.

An incident declared from a message (the "Declare incident" message shortcut)
keeps where that message is (`ORIGIN_MESSAGE` in the `declared` entry's data:
channel, ts, thread and Slack's permalink). With the announcement round Warroom
replies once in the message's thread (`origin_reply`; a private incident says only
that it was declared privately), looking first, on a resumed run, among its own
replies there; with the pin, the war room gets one line linking the message. Either
refused (Warroom not in that channel, say) is logged and never fails the setup.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import Enum

from warroom.domain.clock import Clock
from warroom.domain.declaration import Declaration, DeclaredFrom
from warroom.domain.incident import Incident
from warroom.domain.naming import room_names
from warroom.domain.policy import Policy
from warroom.domain.room_adoption import adoption_refusal
from warroom.services.reminders import Reminders
from warroom.services.surfaces import Surfaces
from warroom.slack.blocks.announcement import announcement, announcement_block_id
from warroom.slack.blocks.card import CARD_BLOCK_ID, incident_card
from warroom.slack.blocks.notices import room_ready, setup_failed, setup_in_progress
from warroom.slack.blocks.origin import (
    declared_from_block_id,
    declared_from_line,
    origin_note,
    origin_note_block_id,
    origin_reply,
    origin_reply_block_id,
)
from warroom.slack.blocks.topic import channel_topic
from warroom.slack.errors import SlackFailure
from warroom.slack.gateway import ChannelRef, InviteProblem, MessageRef, SlackGateway
from warroom.slack.message import Message
from warroom.store import incidents, jobs, timeline
from warroom.store.engine import Conflict, DatabaseUnavailable, Session, Store
from warroom.store.jobs import Job

__all__ = [
    "FINISH_ROOM",
    "ORIGIN_CHANNEL",
    "ORIGIN_MESSAGE",
    "DeclareService",
    "ProvisionResult",
    "SetupStillRunning",
]

log = logging.getLogger(__name__)

PROVISION_LEASE = timedelta(seconds=10)
"""How long a setup run's claim lasts unless the run renews it: short, so that a
room whose run died is finished by the `finish_room` job within seconds."""
LEASE_RENEWAL_S = 3.0
FINISH_ROOM = "finish_room"
FINISH_ROOM_GRACE = timedelta(seconds=2)
INITIAL_STATUS = "investigating"
NAME_ATTEMPTS = 5
ORIGIN_CHANNEL = "origin_channel"
"""In the `declared` entry's data: the public channel the incident was declared from."""
ORIGIN_MESSAGE = "origin_message"
"""In the `declared` entry's data: the message it was declared from (`DeclaredFrom`)."""
_ORIGIN_SKIPPED = frozenset({"not_in_channel", "channel_not_found", "is_archived"})


@dataclass(frozen=True)
class Origins:
    """Where a setup run says the incident came from (see `_origins`)."""

    channel: str | None = None
    """The public channel `/incident declare` was typed in, for the one-line note."""
    message: DeclaredFrom | None = None
    """The message it was declared from, linked from the war room."""
    reply_to: DeclaredFrom | None = None
    """The same message, when its thread is to be answered."""


class SetupStillRunning(Exception):
    """Another run holds the lease; the job tries again later."""


class ProvisionResult(Enum):
    READY = "ready"
    ALREADY_READY = "already_ready"
    IN_PROGRESS = "in_progress"
    FAILED = "failed"


@dataclass
class DeclareService:
    store: Store
    gateway: SlackGateway
    policy: Policy
    clock: Clock
    reminders: Reminders
    broadcast_channel: str | None
    surfaces: Surfaces
    lease_renewal_s: float = LEASE_RENEWAL_S

    async def record(
        self,
        *,
        team_id: str,
        reporter_id: str,
        declaration: Declaration,
        declare_key: str,
        origin_channel: str | None = None,
        declared_from: DeclaredFrom | None = None,
    ) -> Incident:
        """Store the incident; the same `declare_key` (one modal) never makes a second one.

        `origin_channel`: the public channel `/incident declare` was typed in, to be told
        where the war room is (kept only for a public incident declared elsewhere than in
        the broadcast channel). `declared_from`: the message it was declared from, to be
        answered in its thread and linked from the war room."""
        if declaration.private or origin_channel == self.broadcast_channel:
            origin_channel = None
        try:
            return await self._insert(
                team_id, reporter_id, declaration, declare_key, origin_channel, declared_from
            )
        except Conflict:
            async with self.store.transaction() as session:
                existing = await incidents.find_by_declare_key(session, declare_key)
                if existing is None:
                    raise
                return existing

    async def _insert(
        self,
        team_id: str,
        reporter_id: str,
        declaration: Declaration,
        declare_key: str,
        origin_channel: str | None,
        declared_from: DeclaredFrom | None = None,
    ) -> Incident:
        """The incident, its first timeline entry and its jobs in four INSERTs: this
        transaction is all Slack waits for before the form is answered. A second
        submission of the same form breaks the unique `declare_key` (`Conflict`)."""
        now = self.clock()
        due, planned = self.reminders.first_plan(
            severity=declaration.severity, status=INITIAL_STATUS, declared_at=now
        )
        async with self.store.transaction() as session:
            if origin_channel and await incidents.id_by_channel(session, origin_channel):
                origin_channel = None  # declared inside another incident's war room
            incident = await incidents.insert_incident(
                session,
                team_id=team_id,
                reporter_id=reporter_id,
                declaration=declaration,
                declare_key=declare_key,
                status=INITIAL_STATUS,
                now=now,
                next_update_due_at=due,
            )
            await timeline.append(
                session,
                incident_id=incident.id,
                kind="declared",
                author_id=reporter_id,
                text=f"Declared {declaration.severity}: {declaration.title}",
                occurred_at=now,
                recorded_at=now,
                data={
                    "severity": declaration.severity,
                    "impact": declaration.impact,
                    "private": declaration.private,
                    "responders": list(declaration.responders),
                    **({ORIGIN_CHANNEL: origin_channel} if origin_channel else {}),
                    **({ORIGIN_MESSAGE: declared_from.to_data()} if declared_from else {}),
                },
            )
            finish_room_at = now + PROVISION_LEASE + FINISH_ROOM_GRACE
            await jobs.add_many(
                session, incident.id, [*planned, (FINISH_ROOM, finish_room_at, {})], now=now
            )
            return incident

    async def finish_room(self, job: Job) -> None:
        """The scheduler's safety net: finish a room whose setup died with its process."""
        assert job.incident_id is not None
        async with self.store.read() as session:
            incident = await incidents.load(session, job.incident_id)
        if incident.provisioned_at is not None:
            return
        result = await self.provision(job.incident_id, response_url=None)
        if result is ProvisionResult.IN_PROGRESS:
            raise SetupStillRunning(f"{incident.reference}: another run is setting it up")

    async def provision(
        self, incident_id: int, *, response_url: str | None, replace_original: bool = False
    ) -> ProvisionResult:
        """Build (or finish building) the war room, then tell the reporter how it went.

        Without a `response_url` (the scheduler) nobody asked, so a room that is
        ready or being built by another run needs no note.
        """
        async with self.store.transaction() as session:
            claim = await incidents.claim_provisioning(
                session, incident_id, self.clock(), PROVISION_LEASE
            )
            incident = await incidents.load(session, incident_id)
            origins = await self._origins(session, incident) if claim is not None else None
        if claim is None:
            ready = incident.provisioned_at is not None
            if response_url is not None:
                note = room_ready(incident) if ready else setup_in_progress(incident)
                await self._tell(incident, note, response_url, replace_original)
            return ProvisionResult.ALREADY_READY if ready else ProvisionResult.IN_PROGRESS
        try:
            async with self._lease_kept(incident_id, claim.until):
                incident, not_invited, refs = await self._build(
                    incident, resumed=claim.resumed, origins=origins or Origins()
                )
        except SlackFailure as failure:
            async with self.store.transaction() as session:
                await incidents.release_provisioning(
                    session, incident_id, done_at=None, error=str(failure)
                )
                incident = await incidents.load(session, incident_id)
            log.warning("%s: war room setup failed: %s", incident.reference, failure)
            note = setup_failed(
                incident,
                method=failure.method,
                error=failure.error,
                advice=failure.advice,
                announce=self._announces(incident),
            )
            await self._tell(incident, note, response_url, replace_original)
            return ProvisionResult.FAILED
        except BaseException:
            async with self.store.transaction() as session:
                await incidents.release_provisioning(
                    session, incident_id, done_at=None, error="internal error"
                )
            raise
        async with self.store.transaction() as session:
            await incidents.release_provisioning(
                session, incident_id, done_at=self.clock(), error=None, facts=refs
            )
            await jobs.cancel(session, incident_id, [FINISH_ROOM])
        if claim.resumed:  # a card or announcement found from an earlier run may be stale
            await self.surfaces.refresh(incident_id, topic=False)
        else:
            await self.surfaces.changed(incident_id)  # the Home tabs list it now
        problems = [(p.user_id, p.error) for p in not_invited]
        await self._tell(incident, room_ready(incident, problems), response_url, replace_original)
        return ProvisionResult.READY

    @asynccontextmanager
    async def _lease_kept(self, incident_id: int, until: datetime) -> AsyncIterator[None]:
        done = asyncio.Event()
        renewing = asyncio.create_task(self._renew(done, incident_id, until))
        try:
            yield
        finally:
            done.set()
            await renewing

    async def _renew(self, done: asyncio.Event, incident_id: int, held: datetime) -> None:
        """Renew the claim every few seconds until `done`: a run that died stops
        renewing, and its lease runs out soon after. A renewal finishes its
        transaction before the build's own closing one starts."""
        while True:
            try:
                await asyncio.wait_for(done.wait(), self.lease_renewal_s)
                return
            except TimeoutError:
                pass
            until = self.clock() + PROVISION_LEASE
            try:
                async with self.store.transaction() as session:
                    kept = await incidents.renew_provisioning(
                        session, incident_id, held=held, until=until
                    )
            except DatabaseUnavailable as error:
                log.warning("incident %s: setup lease not renewed: %s", incident_id, error)
                continue
            if not kept:
                log.warning("incident %s: setup lease lapsed and was taken over", incident_id)
                return
            held = until

    def _announces(self, incident: Incident) -> bool:
        return self.broadcast_channel is not None and not incident.private

    async def _build(
        self, incident: Incident, *, resumed: bool, origins: Origins
    ) -> tuple[Incident, list[InviteProblem], dict[str, str | None]]:
        """The room, its members, card, topic and announcement. The messages' references
        are returned for the closing transaction to write down; if a later step fails
        they are written before the failure is raised. A run that dies before either
        leaves them to the next run, which finds its own messages in the channels."""
        if incident.channel_id is None:
            channel = await self._adoptable_room(incident) or await self._create_room(incident)
            incident = replace(
                incident,
                channel_id=channel.id,
                channel_name=channel.name,
                pending_channel_name=None,
            )
            await self._save(
                incident,
                channel_id=channel.id,
                channel_name=channel.name,
                pending_channel_name=None,
            )
        room = incident.channel_id
        assert room is not None
        invited, card, topic_set, announced, noted, replied = await asyncio.gather(
            self.gateway.invite(room, [incident.reporter_id, *incident.invitees]),
            self._post_card(incident, resumed=resumed),
            self.gateway.set_topic(room, channel_topic(incident, self.policy)),
            self._announce(incident, resumed=resumed),
            self._note_origin(incident, origins.channel, resumed=resumed),
            self._reply_in_thread(incident, origins.reply_to, resumed=resumed),
            return_exceptions=True,
        )
        refs: dict[str, str | None] = {}
        for ref in (card, announced):
            if isinstance(ref, MessageRef):
                incident, fields = self._with_ref(incident, ref)
                refs.update(fields)
        try:
            for outcome in (invited, card, topic_set, announced, noted, replied):
                if isinstance(outcome, BaseException):
                    raise outcome
            assert isinstance(invited, list) and isinstance(card, MessageRef)
            for outcome in await asyncio.gather(
                self.gateway.pin(card),
                self._link_message(incident, origins.message, resumed=resumed),
                return_exceptions=True,
            ):
                if isinstance(outcome, BaseException):
                    raise outcome
        except BaseException:
            if refs:
                await self._save(incident, **refs)
            raise
        return incident, invited, refs

    async def _adoptable_room(self, incident: Incident) -> ChannelRef | None:
        """The channel an earlier run asked Slack for and never heard back about, if
        Slack made it; None if none is in doubt, or the channel is not Warroom's own."""
        name = incident.pending_channel_name
        if name is None:
            return None
        found = await self.gateway.channel_named(name)
        if found is None:
            return None
        me = await self.gateway.identity()
        refusal = adoption_refusal(found, incident, made_by=me.user_id)
        if refusal is not None:
            log.warning(
                "%s: not adopting channel %s (#%s) as the war room: %s",
                incident.reference,
                found.id,
                found.name,
                refusal,
            )
            return None
        log.info("%s: adopting channel %s, made by an earlier setup", incident.reference, found.id)
        return ChannelRef(id=found.id, name=found.name)

    async def _create_room(self, incident: Incident) -> ChannelRef:
        """A new channel, under a fresh name after each `name_taken`.

        Each name is written down before Slack is asked for it; Slack's answer, a
        channel or a refusal, clears it. Only a call with no answer leaves it, for
        a resumed run to look for (and adopt only if Warroom made it).
        """
        names = room_names(incident.number, incident.title)
        for attempt in range(1, NAME_ATTEMPTS + 1):
            name = next(names)
            await self._save(incident, pending_channel_name=name)
            try:
                return await self.gateway.create_channel(name, private=incident.private)
            except SlackFailure as failure:
                if failure.outcome_unknown:
                    raise
                await self._save(incident, pending_channel_name=None)
                if failure.error != "name_taken" or attempt == NAME_ATTEMPTS:
                    raise
        raise AssertionError("unreachable")

    @staticmethod
    def _with_ref(incident: Incident, ref: MessageRef) -> tuple[Incident, dict[str, str | None]]:
        if ref.channel == incident.channel_id:
            return replace(incident, card_ts=ref.ts), {"card_ts": ref.ts}
        fields: dict[str, str | None] = {
            "announcement_channel_id": ref.channel,
            "announcement_ts": ref.ts,
        }
        return replace(
            incident, announcement_channel_id=ref.channel, announcement_ts=ref.ts
        ), fields

    async def _post_card(self, incident: Incident, *, resumed: bool) -> MessageRef:
        assert incident.channel_id is not None
        if incident.card_ts is not None:
            return MessageRef(incident.channel_id, incident.card_ts)
        found = None
        if resumed:
            found = await self.gateway.find_own_message(
                incident.channel_id, CARD_BLOCK_ID, since=incident.declared_at
            )
        return found or await self.gateway.post(
            incident.channel_id, incident_card(incident, self.policy, now=self.clock())
        )

    async def _announce(self, incident: Incident, *, resumed: bool) -> MessageRef | None:
        if not self._announces(incident):
            return None
        if incident.announcement_ts is not None and incident.announcement_channel_id:
            return MessageRef(incident.announcement_channel_id, incident.announcement_ts)
        assert self.broadcast_channel is not None
        found = None
        if resumed:
            found = await self.gateway.find_own_message(
                self.broadcast_channel, announcement_block_id(incident), since=incident.declared_at
            )
        return found or await self.gateway.post(
            self.broadcast_channel,
            announcement(incident, self.policy, now=self.clock()),
            join_if_needed=True,
        )

    async def _origins(self, session: Session, incident: Incident) -> Origins:
        """Where the incident came from, as written down with the declaration: the
        public channel to link the room in (never another war room) and the message to
        answer in its thread, each only if the policy wants the line; the message to
        link from the room, always."""
        declared = await timeline.first_data(session, incident.id, "declared")
        message = DeclaredFrom.from_data(declared.get(ORIGIN_MESSAGE))
        if not self.policy.announce_in_origin_channel:
            return Origins(message=message)
        channel = declared.get(ORIGIN_CHANNEL)
        if (
            incident.private
            or not isinstance(channel, str)
            or not channel
            or channel == self.broadcast_channel
        ):
            channel = None
        return Origins(channel=channel, message=message, reply_to=message)

    async def _reply_in_thread(
        self, incident: Incident, message: DeclaredFrom | None, *, resumed: bool
    ) -> None:
        """The reply in the thread of the message the incident was declared from, posted
        once (a resumed run looks for it first); never a SlackFailure."""
        if message is None:
            return
        block_id = origin_reply_block_id(incident)
        thread = message.reply_thread
        try:
            if resumed and await self.gateway.find_own_reply(message.channel_id, thread, block_id):
                return  # an earlier run replied
            await self.gateway.post(message.channel_id, origin_reply(incident), thread_ts=thread)
        except SlackFailure as failure:
            log.log(
                logging.INFO if failure.error in _ORIGIN_SKIPPED else logging.WARNING,
                "%s: no reply in the thread of %s in %s, where it was declared from: %s",
                incident.reference,
                message.ts,
                message.channel_id,
                failure,
            )

    async def _link_message(
        self, incident: Incident, message: DeclaredFrom | None, *, resumed: bool
    ) -> None:
        """The war room's line linking the message it was declared from; posted once,
        never a SlackFailure (the room works without it)."""
        room = incident.channel_id
        if message is None or room is None:
            return
        block_id = declared_from_block_id(incident)
        try:
            if resumed and await self.gateway.find_own_message(
                room, block_id, since=incident.declared_at
            ):
                return
            await self.gateway.post(room, declared_from_line(incident, message))
        except SlackFailure as failure:
            log.warning("%s: the room does not link its message: %s", incident.reference, failure)

    async def _note_origin(self, incident: Incident, origin: str | None, *, resumed: bool) -> None:
        """The line in the channel the incident was declared from; never a SlackFailure."""
        if origin is None:
            return
        block_id = origin_note_block_id(incident)
        try:
            if resumed and await self.gateway.find_own_message(
                origin, block_id, since=incident.declared_at
            ):
                return  # an earlier run posted it
            await self.gateway.post(origin, origin_note(incident))
        except SlackFailure as failure:
            log.log(
                logging.INFO if failure.error in _ORIGIN_SKIPPED else logging.WARNING,
                "%s: no note in channel %s, where it was declared: %s",
                incident.reference,
                origin,
                failure,
            )

    async def _save(self, incident: Incident, **fields: str | None) -> None:
        async with self.store.transaction() as session:
            await incidents.record(session, incident.id, **fields)

    async def _tell(
        self,
        incident: Incident,
        note: Message,
        response_url: str | None,
        replace_original: bool,
    ) -> None:
        try:
            await self.gateway.tell(
                incident.reporter_id,
                note,
                response_url=response_url,
                replace_original=replace_original,
            )
        except SlackFailure as failure:
            log.error("%s: could not reach the reporter: %s", incident.reference, failure)
