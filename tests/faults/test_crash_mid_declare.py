"""Killed mid-declare: a real `warroom serve` child gets SIGKILL at each step of
building the war room, then Warroom starts again on the same database and Slack.

Each kill lands at the moment Slack receives one call of the declare sequence:
"before" it acts (Slack never saw the call) or "after" it acted but before the
answer left (Slack did it; Warroom never heard). After the restart nothing is
sent to the dead process again: the scheduler's `finish_room` job, due once the
dead run's lease has run out, must finish the room, and the end state must be
the one an unbroken declare gives: one incident, one channel (no orphan, no
suffixed twin), one card pinned, one announcement, the reporter invited and told.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from fakeslack import FakeSlack
from fakeslack.serve_process import ServeProcess
from tests.faults.child import child_env, declare_killed_at
from tests.harness import REPORTER, Clock, Harness, harness_on
from warroom.services.declare import FINISH_ROOM
from warroom.slack.blocks.announcement import announcement_block_id
from warroom.slack.blocks.card import CARD_BLOCK_ID
from warroom.store import jobs

Args = dict[str, Any]
Where = Callable[[Args, str], bool]


def anywhere(_args: Args, _broadcast: str) -> bool:
    return True


def in_room(args: Args, broadcast: str) -> bool:
    return bool(args.get("channel")) and args.get("channel") != broadcast


def in_broadcast(args: Args, broadcast: str) -> bool:
    return args.get("channel") == broadcast


KILL_POINTS = [
    pytest.param("before", "conversations.create", anywhere, id="before-create"),
    pytest.param("after", "conversations.create", anywhere, id="after-create"),
    pytest.param("after", "conversations.invite", anywhere, id="after-invite"),
    pytest.param("after", "chat.postMessage", in_room, id="after-card"),
    pytest.param("after", "chat.postMessage", in_broadcast, id="after-announcement"),
    pytest.param("after", "conversations.setTopic", anywhere, id="after-topic"),
    pytest.param("after", "pins.add", anywhere, id="after-pin"),
    pytest.param("before", "response_url", anywhere, id="before-telling-reporter"),
]


RESTART_TO_ROOM_S = 30


async def test_a_killed_setup_is_finished_within_30_s_of_a_restart_on_the_real_clock(
    database_url: str, clock: Clock, tmp_path: Path
) -> None:
    """SIGKILL right after Slack made the channel, and a new `warroom serve` at once,
    with default settings and the real clock: the dead run's lease lapses unrenewed
    and the scheduler's `finish_room` job adopts the channel and finishes the room."""
    async with FakeSlack() as slack:
        broadcast = slack.add_channel("incidents")
        command_channel = slack.add_channel("general")
        env = child_env(slack, database_url, BROADCAST_CHANNEL=broadcast)
        first = ServeProcess(env, tmp_path, name="first")
        await declare_killed_at(
            first, slack, command_channel, phase="after", method="conversations.create"
        )
        assert not slack.calls_to("chat.postMessage")
        async with ServeProcess(env, tmp_path, name="second"):
            up = time.monotonic()
            # the card, the announcement, the line for #general (refused: Warroom is not
            # in it), then the reporter's note
            await slack.wait_for("chat.postMessage", count=4, timeout=RESTART_TO_ROOM_S + 15)
            took = time.monotonic() - up
        assert took <= RESTART_TO_ROOM_S, f"the room took {took:.1f} s after the restart"
        async with harness_on(
            slack, database_url, clock, broadcast=broadcast, command_channel=command_channel
        ) as harness:
            await assert_room_complete(harness, broadcast, told=True)


@pytest.mark.parametrize(("phase", "method", "where"), KILL_POINTS)
async def test_sigkill_mid_declare_is_finished_after_restart(
    database_url: str, clock: Clock, tmp_path: Path, phase: str, method: str, where: Where
) -> None:
    async with FakeSlack() as slack:
        broadcast = slack.add_channel("incidents")
        command_channel = slack.add_channel("general")
        server = ServeProcess(child_env(slack, database_url, BROADCAST_CHANNEL=broadcast), tmp_path)
        await declare_killed_at(
            server,
            slack,
            command_channel,
            phase=phase,
            method=method,
            where=lambda args: where(args, broadcast),
        )
        orphans_before = [c.id for c in slack.channels() if c.name.startswith("inc-")]

        async with harness_on(
            slack, database_url, clock, broadcast=broadcast, command_channel=command_channel
        ) as harness:
            (incident,) = await harness.incidents()
            if method == "conversations.create" and phase == "after":
                assert orphans_before and incident.channel_id is None, "the kill came too late"
            await harness.tick(minutes=3, seconds=30)
            await assert_room_complete(harness, broadcast, told=method != "response_url")


async def assert_room_complete(harness: Harness, broadcast: str, *, told: bool) -> None:
    slack = harness.slack
    (incident,) = await harness.incidents()
    assert incident.provisioned_at is not None and incident.channel_id and incident.card_ts
    rooms = [c for c in slack.channels() if c.name.startswith(f"inc-{incident.number}-")]
    assert [room.id for room in rooms] == [incident.channel_id], "an orphan or twin channel"
    (room,) = rooms
    assert REPORTER in room.members
    assert room.topic
    cards = [m for m in slack.messages(room.id) if _has_block(m, CARD_BLOCK_ID)]
    assert [card["ts"] for card in cards] == [incident.card_ts]
    assert room.pins == (incident.card_ts,)
    marker = announcement_block_id(incident)
    announced = [m for m in slack.messages(broadcast) if _has_block(m, marker)]
    assert [m["ts"] for m in announced] == [incident.announcement_ts]
    entries = await harness.timeline(incident.id)
    assert [e.kind for e in entries].count("declared") == 1
    async with harness.runtime.store.transaction() as session:
        left = [job.kind for job in await jobs.pending(session, incident.id)]
    assert FINISH_ROOM not in left
    if told:
        notes = [c.args.get("text", "") for c in slack.calls_to("chat.postMessage")]
        notes += [c.args.get("text", "") for c in slack.calls_to("response_url")]
        assert any(f"{incident.reference}* is open" in note for note in notes), notes


def _has_block(message: dict[str, Any], block_id: str) -> bool:
    return any(block.get("block_id") == block_id for block in message.get("blocks", []))


async def test_a_setup_that_is_still_running_is_left_alone_by_the_scheduler(
    harness: Harness,
) -> None:
    """The job only steps in once the lease is gone; a finished room cancels it."""
    incident = await harness.declare()
    async with harness.runtime.store.transaction() as session:
        assert FINISH_ROOM not in [j.kind for j in await jobs.pending(session, incident.id)]
    report = await harness.tick(minutes=4)
    assert report.failed == 0
    assert len(harness.slack.calls_to("conversations.create")) == 1
