"""PostgreSQL crashes and comes back under load; `warroom serve` rides it out on its own.

The server runs as a child process on a private PostgreSQL cluster (never the
shared one), under a steady stream of signed requests: message events in the
war room, `/incident note`, role handoffs and role-take clicks. Mid-stream the
cluster is killed (`pg_ctl -m immediate`, a crash), stays down for a gap, and
is started again. Reminders are set to fall due inside the gap.

What must hold: the server never dies and needs no restart; /healthz says 503
while the database is gone and 200 after; every request answered as done has
its fact in the database; events that failed got a non-200 so Slack retries
them, and the retry stores the fact exactly once; commands that failed got an
ephemeral "database unavailable, try again", not an error page; reminders due
in the gap are sent once, after it.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sqlalchemy import select

from fakeslack import FakeSlack, SlackSender, block_actions, slash_command
from fakeslack.serve_process import ServeProcess
from tests.faults.child import declare_on
from tests.faults.pg_cluster import PrivateCluster, private_cluster
from tests.harness import SIGNING_SECRET, TEAM_ID
from warroom.demo.slack.inbound import event_callback
from warroom.domain.cadence import COMMANDER_ESCALATE, COMMANDER_NAG, UPDATE_DUE, UPDATE_OVERDUE
from warroom.store.engine import Store, create_engine
from warroom.store.migrations import upgrade
from warroom.store.models import IncidentRow, RoleAssignmentRow, TimelineEntryRow

REPORTER = "UREPORTER1"
NAG_AFTER_S = 7
GAP_S = 2.5
DOWN_AT_S = NAG_AFTER_S - 0.7
"""Seconds after the declaration: the cluster dies just before the first reminder is due
and comes back after the last (nag 7 s, update due and overdue 8 s, escalation 8 s)."""
AFTER_S = 3.0
EVERY_S = 0.08
UNAVAILABLE = "database is unavailable"
DEFAULT_POLICY = Path(__file__).parents[2] / "src" / "warroom" / "default_policy.toml"


@pytest.fixture
def private_pg() -> Iterator[PrivateCluster]:
    with private_cluster() as cluster:
        yield cluster


def _drill_policy(path: Path) -> Path:
    """The shipped policy with SEV2's clocks shrunk so its reminders fall due in the gap."""
    text = DEFAULT_POLICY.read_text()
    for old, new in [
        ('update_every = "1h"', 'update_every = "8s"'),
        ('update_overdue_after = "15m"', 'update_overdue_after = "0s"'),
        ('update_broadcast_after = "30m"', 'update_broadcast_after = "none"'),
        ('commander_nag_after = "10m"', f'commander_nag_after = "{NAG_AFTER_S}s"'),
        ('commander_escalate_after = "30m"', 'commander_escalate_after = "8s"'),
    ]:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    path.write_text(text)
    return path


@dataclass
class Sent:
    kind: str
    key: str
    body: bytes
    content_type: str
    at: float
    status: int = 0
    answer: str = ""

    @property
    def done(self) -> bool:
        """Answered as handled: a 200 that is not the 'try again' answer."""
        return self.status == 200 and UNAVAILABLE not in self.answer


