"""Action items: follow-ups with an owner and a due date that cannot die quietly.

Adding one stores it and plans its overdue reminder in one transaction; the
reminders themselves (overdue, escalation, postmortem still open) live in
`warroom.services.action_item_reminders`, and the working-day arithmetic in
`warroom.domain.working_days`. Both are re-exported here.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from warroom.domain.action_item import OPEN, WONT_DO, ActionItem, Counts
from warroom.domain.clock import Clock
from warroom.domain.incident import Incident
from warroom.domain.permissions import Action
from warroom.domain.policy import Policy
from warroom.domain.working_days import after_working_days, next_working_day, overdue_at
from warroom.scheduler.tick import JobHandler
from warroom.services.action_item_reminders import (
    ITEM_ESCALATE,
    ITEM_OVERDUE,
    POSTMORTEM_OPEN,
    ActionItemReminders,
    plan_postmortem_reminder,
)
from warroom.services.audience import Audience
from warroom.services.fanout import fan_out
from warroom.services.home import HomeChanges
from warroom.services.people import People
from warroom.services.permissions import Guard
from warroom.slack import mrkdwn
from warroom.slack.blocks.action_items import (
    ITEM_TEXT_MAX,
    PAGE_SIZE,
    USAGE_SHOWN,
    added_line,
    closed_line,
    owner_notice,
)
from warroom.slack.errors import SlackFailure
from warroom.slack.gateway import SlackGateway
from warroom.store import action_items, incidents, jobs, timeline
from warroom.store.engine import Session, Store

__all__ = [
    "ITEM_ESCALATE",
    "ITEM_OVERDUE",
    "POSTMORTEM_OPEN",
    "ActionItems",
    "Added",
    "Announced",
    "Listing",
    "Refused",
    "Settled",
    "after_working_days",
    "next_working_day",
    "overdue_at",
    "plan_postmortem_reminder",
]

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
    zone: tzinfo


# -- the service ---------------------------------------------------------------------


ZONE_LOOKUP_S = 1.0
"""How long a typed date waits to learn its typist's zone before reading it in the
organisation's."""


