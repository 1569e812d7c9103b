"""Action items: follow-ups with an owner and a due date that cannot die quietly.

Adding one stores it and plans its overdue reminder in one transaction. The
reminders are due jobs, each re-checking the item when it runs, so an item
marked done or won't do in the meantime is skipped:

* `action_item_overdue` — at business-hours opening on the first working day
  after the due date (the item was due *by the end of* `due_on`), in the
  policy's business-hours zone. It goes to the owner privately (a DM; the room
  if Slack refuses the DM), or to the IC when there is no owner.
* `action_item_escalate` — planned by the first reminder, one working day
  later: the IC (the reporter while nobody holds the role) hears the item is
  still open. Skipped when the first reminder already went to that person.
* `postmortem_open` — planned by `plan_postmortem_reminder` from the resolve
  transaction: 5 working days after resolve, if the incident is still resolved
  and not closed, the IC (or reporter) is reminded that the postmortem is open.

Every reminder sent is a `reminder` timeline entry whose `data["job"]` is the
job kind.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from warroom.domain.clock import Clock
from warroom.domain.incident import Incident
from warroom.domain.policy import BusinessHours, Policy
from warroom.scheduler.tick import TRANSIENT, JobHandler
from warroom.services.fanout import fan_out
from warroom.slack import mrkdwn
from warroom.slack.blocks.action_items import (
    ITEM_TEXT_MAX,
    PAGE_SIZE,
    USAGE_SHOWN,
    added_line,
    closed_line,
    overdue_to_commander,
    overdue_to_owner,
    owner_notice,
    postmortem_open,
)
from warroom.slack.errors import SlackFailure
from warroom.slack.gateway import SlackGateway
from warroom.slack.message import Message
from warroom.store import action_items, incidents, jobs, timeline
from warroom.store.action_items import OPEN, WONT_DO, ActionItem, Counts
from warroom.store.engine import Store
from warroom.store.jobs import Job

__all__ = [
    "ITEM_ESCALATE",
    "ITEM_OVERDUE",
    "POSTMORTEM_OPEN",
    "POSTMORTEM_OPEN_WORKING_DAYS",
    "ActionItems",
    "Added",
    "Announced",
    "Listing",
    "Refused",
    "Settled",
    "after_working_days",
    "build_action_items",
    "overdue_at",
    "plan_postmortem_reminder",
]

ITEM_OVERDUE = "action_item_overdue"
ITEM_ESCALATE = "action_item_escalate"
POSTMORTEM_OPEN = "postmortem_open"
POSTMORTEM_OPEN_WORKING_DAYS = 5
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class Refused(Exception):
    """The item cannot be added or changed as asked; the message says why and what to do."""


@dataclass(frozen=True)
class Added:
    incident: Incident
    item: ActionItem


@dataclass(frozen=True)
class Announced:
    """What Slack refused while announcing a new item (None: it went out)."""

    room: SlackFailure | None
    owner: SlackFailure | None


@dataclass(frozen=True)
class Settled:
    incident: Incident
    item: ActionItem
    changed: bool
    """False when it was already done or won't do (a second click, two people at once)."""


@dataclass(frozen=True)
class Listing:
    incident: Incident
    items: list[ActionItem]
    counts: Counts
    offset: int
    today: date


# -- when reminders fall due ---------------------------------------------------------


def overdue_at(hours: BusinessHours, due_on: date) -> datetime:
    """When business hours first open after the due date has ended, in UTC."""
    day_after = datetime.combine(due_on + timedelta(days=1), time(0), tzinfo=hours.zone)
    return hours.next_open(day_after).astimezone(UTC)


def next_working_day(hours: BusinessHours, at: datetime) -> datetime:
    """A working day after `at`: the same time tomorrow, or the next opening after it."""
    return hours.next_open(at + timedelta(days=1)).astimezone(UTC)


def after_working_days(hours: BusinessHours, at: datetime, days: int) -> datetime:
    """`days` working days after `at`, at the same local time (or the next opening)."""
    local = at.astimezone(hours.zone)
    day, counted = local.date(), 0
    for _ in range(days * 7 + 7):
        if counted == days:
            break
        day += timedelta(days=1)
        counted += day.weekday() in hours.weekdays
    moment = datetime.combine(day, local.time(), tzinfo=hours.zone)
    return hours.next_open(moment).astimezone(UTC)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


async def plan_postmortem_reminder(
    session: AsyncSession,
    incident: Incident,
    now: datetime,
    *,
    policy: Policy,
    working_days: int = POSTMORTEM_OPEN_WORKING_DAYS,
) -> datetime:
    """Plan the "postmortem still open" reminder; call it in the resolve transaction.

    Replaces one planned by an earlier resolve. Returns when it falls due.
    """
    resolved = incident.resolved_at or now
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


