"""Two `warroom serve` children on one database, driven like Slack drives them.

Each request goes to one replica by index (or to both at once); the test reads
the outcome off the one Slack stand-in both replicas talk to, and off the
shared database.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import re
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select

from fakeslack import (
    FakeSlack,
    SlackSender,
    block_actions,
    event_callback,
    slash_command,
)
from fakeslack.serve_process import ServeProcess
from tests.faults.reminder_texts import reminder_kind
from tests.harness import DEFAULT_ANSWERS, SIGNING_SECRET, TEAM_ID, OpenedView, submission_of
from warroom.domain.incident import Incident
from warroom.store import incidents
from warroom.store.engine import Store, create_engine
from warroom.store.models import IncidentRow

POLICY = Path(__file__).parent.parent / "data" / "policies" / "replicas.toml"
WAIT_S = 15.0
Json = dict[str, Any]
_serial = itertools.count(1)


def reminder_posts(slack: FakeSlack) -> Counter[tuple[str, str]]:
    """(incident reference, job kind) of every reminder Slack accepted."""
    seen: Counter[tuple[str, str]] = Counter()
    for call in slack.calls_to("chat.postMessage"):
        if not call.ok:
            continue
        if found := reminder_kind(str(call.args.get("text", ""))):
            seen[found] += 1
    return seen


def replica_env(slack: FakeSlack, database_url: str, broadcast: str, lease_s: int) -> Json:
    return {
        "SLACK_BOT_TOKEN": slack.token,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": slack.api_url,
        "DATABASE_URL": database_url,
        "BROADCAST_CHANNEL": broadcast,
        "POLICY_FILE": str(POLICY),
        "SCHEDULER_TICK": "1",
        "JOB_LEASE": str(lease_s),
    }


@dataclass
class Replicas:
    """Sends signed Slack requests to replica `n` (0 or 1) and reads the shared state."""

    servers: list[ServeProcess]
    slack: FakeSlack
    sender: SlackSender
    store: Store
    command_channel: str
    broadcast: str

    async def post(self, n: int, body: bytes, content_type: str, **signing: Any) -> str:
        status, text = await self.sender.post(
            self.servers[n].events_url, body, content_type, signing_secret=SIGNING_SECRET, **signing
        )
        assert status == 200, (status, text, self.servers[n].log()[-3000:])
        return text

    async def both(self, body: bytes, content_type: str) -> list[str]:
        """The same delivery to both replicas at once, the second marked as Slack's retry."""
        return list(
            await asyncio.gather(
                self.post(0, body, content_type), self.post(1, body, content_type, retry_num=1)
            )
        )

    async def command(self, n: int, text: str, *, user: str, channel: str | None = None) -> str:
        body, content_type = slash_command(
            text,
            user_id=user,
            team_id=TEAM_ID,
            channel_id=channel or self.command_channel,
            response_url=self.slack.response_url(f"r{next(_serial)}"),
        )
        return await self.post(n, body, content_type)

    async def opened_view(self, send: Callable[[], Awaitable[object]]) -> OpenedView:
        """Run `send` (one request at a time) and return the modal it made Warroom open."""
        before = len(self.slack.calls_to("views.open"))
        await send()
        call = (await self.slack.wait_for("views.open", count=before + 1, timeout=WAIT_S))[before]
        assert call.response.get("ok"), call.response
        view = call.response["view"]
        return OpenedView(view=call.args["view"], view_id=view["id"], view_hash=view["hash"])

    async def open_declare(self, n: int, *, user: str) -> OpenedView:
        return await self.opened_view(lambda: self.command(n, "declare", user=user))

    @staticmethod
    def submission(opened: OpenedView, answers: Json, *, user: str) -> tuple[bytes, str]:
        return submission_of(opened, answers, user=user)

    def declaration(
        self, opened: OpenedView, title: str, severity: str, user: str
    ) -> tuple[bytes, str]:
        answers = {**DEFAULT_ANSWERS, "title": title, "severity": severity}
        return self.submission(opened, answers, user=user)

    async def declare(self, n: int, title: str, severity: str, *, user: str) -> None:
        opened = await self.open_declare(n, user=user)
        assert await self.post(n, *self.declaration(opened, title, severity, user)) == ""

    def press_body(
        self, incident: Incident, action_id: str, *, user: str, choose: str | None = None
    ) -> tuple[bytes, str]:
        """A click on (or `choose` in) the element `action_id` of the card as Slack shows it."""
        assert incident.channel_id and incident.card_ts
        card = self.slack.message(incident.channel_id, incident.card_ts)
        assert card is not None
        for block in card["blocks"]:
            elements = [block["accessory"]] if "accessory" in block else block.get("elements", [])
            for element in elements:
                if element.get("action_id") == action_id:
                    options = {o["value"]: o for o in element.get("options", [])}
                    return block_actions(
                        action_id,
                        element.get("value"),
                        user_id=user,
                        team_id=TEAM_ID,
                        channel_id=incident.channel_id,
                        message_ts=incident.card_ts,
                        block_id=block["block_id"],
                        action_type=element["type"],
                        selected_option=options[choose] if choose is not None else None,
                        message=card,
                        response_url=self.slack.response_url(f"r{next(_serial)}"),
                    )
        raise AssertionError(f"no {action_id} on the card of {incident.reference}")

    async def press(self, n: int, incident: Incident, action_id: str, *, user: str) -> str:
        return await self.post(n, *self.press_body(incident, action_id, user=user))

    async def post_update(
        self, n: int, incident: Incident, *, user: str, text: str, submit_on: int
    ) -> None:
        """Open the update form on replica `n` and submit it on `submit_on`."""
        opened = await self.opened_view(lambda: self.press(n, incident, "update_open", user=user))
        answers = {"happening": text, "impact": "EU checkout", "doing": "Rolling back"}
        assert await self.post(submit_on, *self.submission(opened, answers, user=user)) == ""

    async def say(self, n: int | None, channel: str, text: str, *, user: str) -> str:
        """A war-room message event, to replica `n` (None: to both at once, as a retry)."""
        ts = f"{time.time():.6f}"
        ts = f"{ts[:-3]}{next(_serial) % 1000:03d}"
        event = {
            "type": "message",
            "channel": channel,
            "user": user,
            "text": text,
            "ts": ts,
            "event_ts": ts,
            "team": TEAM_ID,
            "channel_type": "channel",
        }
        body, content_type = event_callback(event, event_id=f"Ev{next(_serial):08d}")
        if n is None:
            await self.both(body, content_type)
        else:
            await self.post(n, body, content_type)
        return ts

    async def incidents(self) -> list[Incident]:
        async with self.store.transaction() as session:
            ids = (await session.execute(select(IncidentRow.id).order_by(IncidentRow.id))).scalars()
            return [await incidents.load(session, incident_id) for incident_id in list(ids)]

    async def until(
        self,
        ready: Callable[[], Awaitable[bool]],
        what: str,
        timeout: float = WAIT_S,  # noqa: ASYNC109 -- a test helper's deadline
    ) -> None:
        deadline = time.monotonic() + timeout
        while not await ready():
            if time.monotonic() > deadline:
                logs = "\n".join(server.log()[-3000:] for server in self.servers)
                raise AssertionError(f"waited {timeout}s for {what}\n{logs}")
            await asyncio.sleep(0.2)

    async def all_ready(self, count: int) -> list[Incident]:
        async def ready() -> bool:
            found = await self.incidents()
            return len(found) == count and all(i.provisioned_at for i in found)

        await self.until(ready, f"{count} war rooms")
        return await self.incidents()


