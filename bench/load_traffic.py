"""The people `bench/load.py` plays: declaring, clicking the card, updating, noting, chatting.

Each kind builds one request the way Slack sends it. A request that makes Warroom
open a modal (declare, update, a hand-off click) leaves a follow-up: once the
stand-in records the `views.open` for its trigger_id, the modal filled in with
`fill_view` waits for the next slot of the schedule. Follow-ups take slots rather
than add to them, so the request rate stays the one asked for.

Everything a person types carries the run's id, so the loss check afterwards
finds exactly this run's facts, even in a database that holds others.
"""

from __future__ import annotations

import asyncio
import random
import re
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fakeslack import (
    FakeSlack,
    block_actions,
    event_callback,
    new_trigger_id,
    slash_command,
    view_submission,
)
from fakeslack.server import RecordedCall
from warroom.demo.slack.driver import fill_view

Json = dict[str, Any]
REPORTER = "ULOAD00001"
PEOPLE = [f"ULOAD{n:05d}" for n in range(2, 22)]
KINDS = ("message", "note", "role", "update", "declare")
FOLLOW_UP_TIMEOUT_S = 30.0
TRIGGER_EXPIRES_MS = 3000.0
"""Slack refuses views.open with a trigger_id older than 3 s (expired_trigger_id)."""


@dataclass
class Room:
    """A declared incident's war room, ready for traffic once its card is there."""

    channel_id: str
    card_ts: str


@dataclass
class Request:
    kind: str
    body: bytes
    content_type: str
    answered: Callable[[int, str], None] = lambda status, text: None


@dataclass
class Sent:
    """What Warroom acknowledged and must therefore hold afterwards."""

    declares: list[str] = field(default_factory=list)
    messages: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    updates: list[str] = field(default_factory=list)


class CallWatch:
    """Follows the stand-in's recorded calls as they come (the list only grows).

    Resolves the modal opened for a trigger_id and the reply sent to a
    response_url key, and keeps every call Slack would have refused.
    """

    def __init__(self, slack: FakeSlack) -> None:
        self.slack = slack
        self.refused: list[RecordedCall] = []
        self._seen = 0
        self._views: dict[str, asyncio.Future[RecordedCall]] = {}
        self._replies: dict[str, asyncio.Future[RecordedCall]] = {}

    def view_opened(self, trigger_id: str) -> asyncio.Future[RecordedCall]:
        return self._views.setdefault(trigger_id, asyncio.get_running_loop().create_future())

    def replied(self, key: str) -> asyncio.Future[RecordedCall]:
        return self._replies.setdefault(key, asyncio.get_running_loop().create_future())

    def poll(self) -> None:
        calls = self.slack.calls
        for call in calls[self._seen :]:
            if not call.ok:
                self.refused.append(call)
            if call.method == "views.open":
                waiting = self._views.pop(str(call.args.get("trigger_id")), None)
            elif call.method == "response_url":
                waiting = self._replies.pop(str(call.args.get("key")), None)
            else:
                waiting = None
            if waiting is not None and not waiting.done():
                waiting.set_result(call)
        self._seen = len(calls)

    async def run(self) -> None:
        while True:
            self.poll()
            await asyncio.sleep(0.005)


