"""Reminders that keep action items and postmortems from dying quietly.

They are due jobs, each re-checking the item when it runs, so an item marked
done or won't do in the meantime is skipped:

* `action_item_overdue` — planned when an item is added, at business-hours
  opening on the first working day after the due date (the item was due *by
  the end of* `due_on`), in the policy's business-hours zone. It goes to the
  owner privately (a DM; the room if Slack refuses the DM), or to the IC when
  there is no owner.
* `action_item_escalate` — planned by the first reminder, one working day
  later: the IC (the reporter while nobody holds the role) hears the item is
  still open. Skipped when the first reminder already went to that person.
* `postmortem_open` — planned by `plan_postmortem_reminder` from the resolve
  transaction: some working days after resolve (`postmortem_reminder_after` in
  the policy, 5 by default), if the incident is still resolved and not closed,
  the IC (or reporter) is reminded that the postmortem is open, then again every
  `postmortem_reminder_every` (a week by default) until it is closed.

Every reminder sent is a `reminder` timeline entry whose `data["job"]` is the
job kind.

A private incident's reminder is DMed only to someone in its room now (see
`Audience`); one meant for anybody else is posted in the room instead, for
the IC (or the whole room while no member holds the role), so nothing about
the incident reaches a person who may not see it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from warroom.domain.action_item import ActionItem
from warroom.domain.clock import Clock
from warroom.domain.incident import Incident
from warroom.domain.policy import Policy
from warroom.domain.working_days import after_working_days, next_working_day
from warroom.scheduler.tick import JobHandler
from warroom.services.audience import Audience
from warroom.slack.blocks.action_items import (
    overdue_to_commander,
    overdue_to_owner,
    postmortem_open,
    reminder_in_room,
)
from warroom.slack.errors import SlackFailure
from warroom.slack.gateway import SlackGateway
from warroom.slack.message import Message
from warroom.store import action_items, incidents, jobs, timeline
from warroom.store.engine import Session, Store
from warroom.store.jobs import Job, Planned

__all__ = [
    "ITEM_ESCALATE",
    "ITEM_OVERDUE",
    "POSTMORTEM_OPEN",
    "ActionItemReminders",
    "plan_postmortem_reminder",
]

ITEM_OVERDUE = "action_item_overdue"
ITEM_ESCALATE = "action_item_escalate"
POSTMORTEM_OPEN = "postmortem_open"


def _who(told: str) -> str:
    return "the room" if told == "here" else f"<@{told}>"


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


async def plan_postmortem_reminder(
    session: Session,
    incident: Incident,
    now: datetime,
    *,
    policy: Policy,
) -> datetime:
    """Plan the "postmortem still open" reminder; call it in the resolve transaction.

    Replaces one planned by an earlier resolve. Returns when it falls due.
    """
    resolved = incident.resolved_at or now
    working_days = policy.postmortem_reminder_working_days
    due = after_working_days(policy.business_hours, resolved, working_days)
    await jobs.put(
        session,
        POSTMORTEM_OPEN,
        incident_id=incident.id,
        due_at=due,
        now=now,
        payload={"resolved_at": _iso(resolved), "working_days": working_days},
    )
    return due


@dataclass
class ActionItemReminders:
    """The due-job handlers for the reminders above."""

    store: Store
    gateway: SlackGateway
    policy: Policy
    clock: Clock
    audience: Audience

    def handlers(self) -> Mapping[str, JobHandler]:
        return {
            ITEM_OVERDUE: self._overdue,
            ITEM_ESCALATE: self._escalate,
            POSTMORTEM_OPEN: self._postmortem_open,
        }

    def _commander(self, incident: Incident) -> str:
        return incident.holder(self.policy.commander_role.key) or incident.reporter_id

    async def _item(self, item_id: int) -> tuple[Incident, ActionItem] | None:
        async with self.store.read() as session:
            item = await action_items.load(session, item_id)
            if item is None:
                return None
            return await incidents.load(session, item.incident_id), item

    async def _still_open(self, job: Job) -> tuple[Incident, ActionItem] | None:
        found = await self._item(int(job.payload.get("item", 0)))
        if found is None or not found[1].is_open or found[1].due_on is None:
            return None
        return found

    async def _reach(self, user_id: str, incident: Incident, message: Message) -> tuple[str, str]:
        """A DM; if Slack will never deliver it, a mention in the room; for someone who
        may not see the incident, the room for its IC. Returns (who was told, where)."""
        if incident.channel_id and not await self.audience.may_see(user_id, incident):
            room = incident.channel_id
            commander = incident.holder(self.policy.commander_role.key)
            if commander is not None and not await self.audience.may_see(commander, incident):
                commander = None
            note = reminder_in_room(message, mention=commander, absent=user_id)
            await self.gateway.post(room, note)
            return commander or "here", room
        try:
            ref = await self.gateway.dm(user_id, message)
        except SlackFailure as failure:
            if failure.transient or incident.channel_id is None:
                raise
            await self.gateway.post(incident.channel_id, message)
            return user_id, incident.channel_id
        return user_id, ref.channel

    async def _record(
        self,
        session: Session,
        job: Job,
        incident: Incident,
        *,
        text: str,
        to: str,
        channel: str,
        item: ActionItem | None = None,
    ) -> None:
        now = self.clock()
        data: dict[str, object] = {"job": job.kind, "to": to, "channel": channel}
        if item is not None:
            data["item"] = item.id
        await timeline.append(
            session,
            incident_id=incident.id,
            kind="reminder",
            author_id=None,
            text=text,
            occurred_at=now,
            recorded_at=now,
            data=data,
        )

    async def _overdue(self, job: Job) -> None:
        found = await self._still_open(job)
        if found is None:
            return
        incident, item = found
        commander = self._commander(incident)
        if item.owner_id:
            to, message = item.owner_id, overdue_to_owner(incident, item)
        else:
            to, message = commander, overdue_to_commander(incident, item, owner_reminded=False)
        to, channel = await self._reach(to, incident, message)
        async with self.store.transaction() as session:
            await self._record(
                session,
                job,
                incident,
                text=f"Action item overdue (due {item.due_on}); reminded {_who(to)}: {item.text}",
                to=to,
                channel=channel,
                item=item,
            )
            planned = any(
                other.kind == ITEM_ESCALATE and other.payload.get("item") == item.id
                for other in await jobs.pending(session, incident.id)
            )
            if to != commander and not planned:
                await jobs.put(
                    session,
                    ITEM_ESCALATE,
                    incident_id=incident.id,
                    due_at=next_working_day(self.policy.business_hours, self.clock()),
                    now=self.clock(),
                    payload={"item": item.id, "owner_reminded": to},
                    replace=False,
                )

    async def _escalate(self, job: Job) -> None:
        found = await self._still_open(job)
        if found is None:
            return
        incident, item = found
        commander = self._commander(incident)
        reminded = job.payload.get("owner_reminded") == item.owner_id
        message = overdue_to_commander(incident, item, owner_reminded=reminded)
        told, channel = await self._reach(commander, incident, message)
        async with self.store.transaction() as session:
            await self._record(
                session,
                job,
                incident,
                text=f"Action item still open after a reminder; told {_who(told)}: {item.text}",
                to=told,
                channel=channel,
                item=item,
            )

    async def _postmortem_open(self, job: Job) -> list[Planned]:
        assert job.incident_id is not None
        async with self.store.read() as session:
            incident = await incidents.load(session, job.incident_id)
            counts = await action_items.counts(session, incident.id)
        if (
            incident.resolved_at is None
            or incident.closed_at is not None
            or job.payload.get("resolved_at") != _iso(incident.resolved_at)
        ):
            return []
        days = int(job.payload.get("working_days", self.policy.postmortem_reminder_working_days))
        commander = self._commander(incident)
        repeat = int(job.payload.get("round", 0))
        since = (self.clock() - incident.resolved_at).days if repeat else None
        message = postmortem_open(incident, counts, working_days=days, days_since=since)
        told, channel = await self._reach(commander, incident, message)
        async with self.store.transaction() as session:
            await self._record(
                session,
                job,
                incident,
                text=(
                    f"Postmortem still open {days} working days after resolve; "
                    f"reminded {_who(told)} ({counts.open} action item(s) open)"
                ),
                to=told,
                channel=channel,
            )
        every = self.policy.postmortem_reminder_every
        if every is None:
            return []
        again = {**job.payload, "round": repeat + 1}
        return [(POSTMORTEM_OPEN, self.clock() + every, again)]
