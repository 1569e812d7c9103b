"""`warroom demo`: one whole incident, start to postmortem, with no Slack account.

Everything real runs: the ASGI app over HTTP on 127.0.0.1, the Bolt listeners,
the services, the scheduler and a SQLite store. Only Slack is stood in for, by
`warroom.fakeslack`, and the people are scripted: they type commands, fill in
modals, press buttons and chat exactly as Slack would deliver it. The clock is
moved by hand so the reminders fall due without waiting. What each person
would have seen is printed as a transcript.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from warroom.config import Settings
from warroom.domain.clock import ManualClock
from warroom.fakeslack import (
    FakeSlack,
    SlackSender,
    block_actions,
    event_callback,
    slash_command,
    view_submission,
)
from warroom.fakeslack.driver import fill_view, serve_locally
from warroom.runtime import Runtime, build_runtime
from warroom.store import incidents
from warroom.store.models import PostmortemRow
from warroom.web.asgi import create_asgi_app

__all__ = ["run_demo"]

SECRET = "warroom-demo-signing-secret"
TEAM = "T0WARROOM"
PEOPLE = {
    "UANA000001": "ana (on call)",
    "UBEN000002": "ben",
    "UCHI000003": "chi",
    "UDEE000004": "dee",
}
ANA, BEN, CHI, DEE = PEOPLE
_MENTION = re.compile(r"<([@#!])([^>|]+)(?:\|([^>]*))?>")


def _answer_text(body: str) -> str:
    try:
        parsed = json.loads(body)
    except ValueError:
        return body
    return str(parsed.get("text", "")) if isinstance(parsed, dict) else body


class Transcript:
    """Prints what people saw: messages in channels, private notes, forms."""

    def __init__(self, slack: FakeSlack, say: Callable[[str], None]) -> None:
        self.slack = slack
        self.say = say
        self.seen = 0
        self.reply_to: dict[str, str] = {}

    def readable(self, text: str) -> str:
        def swap(match: re.Match[str]) -> str:
            sigil, target, label = match.groups()
            if sigil == "@":
                return "@" + PEOPLE.get(target, target).split(" ")[0]
            if sigil == "#":
                channel = self.slack.channel(target)
                return "#" + (channel.name if channel else target)
            return label or "@" + target.split("^")[0]

        plain = _MENTION.sub(swap, text)
        return plain.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")

    def step(self, title: str) -> None:
        self.flush()
        self.say(f"\n── {title} " + "─" * max(0, 66 - len(title)))

    def flush(self) -> None:
        for call in self.slack.calls[self.seen :]:
            self._show(call.method, call.args, call.ok)
        self.seen = len(self.slack.calls)

    def _show(self, method: str, args: Mapping[str, Any], ok: bool) -> None:
        if not ok:
            return
        text = self.readable(str(args.get("text") or ""))
        if method == "chat.postMessage":
            channel = self.slack.channel(str(args["channel"]))
            where = f"#{channel.name}" if channel and not channel.is_im else "DM"
            thread = " (in thread)" if args.get("thread_ts") else ""
            self.lines(f"{where}{thread} · warroom:", text)
        elif method == "chat.update":
            channel = self.slack.channel(str(args["channel"]))
            self.say(f"  [#{channel.name if channel else '?'}: Warroom's message updated in place]")
        elif method in {"chat.postEphemeral", "response_url"}:
            user = str(args.get("user") or self.reply_to.get(str(args.get("key")), ""))
            self.lines(f"only {PEOPLE.get(user, 'you').split(' ')[0]} sees:", text)
        elif method == "views.open":
            title = args["view"]["title"]["text"]
            self.say(f"  [a form opens: {title}]")
        elif method == "conversations.create":
            self.say(f"  [channel #{args['name']} created]")
        elif method == "conversations.setTopic":
            self.say(f"  [topic: {self.readable(str(args['topic']))}]")
        elif method == "files.completeUploadExternal":
            self.say("  [file attached: the postmortem draft, Markdown]")

    def lines(self, head: str, text: str) -> None:
        body = text.strip().splitlines() or [""]
        self.say(f"  {head} {body[0]}")
        for line in body[1:]:
            self.say(f"      {line}")


class People:
    """The scripted responders, acting through signed requests like Slack's."""

    def __init__(
        self, slack: FakeSlack, sender: SlackSender, url: str, clock: ManualClock, show: Transcript
    ) -> None:
        self.slack, self.sender, self.url, self.clock, self.show = slack, sender, url, clock, show
        self.urls = 0

    def _did(self, user: str, what: str) -> None:
        self.show.flush()
        self.show.say(f"  {PEOPLE[user].split(' ')[0]} {what}")

    async def _post(self, body: bytes, kind: str) -> str:
        status, text = await self.sender.post(self.url, body, kind, signing_secret=SECRET)
        if status != 200:
            raise RuntimeError(f"Warroom answered {status}: {text}")
        return text

    def _reply_url(self, user: str) -> str:
        self.urls += 1
        key = f"demo{self.urls}"
        self.show.reply_to[key] = user
        return self.slack.response_url(key)

    async def command(self, user: str, text: str, channel: str) -> None:
        self._did(user, f"types: /incident {text}")
        answer = await self._post(
            *slash_command(
                text,
                user_id=user,
                team_id=TEAM,
                channel_id=channel,
                response_url=self._reply_url(user),
            )
        )
        if answer:
            self.show.lines("warroom answers:", self.show.readable(_answer_text(answer)))

    async def fill_in(self, user: str, answers: Mapping[str, Any]) -> None:
        """Submit the form Warroom opened last, filled in with `answers`."""
        call = self.slack.calls_to("views.open")[-1]
        view = call.args["view"]
        self._did(user, "fills in the form and submits it")
        await self._post(
            *view_submission(
                view["callback_id"],
                fill_view(view, answers),
                user_id=user,
                team_id=TEAM,
                private_metadata=view.get("private_metadata", ""),
                view_id=call.response["view"]["id"],
            )
        )

    async def press(self, user: str, channel: str, ts: str, action_id: str) -> None:
        """Press the element `action_id` on the message at `ts`, as it looks now."""
        message = self.slack.message(channel, ts) or {}
        for block in message.get("blocks", []):
            for element in [block.get("accessory", {}), *block.get("elements", [])]:
                if element.get("action_id") == action_id:
                    self._did(user, f"presses [{element['text']['text']}]")
                    await self._post(
                        *block_actions(
                            action_id,
                            element.get("value"),
                            user_id=user,
                            team_id=TEAM,
                            channel_id=channel,
                            message_ts=ts,
                            block_id=block.get("block_id"),
                            message=message,
                            response_url=self._reply_url(user),
                        )
                    )
                    return
        raise RuntimeError(f"no {action_id} on that message")

    async def say(self, user: str, channel: str, text: str) -> str:
        self._did(user, f"says: {text}")
        ts = f"{self.clock().timestamp():.6f}"
        event = {"type": "message", "channel": channel, "user": user, "text": text, "ts": ts}
        await self._post(*event_callback(event, team_id=TEAM))
        return ts

    async def react(self, user: str, channel: str, ts: str, emoji: str) -> None:
        self._did(user, f"reacts :{emoji}:")
        event = {
            "type": "reaction_added",
            "user": user,
            "reaction": emoji,
            "item": {"type": "message", "channel": channel, "ts": ts},
        }
        await self._post(*event_callback(event, team_id=TEAM))