class Traffic:
    """Signed requests of four kinds, one every EVERY_S, each with a fact to look for."""

    def __init__(self, server: ServeProcess, sender: SlackSender, slack: FakeSlack) -> None:
        self.server, self.sender, self.slack = server, sender, slack
        self.sent: list[Sent] = []
        self._tasks: list[asyncio.Task[None]] = []

    async def post(self, sent: Sent, **signing: Any) -> Sent:
        sent.status, sent.answer = await self.sender.post(
            self.server.events_url,
            sent.body,
            sent.content_type,
            signing_secret=SIGNING_SECRET,
            **signing,
        )
        return sent

    def request(self, n: int, room: str, incident_id: int) -> Sent:
        now = time.time()
        kind = ("message", "note", "handoff", "take")[n % 4]
        if kind == "message":
            ts = f"{int(now)}.{n:06d}"
            event = {"type": "message", "channel": room, "user": "UWRITER", "text": f"m{n}"}
            body, content_type = event_callback({**event, "ts": ts, "channel_type": "channel"})
            return Sent(kind, ts, body, content_type, now)
        if kind == "take":
            body, content_type = block_actions(
                "role_take:comms_lead",
                str(incident_id),
                user_id=f"UTAKER{n:05d}",
                team_id=TEAM_ID,
                channel_id=room,
                response_url=self.slack.response_url(f"take{n}"),
            )
            return Sent(kind, f"take{n}", body, content_type, now)
        text, key = (
            (f"note load note {n}", f"load note {n}")
            if kind == "note"
            else (f"role ops <@UOPS{n:05d}>", f"UOPS{n:05d}")
        )
        body, content_type = slash_command(
            text,
            user_id=REPORTER,
            team_id=TEAM_ID,
            channel_id=room,
            response_url=self.slack.response_url(f"cmd{n}"),
        )
        return Sent(kind, key, body, content_type, now)

    async def run(self, room: str, incident_id: int, until: Callable[[], bool]) -> None:
        n = 0
        while not until():
            sent = self.request(n, room, incident_id)
            self.sent.append(sent)
            self._tasks.append(asyncio.create_task(self._send(sent)))
            n += 1
            await asyncio.sleep(EVERY_S)
        await asyncio.gather(*self._tasks)

    async def _send(self, sent: Sent) -> None:
        await self.post(sent)


async def _poll_health(url: str, seen: list[tuple[float, int]], stop: asyncio.Event) -> None:
    async with aiohttp.ClientSession() as http:
        while not stop.is_set():
            async with http.get(f"{url}/healthz") as response:
                seen.append((time.time(), response.status))
            await asyncio.sleep(0.1)


async def _declare(
    server: ServeProcess, slack: FakeSlack, store: Store, general: str
) -> IncidentRow:
    await declare_on(server, slack, general)
    await slack.wait_for("response_url", timeout=10)
    async with store.transaction() as session:
        row = (await session.execute(select(IncidentRow))).scalar_one()
    assert row.channel_id and row.card_ts, server.log()
    return row


async def _facts(store: Store, incident_id: int) -> tuple[list[TimelineEntryRow], list[str]]:
    async with store.transaction() as session:
        entries = await session.execute(
            select(TimelineEntryRow).where(TimelineEntryRow.incident_id == incident_id)
        )
        holders = await session.execute(
            select(RoleAssignmentRow.user_id).where(RoleAssignmentRow.incident_id == incident_id)
        )
        return list(entries.scalars()), list(holders.scalars())


async def _eventually(check: Callable[[], Awaitable[bool]], within_s: float, why: str) -> None:
    deadline = time.monotonic() + within_s
    while not await check():
        assert time.monotonic() < deadline, why
        await asyncio.sleep(0.2)


def _check_answers(
    sent: list[Sent], health: list[tuple[float, int]], window: dict[str, float], slack: FakeSlack
) -> None:
    """Failures only around the gap, each with the answer its sender needs; /healthz agrees."""
    told = {c.args["key"]: str(c.args.get("text")) for c in slack.calls_to("response_url")}
    for one in sent:
        if one.kind == "take":
            one.answer += told.get(one.key, "")
    failed = [s for s in sent if not s.done]
    assert failed, f"nothing failed: was the database down? {[(s.kind, s.status) for s in sent]}"
    late = [s for s in sent if s.at > window["up"] + 0.5 and not s.done]
    assert not late, [(s.kind, s.status, s.answer[:200]) for s in late]
    down = [status for at, status in health if window["down"] + 0.3 < at < window["starting"]]
    assert down and set(down) == {503}, health
    assert health[-1][1] == 200, health
    for one in failed:
        if one.kind == "message":
            assert one.status == 503, (one.status, one.answer)
        elif one.kind == "take":
            assert one.status == 200 and "try again" in one.answer, one.answer
        else:
            assert one.status == 200, (one.kind, one.status, one.answer)
            answer = json.loads(one.answer)
            assert answer["response_type"] == "ephemeral", answer
            assert "try again" in answer["text"], answer


