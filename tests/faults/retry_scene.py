"""One war room and the requests Slack sends about it, built but not yet delivered.

A retry test delivers the same request several times, so the builders here
return the signed-to-be body instead of posting it. What a delivery changed is
measured as an `Effect`: rows added or removed per table, and the Slack calls
Warroom made (by method), so two deliveries in two war rooms can be compared.
"""

from __future__ import annotations

import itertools
import json
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from sqlalchemy import select

from fakeslack import block_actions, event_callback, slash_command
from tests.harness import DEFAULT_ANSWERS, TEAM_ID, WAIT_S, Harness, OpenedView
from tests.timeline.room import ALICE, BOB, Room, message_shortcut
from warroom.domain.incident import Incident
from warroom.store.models import ActionItemRow, Base

__all__ = [
    "ALICE",
    "BOB",
    "Effect",
    "Kind",
    "Request",
    "Rows",
    "Scene",
    "effect",
    "kind_of",
    "rows",
]

Request = tuple[bytes, str]
Kind = tuple[str, str]
"""(family, name): ("command", "note"), ("block_actions", "role_take:commander"),
("view_submission", "status_update"), ("message_action", "add_to_timeline"),
("event", "message.channels/message_changed"), ("event", "pin_added")."""
Json = dict[str, Any]
Rows = dict[str, list[tuple[Any, ...]]]

UNTRACKED = {"processed_requests"}
"""Bookkeeping of deliveries themselves, not a fact a delivery may double."""
NOT_EFFECTS = {
    "auth.test",
    "conversations.members",
    "usergroups.users.list",
    "users.info",
    "users.list",
}
"""Look-ups, not effects: Bolt asks who it is once, on the first request it sees; who is in
a room or the admin group is asked (and cached) when someone's permission needs it; who a
person is, when a document names them."""
_titles = itertools.count(1)
CHANNEL_TYPES = {"channel": "channels", "group": "groups", "im": "im", "mpim": "mpim"}


def kind_of(request: Request) -> Kind:
    """What a built request is, read from its body the way Bolt routes it."""
    body, content_type = request
    if content_type == "application/json":
        event = json.loads(body)["event"]
        name = str(event["type"])
        if name == "message":
            name += "." + CHANNEL_TYPES[str(event.get("channel_type", "channel"))]
        return "event", name + (f"/{event['subtype']}" if event.get("subtype") else "")
    form = {key: values[0] for key, values in parse_qs(body.decode()).items()}
    if "payload" not in form:
        words = form.get("text", "").split()
        return "command", words[0].lower() if words else ""
    payload = json.loads(form["payload"])
    family = str(payload["type"])
    if family == "block_actions":
        return family, str(payload["actions"][0]["action_id"])
    if family in {"view_submission", "view_closed"}:
        return family, str(payload["view"]["callback_id"])
    return family, str(payload["callback_id"])


async def rows(harness: Harness) -> Rows:
    """Every row of every table Warroom keeps facts in, in primary-key order."""
    found: Rows = {}
    async with harness.runtime.store.transaction() as session:
        for table in Base.metadata.sorted_tables:
            if table.name in UNTRACKED:
                continue
            result = await session.execute(select(table).order_by(*table.primary_key.columns))
            found[table.name] = [tuple(row) for row in result]
    return found


@dataclass(frozen=True)
class Effect:
    """What deliveries did: row count change per table, and Slack calls by method."""

    rows: Mapping[str, int]
    calls: Mapping[str, int]

    @property
    def nothing(self) -> bool:
        return not self.rows and not self.calls


def effect(before: Rows, after: Rows, calls: list[Any]) -> Effect:
    deltas = {name: len(after[name]) - len(before[name]) for name in before}
    changed = {name for name in before if before[name] != after[name]}
    return Effect(
        rows={name: deltas[name] for name in sorted(changed)},
        calls=dict(sorted(Counter(c.method for c in calls if c.method not in NOT_EFFECTS).items())),
    )