def leased_by(servers: Sequence[ServeProcess], job_id: int) -> list[int]:
    """Which replicas' logs say they leased job `job_id`."""
    pattern = re.compile(r"leased job\(s\) ([\d,]+) for")
    return [
        n
        for n, server in enumerate(servers)
        if any(str(job_id) in found.split(",") for found in pattern.findall(server.log()))
    ]


@contextlib.asynccontextmanager
async def running(
    database_url: str, workdir: Path, *, lease_s: int, broadcast: bool = True
) -> AsyncIterator[Replicas]:
    """Two replicas, started together, stopped (or already killed) at the end."""
    async with FakeSlack() as slack, SlackSender() as sender:
        channel = slack.add_channel("incidents") if broadcast else ""
        env = replica_env(slack, database_url, channel, lease_s)
        servers = [ServeProcess(env, workdir, name=f"replica{n}") for n in range(2)]
        store = Store(create_engine(database_url))
        async with contextlib.AsyncExitStack() as cleanup:
            cleanup.push_async_callback(store.dispose)
            for server in servers:
                server.start()
                cleanup.push_async_callback(server.stop)
            await asyncio.gather(*(server.ready() for server in servers))
            general = slack.add_channel("general")
            yield Replicas(servers, slack, sender, store, general, channel)