# -- the service ---------------------------------------------------------------------


def build_action_items(
    store: Store, gateway: SlackGateway, policy: Policy, clock: Clock
) -> ActionItems:
    return ActionItems(store=store, gateway=gateway, policy=policy, clock=clock)


def _transient(failure: SlackFailure) -> bool:
    return failure.error in TRANSIENT or failure.error.startswith("http_5")


@dataclass
class ActionItems:
    store: Store
    gateway: SlackGateway
    policy: Policy
    clock: Clock

    # -- dates ----------------------------------------------------------------------

    def today(self) -> date:
        return self.clock().astimezone(UTC).date()

    def default_due(self) -> date:
        return (self.clock() + self.policy.action_item_due_after).astimezone(UTC).date()

    def due_date(self, typed: str | None) -> date:
        """The due date typed after `due`, checked; the policy's default when None."""
        if typed is None:
            return self.default_due()
        try:
            if not _ISO_DATE.fullmatch(typed):
                raise ValueError(typed)
            due = date.fromisoformat(typed)
        except ValueError:
            raise Refused(
                f"`{typed}` is not a date I can read. Write the due date as YYYY-MM-DD, "
                f"e.g. `due {self.default_due().isoformat()}`: `{USAGE_SHOWN}`"
            ) from None
        self._check_not_past(due)
        return due

    def _check_not_past(self, due: date) -> None:
        if due < self.today():
            raise Refused(
                f"{due.isoformat()} has passed. Pick today or a later date (YYYY-MM-DD, UTC)."
            )

    # -- adding ---------------------------------------------------------------------

    async def add(
        self, incident_id: int, *, text: str, owner_id: str | None, due_on: date, by: str
    ) -> Added:
        text = text.strip()
        if not text:
            raise Refused(f"Say what needs doing: `{USAGE_SHOWN}`")
        if len(text) > ITEM_TEXT_MAX:
            raise Refused(
                f"That is {len(text)} characters; keep an action item under {ITEM_TEXT_MAX + 1} "
                "and link to the details."
            )
        self._check_not_past(due_on)
        now = self.clock()
        async with self.store.transaction() as session:
            row = await incidents.lock(session, incident_id)
            if row.closed_at is not None:
                raise Refused(
                    f"INC-{row.number} is closed, so it takes no new action items. "
                    "Track this follow-up in your issue tracker, or declare a new incident."
                )
            item = await action_items.add(
                session,
                incident_id=incident_id,
                text=text,
                owner_id=owner_id,
                due_on=due_on,
                created_by=by,
                now=now,
            )
            await timeline.append(
                session,
                incident_id=incident_id,
                kind="action",
                author_id=by,
                text=mrkdwn.escape(text),
                occurred_at=now,
                recorded_at=now,
                data={
                    "action_item": item.id,
                    "owner": owner_id,
                    "due": due_on.isoformat(),
                },
            )
            await jobs.put(
                session,
                ITEM_OVERDUE,
                incident_id=incident_id,
                due_at=max(overdue_at(self.policy.business_hours, due_on), now),
                now=now,
                payload={"item": item.id},
                replace=False,
            )
            incident = await incidents.load(session, incident_id)
        return Added(incident, item)

    async def announce(self, added: Added) -> Announced:
        """The line in the room, and the owner told privately (ephemeral there, else a DM).

        Returns what Slack refused; the caller tells whoever added the item, so an
        owner is never left untold without somebody knowing.
        """
        incident, item = added.incident, added.item

        async def room() -> SlackFailure | None:
            if not incident.channel_id:
                return None
            try:
                await self.gateway.post(incident.channel_id, added_line(incident, item))
            except SlackFailure as failure:
                return failure
            return None

        async def owner() -> SlackFailure | None:
            if not item.owner_id or item.owner_id == item.created_by:
                return None
            notice = owner_notice(incident, item)
            try:
                if incident.channel_id:
                    await self.gateway.whisper(incident.channel_id, item.owner_id, notice)
                else:
                    await self.gateway.dm(item.owner_id, notice)
            except SlackFailure as failure:
                return failure
            return None

        in_room, to_owner = await asyncio.gather(room(), owner())
        return Announced(room=in_room, owner=to_owner)

    # -- listing --------------------------------------------------------------------

    async def incident(self, incident_id: int) -> Incident:
        async with self.store.transaction() as session:
            return await incidents.load(session, incident_id)

    async def item(self, item_id: int) -> tuple[Incident, ActionItem] | None:
        async with self.store.transaction() as session:
            item = await action_items.load(session, item_id)
            if item is None:
                return None
            return await incidents.load(session, item.incident_id), item

    async def listing(self, incident_id: int, *, offset: int = 0, page: int = PAGE_SIZE) -> Listing:
        async with self.store.transaction() as session:
            incident = await incidents.load(session, incident_id)
            counts = await action_items.counts(session, incident_id)
            offset = max(0, min(offset, (max(counts.total - 1, 0) // page) * page))
            items = await action_items.page(session, incident_id, offset=offset, limit=page)
        return Listing(incident, items, counts, offset, self.today())

    # -- settling -------------------------------------------------------------------

    async def settle(
        self, item_id: int, state: str, by: str, *, reason: str | None = None
    ) -> Settled:
        """Mark an open item done, or won't do (a reason is required for that)."""
        if state == WONT_DO and not (reason or "").strip():
            raise Refused("Say why it won't be done; the postmortem keeps the reason.")
        now = self.clock()
        async with self.store.transaction() as session:
            item = await action_items.lock(session, item_id)
            if item is None:
                raise Refused("That action item no longer exists.")
            changed = item.state == OPEN
            if changed:
                why = (reason or "").strip() if state == WONT_DO else None
                item = await action_items.close(
                    session, item_id, state=state, by=by, at=now, reason=why
                )
            incident = await incidents.load(session, item.incident_id)
        return Settled(incident, item, changed)

    async def publish_settled(self, settled: Settled) -> list[SlackFailure]:
        room = settled.incident.channel_id
        if not settled.changed or room is None:
            return []
        return await fan_out(self.gateway.post(room, closed_line(settled.item)))

    # -- reminders ------------------------------------------------------------------

    async def plan_postmortem_reminder(
        self, session: AsyncSession, incident: Incident, now: datetime
    ) -> datetime:
        return await plan_postmortem_reminder(session, incident, now, policy=self.policy)

    def handlers(self) -> Mapping[str, JobHandler]:
        return {
            ITEM_OVERDUE: self._overdue,
            ITEM_ESCALATE: self._escalate,
            POSTMORTEM_OPEN: self._postmortem_open,
        }

    def _commander(self, incident: Incident) -> str:
        return incident.holder(self.policy.commander_role.key) or incident.reporter_id

    async def _still_open(self, job: Job) -> tuple[Incident, ActionItem] | None:
        found = await self.item(int(job.payload.get("item", 0)))
        if found is None or not found[1].is_open or found[1].due_on is None:
            return None
        return found

    async def _reach(self, user_id: str, incident: Incident, message: Message) -> str:
        """A DM; if Slack will never deliver it, a mention in the room. Returns where."""
        try:
            ref = await self.gateway.dm(user_id, message)
        except SlackFailure as failure:
            if _transient(failure) or incident.channel_id is None:
                raise
            await self.gateway.post(incident.channel_id, message)
            return incident.channel_id
        return ref.channel

    async def _record(
        self,
        session: AsyncSession,
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
        channel = await self._reach(to, incident, message)
        async with self.store.transaction() as session:
            await self._record(
                session,
                job,
                incident,
                text=f"Action item overdue (due {item.due_on}); reminded <@{to}>: {item.text}",
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
        channel = await self._reach(commander, incident, message)
        async with self.store.transaction() as session:
            await self._record(
                session,
                job,
                incident,
                text=f"Action item still open after a reminder; told <@{commander}>: {item.text}",
                to=commander,
                channel=channel,
                item=item,
            )

    async def _postmortem_open(self, job: Job) -> None:
        assert job.incident_id is not None
        async with self.store.transaction() as session:
            incident = await incidents.load(session, job.incident_id)
            counts = await action_items.counts(session, incident.id)
        if (
            incident.resolved_at is None
            or incident.closed_at is not None
            or job.payload.get("resolved_at") != _iso(incident.resolved_at)
        ):
            return
        days = int(job.payload.get("working_days", POSTMORTEM_OPEN_WORKING_DAYS))
        commander = self._commander(incident)
        message = postmortem_open(incident, counts, working_days=days)
        channel = await self._reach(commander, incident, message)
        async with self.store.transaction() as session:
            await self._record(
                session,
                job,
                incident,
                text=(
                    f"Postmortem still open {days} working days after resolve; "
                    f"reminded <@{commander}> ({counts.open} action item(s) open)"
                ),
                to=commander,
                channel=channel,
            )