class Traffic:
    """Builds the next request of a kind, from what the stand-in shows people right now."""

    def __init__(self, slack: FakeSlack, watch: CallWatch, rng: random.Random, run_id: str) -> None:
        self.slack = slack
        self.watch = watch
        self.rng = rng
        self.run_id = run_id
        # Where people declare, with Warroom in it: each declaration is linked there.
        self.general = slack.add_channel(f"load-general-{run_id}", members=[slack.bot_user_id])
        self.rooms: list[Room] = []
        self.ready: deque[Request] = deque()
        self.sent = Sent()
        self.problems: list[str] = []
        self.modal_open_ms: list[float] = []
        """Request sent → Warroom's views.open for its trigger_id."""
        self.ready_ms: list[float] = []
        """Declaration answered → the reporter told the room is ready."""
        self.waiting: set[asyncio.Task[None]] = set()
        """Declares acknowledged and not yet ready: the run waits for these."""
        self.modals: set[asyncio.Task[None]] = set()
        """Modals not yet open: dropped when the run ends."""
        self._count = 0
        self._last_ts = 0.0

    def next(self, kind: str) -> Request:
        """A follow-up whose modal is open goes first; otherwise a new `kind` request."""
        if self.ready:
            return self.ready.popleft()
        if not self.rooms:
            kind = "declare"
        build: Callable[[], Request] = getattr(self, kind)
        return build()

    def _serial(self) -> int:
        self._count += 1
        return self._count

    def _after(
        self,
        future: asyncio.Future[RecordedCall],
        then: Callable[[RecordedCall], None],
        what: str,
        into: set[asyncio.Task[None]],
    ) -> None:
        async def wait() -> None:
            try:
                call = await asyncio.wait_for(future, FOLLOW_UP_TIMEOUT_S)
            except TimeoutError:
                self.problems.append(f"{what}: nothing after {FOLLOW_UP_TIMEOUT_S:.0f} s")
                return
            then(call)

        task = asyncio.create_task(wait())
        into.add(task)
        task.add_done_callback(into.discard)

    def _modal(
        self, kind: str, trigger_id: str, answers: Callable[[], Json], accepted: Callable[[], None]
    ) -> None:
        """When the modal for `trigger_id` opens, queue its submission filled with `answers`."""
        asked = time.monotonic()

        def submit(call: RecordedCall) -> None:
            if not call.ok:
                self.problems.append(f"{kind}: the modal did not open: {call.response}")
                return
            waited = (call.started - asked) * 1000
            self.modal_open_ms.append(waited)
            if waited > TRIGGER_EXPIRES_MS:
                self.problems.append(f"{kind}: views.open after {waited:.0f} ms: trigger expired")
            view, opened = call.args["view"], call.response["view"]
            body, content_type = view_submission(
                view["callback_id"],
                fill_view(view, answers()),
                user_id=REPORTER,
                private_metadata=view.get("private_metadata", ""),
                view_id=opened["id"],
                view_hash=opened["hash"],
            )

            def answered(status: int, text: str) -> None:
                if status == 200 and text == "":
                    accepted()
                elif status == 200:
                    self.problems.append(f"{kind}: the modal was refused: {text[:200]}")

            self.ready.append(Request(kind, body, content_type, answered))

        self._after(self.watch.view_opened(trigger_id), submit, f"{kind} modal", self.modals)

    def _room(self) -> Room:
        return self.rng.choice(self.rooms)

    def _command(
        self, text: str, channel: str, key: str, trigger_id: str | None = None
    ) -> tuple[bytes, str]:
        return slash_command(
            text,
            user_id=self.rng.choice([REPORTER, *PEOPLE]),
            channel_id=channel,
            trigger_id=trigger_id,
            response_url=self.slack.response_url(key),
        )

    # -- kinds ----------------------------------------------------------------

    def declare(self) -> Request:
        n = self._serial()
        title = f"Load {self.run_id} incident {n}"
        key, trigger_id = f"{self.run_id}-d{n}", new_trigger_id()
        body, content_type = slash_command(
            f"declare {title}",
            user_id=REPORTER,
            channel_id=self.general,
            trigger_id=trigger_id,
            response_url=self.slack.response_url(key),
        )

        def accepted() -> None:
            self.sent.declares.append(title)
            answered = time.monotonic()

            def ready(told: RecordedCall) -> None:
                self.ready_ms.append((told.started - answered) * 1000)
                self._room_ready(told)

            self._after(self.watch.replied(key), ready, f"declare {title}", self.waiting)

        answers = {
            "title": title,
            "severity": "SEV2",
            "impact": f"Synthetic load {self.run_id}",
            "responders": PEOPLE,
        }
        self._modal("declare_submit", trigger_id, lambda: answers, accepted)
        return Request("declare", body, content_type)

    def _room_ready(self, told: RecordedCall) -> None:
        found = re.search(r"<#(C[A-Z0-9]+)", str(told.args.get("text")))
        if found is None:
            self.problems.append(f"declare: not set up: {str(told.args.get('text'))[:200]}")
            return
        channel = found.group(1)
        for message in self.slack.messages(channel):
            if any(block.get("block_id") == "headline" for block in message.get("blocks", [])):
                self.rooms.append(Room(channel, str(message["ts"])))
                return
        self.problems.append(f"declare: no incident card in {channel}")

    def message(self) -> Request:
        n, room = self._serial(), self._room()
        ts = f"{self._next_ts():.6f}"
        text = f"Load {self.run_id} line {n}: p99 is {n % 900} ms on <@{PEOPLE[n % 20]}>'s board"
        event = {
            "type": "message",
            "channel": room.channel_id,
            "user": self.rng.choice(PEOPLE),
            "text": text,
            "ts": ts,
            "event_ts": ts,
            "channel_type": "channel",
            "client_msg_id": f"{self.run_id}-{n}",
        }
        body, content_type = event_callback(event)

        def answered(status: int, _: str) -> None:
            if status == 200:
                self.sent.messages.append((room.channel_id, text))

        return Request("message", body, content_type, answered)

    def _next_ts(self) -> float:
        """Slack's ts is unique per channel; keep ours strictly increasing."""
        self._last_ts = max(time.time(), self._last_ts + 0.000001)
        return self._last_ts

    def note(self) -> Request:
        n, room = self._serial(), self._room()
        text = f"Load {self.run_id} note {n}: rolled back the canary"
        body, content_type = self._command(f"note {text}", room.channel_id, f"{self.run_id}-n{n}")

        def answered(status: int, _: str) -> None:
            if status == 200:
                self.sent.notes.append(text)

        return Request("note", body, content_type, answered)

    def update(self) -> Request:
        n, room, trigger_id = self._serial(), self._room(), new_trigger_id()
        happening = f"Load {self.run_id} update {n}: error rate is falling"
        key = f"{self.run_id}-u{n}"
        body, content_type = self._command("update", room.channel_id, key, trigger_id)
        answers = {"happening": happening, "doing": "Watching the dashboards"}
        self._modal(
            "update_submit",
            trigger_id,
            lambda: answers,
            lambda: self.sent.updates.append(happening),
        )
        return Request("update", body, content_type)

    def role(self) -> Request:
        """Click a role button on the card as it reads now: Take, or Hand off (a modal)."""
        n, room, trigger_id = self._serial(), self._room(), new_trigger_id()
        card = self.slack.message(room.channel_id, room.card_ts) or {}
        sections = [b for b in card.get("blocks", []) if str(b.get("block_id")).startswith("role:")]
        block = self.rng.choice(sections)
        button = block["accessory"]
        body, content_type = block_actions(
            button["action_id"],
            button.get("value"),
            user_id=self.rng.choice(PEOPLE),
            channel_id=room.channel_id,
            message_ts=room.card_ts,
            block_id=block["block_id"],
            message=card,
            trigger_id=trigger_id,
            response_url=self.slack.response_url(f"{self.run_id}-r{n}"),
        )
        if button["action_id"].startswith("role_handoff:"):
            self._modal(
                "role_assign", trigger_id, lambda: {"user": self.rng.choice(PEOPLE)}, lambda: None
            )
        return Request("role", body, content_type)