@dataclass
class ActionItems:
    store: Store
    gateway: SlackGateway
    policy: Policy
    clock: Clock
    audience: Audience
    guard: Guard
    people: People | None = None
    """Where each person is (their Slack time zone): a date they type is their date."""
    homes: HomeChanges | None = None
    """The owners' App Home tabs, told when their items come and go."""

    # -- dates ----------------------------------------------------------------------

    def today(self, zone: tzinfo | None = None) -> date:
        """Today in `zone`, by default the organisation's."""
        return self.clock().astimezone(zone or self.policy.zone).date()

    def default_due(self, zone: tzinfo | None = None) -> date:
        due = self.clock() + self.policy.action_item_due_after
        return due.astimezone(zone or self.policy.zone).date()

    async def zone_of(self, user_id: str) -> tzinfo:
        """`user_id`'s own time zone from Slack, else the organisation's. Asked before
        Slack's answer is due, so a look-up gets `ZONE_LOOKUP_S` at most."""
        if self.people is None:
            return self.policy.zone
        try:
            async with asyncio.timeout(ZONE_LOOKUP_S):
                tz = (await self.people.person(user_id)).tz
            return ZoneInfo(tz) if tz else self.policy.zone
        except (TimeoutError, ZoneInfoNotFoundError, ValueError):
            return self.policy.zone

    def due_date(self, typed: str | None, zone: tzinfo | None = None) -> date:
        """The due date typed after `due`, read as a date where the typist is (`zone`),
        checked; the policy's default when None."""
        if typed is None:
            return self.default_due(zone)
        try:
            if not _ISO_DATE.fullmatch(typed):
                raise ValueError(typed)
            due = date.fromisoformat(typed)
        except ValueError:
            raise Refused(
                f"`{typed}` is not a date I can read. Write the due date as YYYY-MM-DD, "
                f"e.g. `due {self.default_due(zone).isoformat()}`: `{USAGE_SHOWN}`"
            ) from None
        self._check_not_past(due, zone)
        return due

    def _check_not_past(self, due: date, zone: tzinfo | None) -> None:
        zone = zone or self.policy.zone
        if due < self.today(zone):
            raise Refused(
                f"{due.isoformat()} has passed where you are (today is "
                f"{self.today(zone).isoformat()}, {zone}). Pick today or a later date "
                "(YYYY-MM-DD)."
            )

    # -- adding ---------------------------------------------------------------------

    async def add(
        self,
        incident_id: int,
        *,
        text: str,
        owner_id: str | None,
        due_on: date,
        by: str,
        zone: tzinfo | None = None,
    ) -> Added:
        """`zone`: where `by` is, to tell whether `due_on` has passed for them."""
        text = text.strip()
        if not text:
            raise Refused(f"Say what needs doing: `{USAGE_SHOWN}`")
        if len(text) > ITEM_TEXT_MAX:
            raise Refused(
                f"That is {len(text)} characters; keep an action item under {ITEM_TEXT_MAX + 1} "
                "and link to the details."
            )
        self._check_not_past(due_on, zone)
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
        if self.homes is not None:
            await self.homes.people_changed([owner_id or ""])
        return Added(incident, item)

    async def announce(self, added: Added) -> Announced:
        """The line in the room, and the owner told privately (ephemeral there, else a DM).

        The owner of an item in a private incident is invited to its room first (as a
        new role holder is), so what Warroom tells them about it, now and in reminders,
        goes to a member; the DM fallback for non-members would tell an outsider.

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
                    if incident.private:
                        problems = await self.gateway.invite(incident.channel_id, [item.owner_id])
                        self.audience.forget(incident.channel_id)
                        if problems:
                            return SlackFailure("conversations.invite", problems[0].error)
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
        async with self.store.read() as session:
            return await incidents.load(session, incident_id)

    async def item(self, item_id: int) -> tuple[Incident, ActionItem] | None:
        async with self.store.read() as session:
            item = await action_items.load(session, item_id)
            if item is None:
                return None
            return await incidents.load(session, item.incident_id), item

    async def listing(self, incident_id: int, *, offset: int = 0, page: int = PAGE_SIZE) -> Listing:
        async with self.store.read() as session:
            incident = await incidents.load(session, incident_id)
            counts = await action_items.counts(session, incident_id)
            offset = max(0, min(offset, (max(counts.total - 1, 0) // page) * page))
            items = await action_items.page(session, incident_id, offset=offset, limit=page)
        return Listing(incident, items, counts, offset, self.today(), self.policy.zone)

    # -- settling -------------------------------------------------------------------

    async def settle(
        self, item_id: int, state: str, by: str, *, reason: str | None = None
    ) -> Settled:
        """Mark an open item done, or won't do (a reason is required for that).

        `NotPermitted` when the item is someone else's and `by` may not settle it."""
        if state == WONT_DO and not (reason or "").strip():
            raise Refused("Say why it won't be done; the postmortem keeps the reason.")
        now = self.clock()
        found = await self.item(item_id)
        if found is None:
            raise Refused("That action item no longer exists.")
        incident_id, added = found[1].incident_id, found[1]
        owners = {user for user in (added.owner_id, added.created_by) if user}
        settle = Action.CLOSE_OTHERS_ACTION_ITEM
        actor = await self.guard.admit(incident_id, by, settle, item_owners=owners)
        async with self.store.transaction() as session:
            await self.guard.hold(session, incident_id, actor, settle, item_owners=owners)
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
        if changed and self.homes is not None:
            await self.homes.people_changed([item.owner_id or ""])
        return Settled(incident, item, changed)

    async def publish_settled(self, settled: Settled) -> list[SlackFailure]:
        room = settled.incident.channel_id
        if not settled.changed or room is None:
            return []
        return await fan_out(self.gateway.post(room, closed_line(settled.item)))

    # -- reminders ------------------------------------------------------------------

    async def plan_postmortem_reminder(
        self, session: Session, incident: Incident, now: datetime
    ) -> datetime:
        return await plan_postmortem_reminder(session, incident, now, policy=self.policy)

    def handlers(self) -> Mapping[str, JobHandler]:
        reminders = ActionItemReminders(
            store=self.store,
            gateway=self.gateway,
            policy=self.policy,
            clock=self.clock,
            audience=self.audience,
        )
        return reminders.handlers()