@dataclass
class Scene:
    """A declared incident's war room and builders for the requests people send about it."""

    harness: Harness
    _incident: Incident | None = field(default=None)

    async def incident(self, **answers: Any) -> Incident:
        """The scene's incident (declared on first use, `answers` as in the declare modal),
        as it is stored now. ALICE and BOB are responders, so they are in the room and may
        steer it; closing and reopening are the reporter's."""
        if self._incident is None:
            self._incident = await self.harness.declare(
                **{"title": f"Outage {next(_titles)}", "responders": [ALICE, BOB], **answers}
            )
        (now,) = [i for i in await self.harness.incidents() if i.id == self._incident.id]
        return now

    async def room(self) -> Room:
        return Room(self.harness, await self.incident())

    async def command(self, text: str, *, in_room: bool = True, user: str = ALICE) -> Request:
        channel = (await self.incident()).channel_id if in_room else None
        return slash_command(
            text,
            user_id=user,
            team_id=TEAM_ID,
            channel_id=channel or self.harness.command_channel,
            response_url=self.harness.new_response_url(),
        )

    async def button(self, action_id: str, value: str, *, user: str = BOB) -> Request:
        """A click on a button Warroom posted in the war room (a notice, a list, a reminder)."""
        return block_actions(
            action_id,
            value,
            user_id=user,
            team_id=TEAM_ID,
            channel_id=(await self.incident()).channel_id or "",
            response_url=self.harness.new_response_url(),
        )

    async def on_card(
        self, action_id: str, *, choose: str | None = None, user: str = BOB
    ) -> Request:
        """A click (or pick) on the incident card as Slack shows it now."""
        incident = await self.incident()
        return self.harness.card_click(incident, action_id, user=user, choose=choose)

    async def modal(self, opening: Request) -> OpenedView:
        """Deliver `opening` and return the modal Warroom opened for it."""
        slack = self.harness.slack
        before = len(slack.calls_to("views.open"))
        status, _ = await self.harness.post(*opening)
        assert status == 200
        calls = await slack.wait_for("views.open", count=before + 1, timeout=WAIT_S)
        await self.harness.settle()
        call = calls[before]
        assert call.response.get("ok"), call.response
        opened = call.response["view"]
        return OpenedView(view=call.args["view"], view_id=opened["id"], view_hash=opened["hash"])

    def submit(self, opened: OpenedView, answers: Mapping[str, Any], *, user: str = BOB) -> Request:
        return self.harness.submission(opened, answers, user=user)

    async def event(self, event: Json) -> Request:
        return event_callback({"event_ts": event.get("ts") or (await self.room()).ts(), **event})

    async def said(self, text: str = "Deploy 42 went out at 10:02") -> Json:
        """A message already said (and captured) in the war room."""
        room = await self.room()
        message = room.message(text)
        assert await room.send(message) == 200
        return message

    async def shortcut(
        self, message: Json, channel: str, *, user: str = BOB, callback_id: str = "add_to_timeline"
    ) -> Request:
        return message_shortcut(
            {k: v for k, v in message.items() if k != "channel"},
            channel_id=channel,
            user_id=user,
            response_url=self.harness.new_response_url(),
            callback_id=callback_id,
        )

    async def resolved(self) -> Incident:
        """Resolve the incident the way the resolve modal does (the service, not Slack)."""
        incident = await self.incident()
        await self.harness.runtime.lifecycle.resolve(incident.id, "Rolled back", None, BOB)
        return await self.incident()

    async def action_item(self, text: str = "Add an alert on pool saturation") -> int:
        """An open action item on the incident; its id."""
        incident = await self.incident()
        status, _ = await self.harness.post(*await self.command(f"action {text} <@{ALICE}>"))
        assert status == 200
        await self.harness.settle()
        async with self.harness.runtime.store.transaction() as session:
            ids = await session.execute(
                select(ActionItemRow.id).where(ActionItemRow.incident_id == incident.id)
            )
            return int(list(ids.scalars())[-1])


DECLARE_ANSWERS = {**DEFAULT_ANSWERS, "title": "Payments time out", "responders": [ALICE]}