async def run_demo(database_url: str, say: Callable[[str], None]) -> str | None:
    """Play the incident, printing the transcript; returns the postmortem Markdown."""
    clock = ManualClock(datetime.now(UTC).replace(hour=2, minute=47, second=0, microsecond=0))
    async with FakeSlack() as slack:
        for user, name in PEOPLE.items():
            slack.add_user(user, name)
        broadcast = slack.add_channel("incidents")
        ops = slack.add_channel("ops", members=list(PEOPLE))
        settings = Settings(
            _env_file=None,
            slack_bot_token=slack.token,
            slack_signing_secret=SECRET,
            slack_api_url=slack.api_url,
            database_url=database_url,
            broadcast_channel=broadcast,
        )
        runtime = build_runtime(settings, clock=clock)
        try:
            async with serve_locally(create_asgi_app(runtime)) as base, SlackSender() as sender:
                show = Transcript(slack, say)
                people = People(slack, sender, f"{base}/slack/events", clock, show)
                await _play(runtime, slack, people, show, clock, ops)
            async with runtime.store.transaction() as session:
                stored = await session.get(PostmortemRow, 1)
        finally:
            await runtime.close()
    return stored.markdown if stored is not None else None


async def _play(
    runtime: Runtime,
    slack: FakeSlack,
    people: People,
    show: Transcript,
    clock: ManualClock,
    ops: str,
) -> None:
    async def settle() -> None:
        await runtime.background.idle()

    async def tick(**minutes: float) -> None:
        clock.advance(**minutes)
        await runtime.scheduler.tick()
        await settle()

    async def incident_now() -> Any:
        async with runtime.store.transaction() as session:
            return await incidents.load(session, 1)

    show.step("02:47 · ana types /incident declare in #ops")
    await people.command(ANA, "declare Checkout errors spike", ops)
    await settle()
    await people.fill_in(
        ANA,
        {
            "severity": "SEV1",
            "impact": "About 40% of checkout attempts fail with HTTP 500 in the EU.",
            "responders": [BEN, CHI, DEE],
        },
    )
    await settle()
    incident = await incident_now()
    room, card = incident.channel_id, incident.card_ts

    show.step("02:49 · ben takes Incident Commander, chi takes Ops lead, dee takes Comms")
    clock.advance(minutes=2)
    for user, role in ((BEN, "commander"), (CHI, "ops_lead"), (DEE, "comms_lead")):
        await people.press(user, room, card, f"role_take:{role}")
        await settle()

    show.step("02:52 · the team talks in the war room; chi's finding gets a 📌")
    clock.advance(minutes=3)
    finding = await people.say(
        CHI, room, "Error rate 38% on /pay since 02:41, right after deploy 812"
    )
    await people.command(BEN, "hypothesis the connection pool shrank in deploy 812", room)
    await people.react(DEE, room, finding, "pushpin")
    await settle()

    show.step("03:17 · the first status update is due: dee is reminded")
    await tick(minutes=25)

    show.step("03:18 · dee posts the update")
    clock.advance(minutes=1)
    await people.command(DEE, "update", room)
    await settle()
    await people.fill_in(
        DEE,
        {
            "status": "identified",
            "happening": "Deploy 812 halved the DB pool; checkout requests queue and fail.",
            "doing": "Rolling back deploy 812.",
        },
    )
    await settle()

    show.step("03:48 · nobody posts the next update: reminder, then ben hears it is late")
    await tick(minutes=30)
    await tick(minutes=10)

    show.step("03:59 · the rollback works: ben marks it mitigated, then resolves")
    clock.advance(minutes=1)
    await people.command(BEN, "status mitigated", room)
    await settle()
    clock.advance(minutes=20)
    await people.press(BEN, room, card, "resolve_open")
    await settle()
    await people.fill_in(
        BEN,
        {
            "resolution": "Rolled back deploy 812; error rate back to 0.1% at 04:12.",
            "root_cause": "Deploy 812 set the DB pool size to 10 instead of 100.",
        },
    )
    await settle()

    show.step("04:20 · the postmortem draft arrives in the war room")
    await tick(minutes=1)
    show.flush()
