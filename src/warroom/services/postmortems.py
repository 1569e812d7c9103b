"""Drafting the postmortem from the store and posting it in the war room.

Runs as a due job queued when the incident is resolved (so a crash cannot lose
it) and again on `/incident postmortem`. The draft is stored, summarised in the
room, and attached in full as Markdown. Only ever posted to the incident's own
channel, so a private incident's postmortem stays private.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from warroom.domain.clock import Clock
from warroom.domain.policy import Policy
from warroom.domain.postmortem import (
    ActionItemFact,
    Postmortem,
    PostmortemInput,
    RoleSpan,
    TimelineFact,
    draft_postmortem,
)
from warroom.domain.postmortem_markdown import render_markdown
from warroom.slack.blocks.postmortem import postmortem_filename, postmortem_summary
from warroom.slack.gateway import SlackGateway
from warroom.store import incidents
from warroom.store.engine import Store
from warroom.store.jobs import Job
from warroom.store.models import (
    ActionItemRow,
    PostmortemRow,
    RoleAssignmentRow,
    TimelineEntryRow,
)

__all__ = ["PostmortemService", "load_draft_input"]


async def load_draft_input(
    session: AsyncSession, incident_id: int, policy: Policy, now: datetime
) -> PostmortemInput:
    """Everything the pure draft needs, read in one transaction."""
    incident = await incidents.load(session, incident_id)
    entries = await session.execute(
        select(TimelineEntryRow)
        .where(TimelineEntryRow.incident_id == incident_id)
        .order_by(TimelineEntryRow.occurred_at, TimelineEntryRow.id)
    )
    roles = await session.execute(
        select(RoleAssignmentRow)
        .where(RoleAssignmentRow.incident_id == incident_id)
        .order_by(RoleAssignmentRow.assigned_at, RoleAssignmentRow.id)
    )
    items = await session.execute(
        select(ActionItemRow)
        .where(ActionItemRow.incident_id == incident_id)
        .order_by(ActionItemRow.id)
    )
    return PostmortemInput(
        incident=incident,
        policy=policy,
        entries=[
            TimelineFact(
                kind=e.kind,
                author_id=e.author_id,
                text=e.text,
                occurred_at=e.occurred_at,
                highlighted=e.highlighted,
                edited=e.edited_at is not None,
                deleted=e.deleted_at is not None,
                data=dict(e.data or {}),
            )
            for e in entries.scalars()
        ],
        role_history=[
            RoleSpan(r.role, r.user_id, r.assigned_by, r.assigned_at, r.ended_at)
            for r in roles.scalars()
        ],
        action_items=[
            ActionItemFact(a.text, a.owner_id, a.due_on, a.state, a.reason) for a in items.scalars()
        ],
        resolution=incident.summary if incident.resolved_at else None,
        root_cause=incident.root_cause,
        drafted_at=now,
    )


@dataclass
class PostmortemService:
    store: Store
    gateway: SlackGateway
    policy: Policy
    clock: Clock

    async def draft(self, incident_id: int) -> tuple[Postmortem, str, bool]:
        """Draft from the store and keep it; returns (draft, markdown, was it a re-draft)."""
        now = self.clock()
        async with self.store.transaction() as session:
            data = await load_draft_input(session, incident_id, self.policy, now)
            postmortem = draft_postmortem(data)
            markdown = render_markdown(postmortem)
            stored = await session.get(PostmortemRow, incident_id)
            redraft = stored is not None
            if stored is None:
                session.add(
                    PostmortemRow(incident_id=incident_id, markdown=markdown, drafted_at=now)
                )
            else:
                stored.markdown, stored.drafted_at = markdown, now
        return postmortem, markdown, redraft

    async def draft_and_post(self, incident_id: int) -> None:
        postmortem, markdown, redraft = await self.draft(incident_id)
        async with self.store.read() as session:
            incident = await incidents.load(session, incident_id)
        if incident.channel_id is None:
            return
        summary = postmortem_summary(postmortem, incident_id, redraft=redraft)
        ref = await self.gateway.post(incident.channel_id, summary)
        async with self.store.transaction() as session:
            stored = await session.get_one(PostmortemRow, incident_id)
            stored.message_ts, stored.file_id = ref.ts, None
        await self._attach(incident_id, incident.channel_id, incident.reference, markdown, ref.ts)

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
            stored = await session.get_one(PostmortemRow, incident_id)
            stored.file_id = file_id

    async def on_job(self, job: Job) -> None:
        """Draft and post; a retry whose earlier try posted the summary only attaches the
        file under it, so Slack never shows the summary twice."""
        assert job.incident_id is not None
        async with self.store.read() as session:
            stored = await session.get(PostmortemRow, job.incident_id)
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
        await self.draft_and_post(job.incident_id)
