"""Talking in a war room the way Slack reports it: signed Events API and shortcut requests."""

from __future__ import annotations

import itertools
import json
import secrets
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import select

from fakeslack import event_callback, new_trigger_id, slash_command
from tests.harness import TEAM_ID, Harness
from warroom.domain.incident import Incident
from warroom.store import timeline
from warroom.store.models import TimelineEntryRow, TimelineHighlightRow, TimelineRevisionRow

ALICE = "UALICE0001"
BOB = "UBOB000001"
CAROL = "UCAROL0001"
OUR_BOT_USER = "UWARROOMBOT"
OUR_BOT_ID = "B0WARROOMBOT"

Json = dict[str, Any]
_serial = itertools.count(1)


def message_shortcut(
    message: Json,
    *,
    channel_id: str,
    user_id: str,
    response_url: str,
    team_id: str = TEAM_ID,
    callback_id: str = "add_to_timeline",
) -> tuple[bytes, str]:
    """A `message_action` payload (MessageShortcutPayload.json), form-encoded like Slack's."""
    payload = {
        "type": "message_action",
        "callback_id": callback_id,
        "trigger_id": new_trigger_id(),
        "message_ts": message["ts"],
        "response_url": response_url,
        "team": {"id": team_id, "domain": "warroom-fake"},
        "user": {"id": user_id, "name": user_id.lower(), "team_id": team_id},
        "channel": {"id": channel_id, "name": "somewhere"},
        "message": message,
        "token": "fake-verification-token",
        "action_ts": f"{time.time():.6f}",
        "is_enterprise_install": False,
        "enterprise": None,
    }
    body = urlencode({"payload": json.dumps(payload, separators=(",", ":"))}).encode()
    return body, "application/x-www-form-urlencoded"


@dataclass
class Room:
    """One incident's war room, with the Slack events people cause in it."""

    harness: Harness
    incident: Incident
    _base: int = field(default=0)

    @property
    def channel(self) -> str:
        assert self.incident.channel_id is not None
        return self.incident.channel_id

    def ts(self, offset_s: float = 0.0) -> str:
        """A fresh Slack ts near the harness clock (later calls are later)."""
        if not self._base:
            self._base = int(self.harness.clock().timestamp())
        n = next(_serial)
        micros = int(offset_s * 1_000_000) + n
        return f"{self._base + micros // 1_000_000}.{micros % 1_000_000:06d}"

    async def send(
        self, event: Json, *, event_id: str | None = None, retry_num: int | None = None
    ) -> int:
        event = {"event_ts": event.get("ts") or self.ts(), **event}
        body, content_type = event_callback(event, event_id=event_id)
        status, _ = await self.harness.post(body, content_type, retry_num=retry_num)
        return status

    def message(self, text: str, *, user: str = ALICE, ts: str | None = None, **extra: Any) -> Json:
        return {
            "type": "message",
            "channel": self.channel,
            "user": user,
            "text": text,
            "ts": ts or self.ts(),
            "team": TEAM_ID,
            "channel_type": "channel",
            **extra,
        }

    async def say(self, text: str, *, user: str = ALICE, **extra: Any) -> str:
        event = self.message(text, user=user, **extra)
        assert await self.send(event) == 200
        return str(event["ts"])

    def changed(self, ts: str, old: str, new: str, *, user: str = ALICE, **extra: Any) -> Json:
        edited_ts = self.ts()
        return {
            "type": "message",
            "subtype": "message_changed",
            "channel": self.channel,
            "hidden": True,
            "message": {
                **self.message(new, user=user, ts=ts),
                "edited": {"user": user, "ts": edited_ts},
                **extra,
            },
            "previous_message": self.message(old, user=user, ts=ts),
            "ts": self.ts(),
            "event_ts": edited_ts,
        }

    def deleted(self, ts: str, text: str, *, user: str = ALICE) -> Json:
        when = self.ts()
        return {
            "type": "message",
            "subtype": "message_deleted",
            "channel": self.channel,
            "hidden": True,
            "deleted_ts": ts,
            "previous_message": self.message(text, user=user, ts=ts),
            "ts": when,
            "event_ts": when,
        }

    def reaction(
        self,
        ts: str,
        *,
        user: str = BOB,
        added: bool = True,
        emoji: str = "pushpin",
        item_user: str = ALICE,
        channel: str | None = None,
    ) -> Json:
        return {
            "type": "reaction_added" if added else "reaction_removed",
            "user": user,
            "reaction": emoji,
            "item_user": item_user,
            "item": {"type": "message", "channel": channel or self.channel, "ts": ts},
            "event_ts": self.ts(),
        }

    def pin(self, message: Json, *, user: str = BOB, added: bool = True) -> Json:
        return {
            "type": "pin_added" if added else "pin_removed",
            "user": user,
            "channel_id": self.channel,
            "item": {
                "type": "message",
                "channel": self.channel,
                "created": int(time.time()),
                "created_by": user,
                "message": {k: v for k, v in message.items() if k not in {"channel"}},
            },
            "item_user": message.get("user"),
            "pin_count": 1,
            "pinned_info": {"channel": self.channel, "pinned_by": user, "pinned_ts": 1},
            "event_ts": self.ts(),
        }

    async def command(
        self, text: str, *, user: str = ALICE, channel: str | None = None
    ) -> tuple[int, Json]:
        body, content_type = slash_command(
            text,
            user_id=user,
            team_id=TEAM_ID,
            channel_id=channel or self.channel,
            response_url=self.harness.new_response_url(),
        )
        status, answer = await self.harness.post(body, content_type)
        return status, (json.loads(answer) if answer else {})

    async def entry(self, ts: str, channel: str | None = None) -> TimelineEntryRow | None:
        async with self.harness.runtime.store.transaction() as session:
            return await timeline.find_by_ref(session, channel or self.channel, ts)

    async def entries(self) -> list[TimelineEntryRow]:
        return [e for e in await self.harness.timeline(self.incident.id) if e.slack_ts]

    async def revisions(self, entry_id: int) -> list[TimelineRevisionRow]:
        async with self.harness.runtime.store.transaction() as session:
            return await timeline.revisions(session, entry_id)

    async def sources(self, entry_id: int) -> dict[str, bool]:
        async with self.harness.runtime.store.transaction() as session:
            rows = await session.execute(
                select(TimelineHighlightRow).where(TimelineHighlightRow.entry_id == entry_id)
            )
            return {row.source: row.active for row in rows.scalars()}


def random_event_id() -> str:
    return f"Ev{secrets.token_hex(5).upper()}"
