"""The weekly digest, through the real runtime, store and scheduler tick, with the
gateway double and a moved clock: nothing before its time, one post at it and the
next week planned; no second post or second week when a run is retried; private
incidents counted, not named; a quiet week in one line; off means off; no broadcast
channel means nothing posted and one line in the log."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from tests.services.conftest import World
from tests.services.gateway_double import BOT_USER, GatewayDouble, Posted
from warroom.config import Settings
from warroom.domain.clock import ManualClock
from warroom.domain.policy import DigestPolicy, Policy
from warroom.policy_file import load_policy
from warroom.runtime import build_runtime
from warroom.scheduler.tick import backoff
from warroom.services.digest import DIGEST
from warroom.store import action_items, jobs
from warroom.store.jobs import Job

THURSDAY = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
MONDAY_9 = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)  # 09:00 in Berlin
NEXT_MONDAY_9 = MONDAY_9 + timedelta(days=7)
ON = DigestPolicy(enabled=True, weekday=0)


def policy_with(digest: DigestPolicy) -> Policy:
    return replace(load_policy(), timezone="Europe/Berlin", digest=digest)


@pytest.fixture
async def worlds(database_url: str) -> AsyncIterator[Callable[..., Any]]:
    """Runtimes on one database, one gateway double and one clock, as replicas or
    restarts with another policy or settings would be."""
    clock = ManualClock(THURSDAY)
    slack = GatewayDouble(clock_now=clock())
    broadcast = slack.add_channel("incidents", members=[BOT_USER])
    built: list[World] = []

    def build(digest: DigestPolicy = ON, *, channel: str | None = broadcast) -> World:
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            slack_bot_token="xoxb-not-used",
            slack_signing_secret="not-used",
            database_url=database_url,
            broadcast_channel=channel,
        )
        runtime = build_runtime(settings, clock=clock, gateway=slack, policy=policy_with(digest))
        built.append(World(runtime, slack, clock, broadcast))
        return built[-1]

    try:
        yield build
    finally:
        for world in built:
            await world.runtime.close()


def digests_posted(world: World) -> list[Posted]:
    return [
        message
        for message in world.slack.messages_in(world.broadcast)
        if message.blocks and str(message.blocks[0].get("block_id", "")).startswith("digest:")
    ]


async def planned(world: World) -> list[datetime]:
    async with world.runtime.store.read() as session:
        pending = await jobs.pending_of_kind(session, DIGEST)
    return [datetime.fromisoformat(job.payload["at"]) for job in pending]


def move_to(world: World, at: datetime) -> None:
    world.clock.now = at


async def test_one_digest_at_its_time_and_the_next_week_planned(worlds: Any) -> None:
    world: World = worlds()
    await world.runtime.scheduler.plan_recurring()
    assert await planned(world) == [MONDAY_9]
    public = await world.declare("Checkout returns 500s", severity="SEV1")
    await world.declare("Payroll export leaks salaries", severity="SEV2", private=True)

    move_to(world, MONDAY_9 - timedelta(seconds=1))
    await world.runtime.scheduler.tick()
    assert digests_posted(world) == []

    move_to(world, MONDAY_9)
    await world.runtime.scheduler.tick()
    [digest] = digests_posted(world)
    assert digest.blocks[0]["block_id"] == f"digest:{int(MONDAY_9.timestamp())}"
    assert "2 incidents declared (1 private)" in digest.blocks[0]["text"]["text"]
    shown = str(digest.blocks)
    assert f"*{public.reference}* Checkout returns 500s" in shown
    assert f"<#{public.channel_id}>" in shown
    assert "Payroll" not in shown and "INC-2" not in shown
    assert "*SEV2*: 1 incident (private, not named)" in shown
    assert await planned(world) == [NEXT_MONDAY_9]

    move_to(world, MONDAY_9 + timedelta(days=6))
    await world.runtime.scheduler.tick()
    assert len(digests_posted(world)) == 1


async def test_a_run_retried_after_it_posted_posts_and_plans_nothing_more(worlds: Any) -> None:
    """A crash after the post, before the job is marked done: the scheduler runs it
    again (its attempts now 2); the digest is found in the channel, and next week's
    digest is planned once."""
    world: World = worlds()
    await world.runtime.scheduler.plan_recurring()
    async with world.runtime.store.read() as session:
        [first] = await jobs.pending_of_kind(session, DIGEST)
    move_to(world, MONDAY_9 + timedelta(seconds=5))
    await world.runtime.digests.on_job(replace(first, attempts=1))
    await world.runtime.digests.on_job(replace(first, attempts=2))
    assert len(digests_posted(world)) == 1
    assert "conversations.history" in world.slack.methods()
    assert await planned(world) == [MONDAY_9, NEXT_MONDAY_9]  # the first is not done yet


async def test_a_slack_failure_is_retried_into_one_post(worlds: Any) -> None:
    world: World = worlds()
    await world.runtime.scheduler.plan_recurring()
    world.slack.fail("chat.postMessage", "ratelimited")
    move_to(world, MONDAY_9)
    report = await world.runtime.scheduler.tick()
    assert report.retried == 1 and digests_posted(world) == []
    move_to(world, MONDAY_9 + backoff(1))
    report = await world.runtime.scheduler.tick()
    assert report.done == 1 and len(digests_posted(world)) == 1
    assert await planned(world) == [NEXT_MONDAY_9]


async def test_a_quiet_week_says_so_in_one_line(worlds: Any) -> None:
    world: World = worlds()
    await world.runtime.scheduler.plan_recurring()
    move_to(world, MONDAY_9)
    await world.runtime.scheduler.tick()
    [digest] = digests_posted(world)
    assert len(digest.blocks) == 1
    assert "a quiet week, no incident declared and no action item past due" in digest.text


async def test_overdue_action_items_per_public_incident_private_only_counted(
    worlds: Any,
) -> None:
    world: World = worlds()
    await world.runtime.scheduler.plan_recurring()
    public = await world.declare("Search is slow", severity="SEV3")
    secret = await world.declare("Payroll export leaks salaries", private=True)
    due = date(2026, 12, 4)
    async with world.runtime.store.transaction() as session:
        for incident, texts in ((public, ["Add an index"]), (secret, ["Rotate keys", "Audit"])):
            for text in texts:
                await action_items.add(
                    session,
                    incident_id=incident.id,
                    text=text,
                    owner_id=None,
                    due_on=due,
                    created_by="UA",
                    now=THURSDAY,
                )
    move_to(world, MONDAY_9)
    await world.runtime.scheduler.tick()
    [digest] = digests_posted(world)
    shown = str(digest.blocks)
    assert "*Action items past due*: 3 on 2 incidents" in shown
    assert f"*{public.reference}* Search is slow · <#{public.channel_id}> · 1 past due" in shown
    assert "• 2 on 1 private incident" in shown
    assert "Rotate" not in shown and "Payroll" not in shown and secret.reference not in shown


async def test_switched_off_nothing_is_planned_or_posted(worlds: Any) -> None:
    on: World = worlds()
    await on.runtime.scheduler.plan_recurring()
    assert await planned(on) == [MONDAY_9]
    async with on.runtime.store.read() as session:
        [job] = await jobs.pending_of_kind(session, DIGEST)

    off: World = worlds(DigestPolicy(enabled=False))  # restarted with the digest off
    move_to(off, MONDAY_9)
    await off.runtime.digests.on_job(job)  # a run that was already under way: no post
    await off.runtime.scheduler.plan_recurring()
    assert await planned(off) == []
    await off.runtime.scheduler.tick()
    assert digests_posted(off) == []


async def test_a_new_day_in_the_policy_replaces_the_planned_digest(worlds: Any) -> None:
    monday: World = worlds()
    await monday.runtime.scheduler.plan_recurring()
    friday: World = worlds(DigestPolicy(enabled=True, weekday=4))
    await friday.runtime.scheduler.plan_recurring()
    assert await planned(friday) == [datetime(2026, 12, 4, 8, 0, tzinfo=UTC)]


async def test_no_broadcast_channel_posts_nothing_and_says_so_once(
    worlds: Any, caplog: pytest.LogCaptureFixture
) -> None:
    world: World = worlds(channel=None)
    caplog.set_level(logging.WARNING, logger="warroom.services.digest")
    await world.runtime.scheduler.plan_recurring()
    assert await planned(world) == []
    job = Job(1, DIGEST, None, MONDAY_9, 1, {"at": MONDAY_9.isoformat()})
    move_to(world, MONDAY_9)
    await world.runtime.digests.on_job(job)
    await world.runtime.digests.on_job(job)
    assert world.slack.methods().count("chat.postMessage") == 0
    warnings = [r for r in caplog.records if "BROADCAST_CHANNEL is not set" in r.getMessage()]
    assert len(warnings) == 1


async def test_a_digest_more_than_a_day_late_is_skipped_and_the_next_planned(
    worlds: Any,
) -> None:
    world: World = worlds()
    await world.runtime.scheduler.plan_recurring()
    move_to(world, MONDAY_9 + timedelta(days=2))  # Warroom was down over Monday
    await world.runtime.scheduler.tick()
    assert digests_posted(world) == []
    assert await planned(world) == [NEXT_MONDAY_9]


async def test_two_replicas_plan_one_digest_and_post_it_once(worlds: Any) -> None:
    first: World = worlds()
    second: World = worlds()
    await asyncio.gather(
        first.runtime.scheduler.plan_recurring(), second.runtime.scheduler.plan_recurring()
    )
    assert await planned(first) == [MONDAY_9]
    move_to(first, MONDAY_9)
    await asyncio.gather(first.runtime.scheduler.tick(), second.runtime.scheduler.tick())
    assert len(digests_posted(first)) == 1
    assert await planned(first) == [NEXT_MONDAY_9]


async def test_nine_in_berlin_holds_across_the_change_to_summer_time(worlds: Any) -> None:
    world: World = worlds()
    move_to(world, datetime(2026, 3, 20, 12, 0, tzinfo=UTC))
    await world.runtime.scheduler.plan_recurring()
    assert await planned(world) == [datetime(2026, 3, 23, 8, 0, tzinfo=UTC)]  # 09:00 CET
    move_to(world, datetime(2026, 3, 23, 8, 0, tzinfo=UTC))
    await world.runtime.scheduler.tick()
    assert len(digests_posted(world)) == 1
    assert await planned(world) == [datetime(2026, 3, 30, 7, 0, tzinfo=UTC)]  # 09:00 CEST
