"""Drafting the postmortem from the store and posting it in the war room.

Runs as a due job queued when the incident is resolved (so a crash cannot lose
it) and again on `/incident postmortem`; requests that meet a draft already on
its way join it. The draft is stored, summarised in the room, and attached in
full as Markdown. Only ever posted to the incident's own channel, so a private
incident's postmortem stays private.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass

from warroom.domain.clock import Clock
from warroom.domain.policy import Policy
from warroom.domain.postmortem import Postmortem, draft_postmortem
from warroom.domain.postmortem_markdown import people_in, render_markdown
from warroom.services.lifecycle import POSTMORTEM_DRAFT, SUPERSEDE, Refused
from warroom.services.people import People
from warroom.slack.blocks.postmortem import postmortem_filename, postmortem_summary
from warroom.slack.errors import SlackFailure
from warroom.slack.gateway import MessageRef, SlackGateway
from warroom.store import incidents, jobs, postmortems
from warroom.store.engine import Store
from warroom.store.jobs import Job
from warroom.store.postmortem_reads import load_draft_input

__all__ = ["DraftRequest", "PostmortemService", "load_draft_input"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DraftRequest:
    """The draft job a request for a postmortem is answered by."""

    job_id: int
    joined: bool
    """A draft was already queued or being written: this request rides on it."""


@dataclass
class PostmortemService:
    store: Store
    gateway: SlackGateway
    policy: Policy
    clock: Clock
    people: People

    async def request(self, incident_id: int) -> DraftRequest:
        """Queue a draft, unless one is queued or being written already: requests that
        arrive together (five people typing `/incident postmortem`, or one right after
        resolving) get one draft between them, on every replica. The incident's row
        lock (PostgreSQL) or the one writer (SQLite) makes the check and the insert one
        step."""
        now = self.clock()
        async with self.store.transaction() as session:
            incident = await incidents.lock(session, incident_id)
            if incident.cancelled_at is not None:
                raise Refused(
                    f"{incident.reference} was cancelled ({incident.cancel_reason}): "
                    "a false alarm or a duplicate gets no postmortem. `/incident reopen` first "
                    "if it was real after all."
                )
            waiting = [
                j for j in await jobs.pending(session, incident_id) if j.kind == POSTMORTEM_DRAFT
            ]
            if waiting:
                return DraftRequest(waiting[0].id, joined=True)
            job_id = await jobs.put(
                session,
                POSTMORTEM_DRAFT,
                incident_id=incident_id,
                due_at=now,
                now=now,
                replace=False,
            )
        return DraftRequest(job_id, joined=False)

    async def draft(
        self, incident_id: int, *, job_id: int | None = None
    ) -> tuple[Postmortem, str, bool] | None:
        """Draft from the store and keep it; returns (draft, markdown, was it a re-draft),
        or None when job `job_id` was superseded meanwhile (resolving again queues a
        fresh draft in its place; reopening cancels it).

        The reads are short and paged, the drafting and rendering run on a worker
        thread, and the draft's only write transaction is the last step: the event loop
        and SQLite's one writer stay free for everyone else while a long incident is
        drafted. Between drafting and rendering, the people it names are looked up
        (`People.names`: a short write of its own when Slack was asked; never a failure,
        someone Slack cannot name is shown by ID)."""
        now = self.clock()
        started = time.perf_counter()
        data = await load_draft_input(self.store, incident_id, self.policy, now)
        read = time.perf_counter()
        postmortem = await asyncio.to_thread(draft_postmortem, data)
        names = await self.people.names(people_in(postmortem))
        markdown = await asyncio.to_thread(render_markdown, postmortem, names=names)
        log.info(
            "postmortem of %s: %d of %d entries read in %.2f s, drafted in %.2f s",
            postmortem.reference,
            len(data.entries),
            postmortem.entries_total,
            read - started,
            time.perf_counter() - read,
        )
        async with self.store.transaction() as session:
            await incidents.lock(session, incident_id)
            if job_id is not None and not await jobs.is_pending(session, job_id):
                log.info("postmortem draft job %s was superseded; not posted", job_id)
                return None
            redraft = await postmortems.save(session, incident_id, markdown, now)
        return postmortem, markdown, redraft

    async def draft_and_post(
        self, incident_id: int, *, job_id: int | None = None, supersede: bool = False
    ) -> None:
        """Draft and post. With `supersede` (the last draft quoted a message since deleted)
        the previous summary and file are deleted from Slack once the new ones are up."""
        async with self.store.read() as session:
            before = await postmortems.load(session, incident_id)
            previous = (before.message_ts, before.file_id) if before is not None else None
        drafted = await self.draft(incident_id, job_id=job_id)
        if drafted is None:
            return
        postmortem, markdown, redraft = drafted
        async with self.store.read() as session:
            incident = await incidents.load(session, incident_id)
        if incident.channel_id is None:
            return
        summary = postmortem_summary(postmortem, incident_id, redraft=redraft)
        ref = await self.gateway.post(incident.channel_id, summary)
        async with self.store.transaction() as session:
            await postmortems.posted(session, incident_id, ref.ts)
        await self._attach(incident_id, incident.channel_id, incident.reference, markdown, ref.ts)
        if supersede and previous is not None:
            await self._withdraw(incident.channel_id, *previous)

    async def _withdraw(self, channel_id: str, message_ts: str | None, file_id: str | None) -> None:
        """Take a superseded draft out of Slack; what cannot be deleted is logged, and the
        new draft stands either way."""
        try:
            if file_id:
                await self.gateway.delete_file(file_id)
            if message_ts:
                await self.gateway.delete(MessageRef(channel_id, message_ts))
        except SlackFailure as failure:
            log.warning("could not delete a superseded postmortem draft: %s", failure)

    async def _attach(
        self, incident_id: int, channel_id: str, reference: str, markdown: str, thread_ts: str
    ) -> None:
        file_id = await self.gateway.upload(
            channel_id,
            filename=postmortem_filename(reference),
            content=markdown,
            title=f"{reference} postmortem draft",
            thread_ts=thread_ts,
        )
        async with self.store.transaction() as session:
            await postmortems.attached(session, incident_id, file_id)

    async def on_job(self, job: Job) -> None:
        """Draft and post; a retry whose earlier try posted the summary only attaches the
        file under it, so Slack never shows the summary twice."""
        assert job.incident_id is not None
        async with self.store.read() as session:
            stored = await postmortems.load(session, job.incident_id)
            incident = await incidents.load(session, job.incident_id)
        posted = stored is not None and stored.message_ts is not None and stored.file_id is None
        if job.attempts > 1 and posted and incident.channel_id is not None:
            assert stored is not None and stored.message_ts is not None
            await self._attach(
                job.incident_id,
                incident.channel_id,
                incident.reference,
                stored.markdown,
                stored.message_ts,
            )
            return
        await self.draft_and_post(
            job.incident_id, job_id=job.id, supersede=bool(job.payload.get(SUPERSEDE))
        )