def _check_facts(
    sent: list[Sent], entries: list[TimelineEntryRow], holders: list[str], *, room: str
) -> None:
    """Every message (acknowledged, or refused and redelivered) once; every acknowledged
    note and handoff stored."""
    messages = [e.slack_ts for e in entries if e.slack_channel_id == room]
    notes = [e.text for e in entries if e.kind == "note"]
    for one in sent:
        if one.kind == "message":
            assert messages.count(one.key) == 1, (one.key, one.status)
        elif one.kind == "note" and one.done:
            assert notes.count(one.key) == 1, (one.key, notes)
        elif one.kind == "handoff" and one.done:
            assert one.key in holders, (one.key, holders)
    if any(s.kind == "take" and s.done for s in sent):
        assert any(h.startswith("UTAKER") for h in holders), holders


async def _check_reminders(
    store: Store, slack: FakeSlack, incident_id: int, sent_after: float
) -> None:
    """The four reminders due in the gap go out once each, once the database is back."""
    due = sorted([COMMANDER_NAG, COMMANDER_ESCALATE, UPDATE_DUE, UPDATE_OVERDUE])

    async def reminders() -> list[TimelineEntryRow]:
        return [e for e in (await _facts(store, incident_id))[0] if e.kind == "reminder"]

    async def all_sent() -> bool:
        return sorted(str(e.data.get("job")) for e in await reminders()) == due

    await _eventually(all_sent, 10, "the reminders due in the gap were not sent after it")
    await asyncio.sleep(1.5)  # a tick or two more: nothing is sent twice
    sent = await reminders()
    assert sorted(str(e.data.get("job")) for e in sent) == due
    assert all(e.occurred_at.timestamp() >= sent_after for e in sent)
    posted = [c.args.get("text") for c in slack.calls_to("chat.postMessage")]
    for entry in sent:
        assert posted.count(entry.text) == 1, entry.text


async def test_postgres_crash_under_load_loses_nothing_acknowledged(
    private_pg: PrivateCluster, tmp_path: Path
) -> None:
    await asyncio.to_thread(upgrade, private_pg.url)
    store = Store(create_engine(private_pg.url))
    async with FakeSlack() as slack, SlackSender() as sender:
        general, broadcast = slack.add_channel("general"), slack.add_channel("incidents")
        env = {
            "SLACK_BOT_TOKEN": slack.token,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": slack.api_url,
            "DATABASE_URL": private_pg.url,
            "BROADCAST_CHANNEL": broadcast,
            "POLICY_FILE": str(_drill_policy(tmp_path / "policy.toml")),
            "SCHEDULER_TICK": "1",
        }
        server = ServeProcess(env, tmp_path)
        async with server:
            incident = await _declare(server, slack, store, general)
            room = incident.channel_id
            assert room is not None
            declared = incident.declared_at.timestamp()
            traffic = Traffic(server, sender, slack)
            health: list[tuple[float, int]] = []
            stop_polling = asyncio.Event()
            poller = asyncio.create_task(_poll_health(server.url, health, stop_polling))
            window: dict[str, float] = {}

            async def crash_and_restart() -> None:
                await asyncio.sleep(max(0.0, declared + DOWN_AT_S - time.time()))
                window["down"] = time.time()
                await asyncio.to_thread(private_pg.stop, "immediate")
                await asyncio.sleep(GAP_S)
                window["starting"] = time.time()
                await asyncio.to_thread(private_pg.start)
                window["up"] = time.time()

            crash = asyncio.create_task(crash_and_restart())
            assert time.time() < declared + DOWN_AT_S, "declaring took too long for the drill"

            def over() -> bool:
                return "up" in window and time.time() > window["up"] + AFTER_S

            await traffic.run(room, incident.id, until=over)
            await crash
            stop_polling.set()
            await poller

            assert server.process is not None and server.process.poll() is None, server.log()
            await asyncio.sleep(1.0)  # let the private "try again" notes for clicks arrive
            _check_answers(traffic.sent, health, window, slack)
            for sent in [s for s in traffic.sent if s.kind == "message"]:
                again = Sent(sent.kind, sent.key, sent.body, sent.content_type, time.time())
                await traffic.post(again, retry_num=1, retry_reason="http_error")
                assert again.status == 200, (again.status, again.answer)
            _check_facts(traffic.sent, *await _facts(store, incident.id), room=room)
            await _check_reminders(store, slack, incident.id, sent_after=window["starting"])
            assert "scheduler tick skipped, the database is unavailable" in server.log()
            assert server.process.poll() is None, server.log()
    await store.dispose()
