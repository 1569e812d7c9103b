"""Two `warroom serve` processes on one database, sharing no memory, under mixed traffic.

Both replicas talk to one Slack stand-in. Requests alternate between them, some
reach both at once (a retried event, one modal submitted to each, two people
taking the same role), reminders fall due on a policy shrunk to seconds, and
one replica is SIGKILLed while it holds reminders it has claimed but not sent.
Afterwards every reminder went out exactly once, incident numbers are gapless,
and no timeline entry, channel, card or announcement exists twice.

Real seconds pass here (the reminders are due by the wall clock of two other
processes), so these tests are marked `slow`; they still run in the default
`pytest`. Both run on SQLite (two processes on one WAL file) and PostgreSQL.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.faults.replicas import POLICY, Replicas, leased_by, reminder_posts, running
from tests.harness import REPORTER
from warroom.domain.incident import Incident
from warroom.policy_file import load_policy
from warroom.slack.blocks.card import incident_card
from warroom.store.models import DueJobRow, TimelineEntryRow

pytestmark = pytest.mark.slow

LEASE_S = 8
ALICE, BOB, CAROL = "UALICE0001", "UBOB000001", "UCAROL0001"
REMINDER_JOBS = {
    "update_due",
    "update_overdue",
    "update_broadcast",
    "commander_nag",
    "commander_escalate",
}
ANNOUNCEMENT = re.compile(r"^(INC-\d+) SEV\d: ")


@pytest.fixture
async def replicas(database_url: str, tmp_path: Path) -> AsyncIterator[Replicas]:
    async with running(database_url, tmp_path, lease_s=LEASE_S) as both:
        yield both


@dataclass
class Said:
    """What the test sent, to compare with what was stored."""

    messages: defaultdict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    notes: Counter[int] = field(default_factory=Counter)
    updates: Counter[int] = field(default_factory=Counter)
    roles: Counter[int] = field(default_factory=Counter)


async def chatter(
    r: Replicas, rooms: Sequence[Incident], said: Said, alive: Sequence[int], seconds: float
) -> None:
    """Messages (every third one delivered to both replicas) and notes, alternating."""
    until, k = time.monotonic() + seconds, 0
    while time.monotonic() < until:
        incident = rooms[k % len(rooms)]
        room = incident.channel_id or ""
        to_both = len(alive) == 2 and k % 3 == 0
        n = None if to_both else alive[k % len(alive)]
        said.messages[room].append(await r.say(n, room, f"looking at shard {k}", user=BOB))
        if k % 4 == 1:
            await r.command(
                alive[k % len(alive)], f"note shard {k} is fine", user=BOB, channel=room
            )
            said.notes[incident.id] += 1
        k += 1
        await asyncio.sleep(0.1)


async def leased_now(r: Replicas) -> list[DueJobRow]:
    """Jobs claimed by some replica and not finished: pending, tried, leased into the future."""
    async with r.store.transaction() as session:
        rows = await session.execute(
            select(DueJobRow).where(
                DueJobRow.state == "pending",
                DueJobRow.attempts >= 1,
                DueJobRow.last_error.is_(None),
                DueJobRow.due_at > datetime.now(UTC),
            )
        )
        return list(rows.scalars())


async def kill_a_replica_holding_reminders(r: Replicas) -> tuple[int, list[int]]:
    """Hold reminder posts at Slack until one replica has claimed some, then SIGKILL it.

    Returns the dead replica and the jobs it had claimed; its held posts are dropped
    unsent, as when a process dies before its request is read.
    """
    r.slack.stalls.arm("chat.postMessage", times=100)
    await r.slack.stalls.held(1, timeout=15)
    await asyncio.sleep(0.3)  # deliberate: time for both replicas' ticks to claim some
    owners = {job.id: leased_by(r.servers, job.id) for job in await leased_now(r)}
    assert owners and all(len(who) == 1 for who in owners.values()), owners
    victim = next(iter(owners.values()))[0]
    r.servers[victim].kill()
    await asyncio.sleep(0.3)  # deliberate: the stand-in sees the dead callers' sockets close
    r.slack.stalls.release()
    still_leased = {job.id for job in await leased_now(r)}
    return victim, [job for job, who in owners.items() if who == [victim] and job in still_leased]


async def test_two_replicas_send_every_reminder_once_and_double_nothing(
    replicas: Replicas,
) -> None:
    r, said = replicas, Said()
    await r.declare(0, "Checkout down", "SEV1", user=REPORTER)
    await r.declare(1, "Search slow", "SEV2", user=REPORTER)
    first, second = await r.open_declare(0, user=ALICE), await r.open_declare(1, user=BOB)
    await asyncio.gather(
        r.post(0, *r.declaration(first, "Payments failing", "SEV1", ALICE)),
        r.post(1, *r.declaration(second, "Login errors", "SEV2", BOB)),
    )
    retried = await r.open_declare(1, user=CAROL)
    await r.both(*r.declaration(retried, "API 502s", "SEV1", CAROL))
    await r.declare(1, "Emails delayed", "SEV2", user=REPORTER)
    by_title = {i.title: i for i in await r.all_ready(6)}
    checkout, payments = by_title["Checkout down"], by_title["Payments failing"]
    search, emails = by_title["Search slow"], by_title["Emails delayed"]

    await r.press(0, checkout, "role_take:commander", user=ALICE)
    await asyncio.gather(
        r.press(0, payments, "role_take:commander", user=BOB),
        r.press(1, payments, "role_take:commander", user=CAROL),
    )
    await r.press(1, search, "role_take:scribe", user=CAROL)
    await r.command(0, f"role ic <@{ALICE}>", user=REPORTER, channel=emails.channel_id)
    for incident in (checkout, payments, search, emails):
        said.roles[incident.id] += 1
    await r.post_update(1, checkout, user=ALICE, text="Rolled back", submit_on=0)
    said.updates[checkout.id] += 1

    rooms = list(by_title.values())
    await chatter(r, rooms, said, [0, 1], seconds=9)
    # ALICE declared it, so she is in its room whoever won the race for IC.
    await r.post_update(0, payments, user=ALICE, text="Failover done", submit_on=1)
    said.updates[payments.id] += 1
    await chatter(r, rooms, said, [0, 1], seconds=2)
    await asyncio.sleep(0.5)  # deliberate: a quiet moment, then reminders are held

    victim, orphaned = await kill_a_replica_holding_reminders(r)
    survivor = 1 - victim
    assert orphaned, "the killed replica held no claimed reminder"
    await chatter(r, rooms, said, [survivor], seconds=LEASE_S)

    async def orphans_done() -> bool:
        async with r.store.transaction() as session:
            rows = await session.execute(select(DueJobRow.state).where(DueJobRow.id.in_(orphaned)))
            return list(rows.scalars()) == ["done"] * len(orphaned)

    await r.until(orphans_done, "the dead replica's reminders to be sent by the other")
    assert all(survivor in leased_by(r.servers, job) for job in orphaned)
    assert r.slack.stalls.dropped >= 1
    await r.post_update(survivor, search, user=CAROL, text="Reindexed", submit_on=survivor)
    said.updates[search.id] += 1
    await chatter(r, rooms, said, [survivor], seconds=2)
    await asyncio.sleep(2)  # deliberate: the child processes' work in flight settles
    # Reminders repeat while the replicas run: wait for a moment when every one Slack
    # accepted is also on the timeline (each is written down just after it is posted).
    await r.until(lambda: reminders_logged(r), "every posted reminder to be on the timeline")

    await check_reminders_once(r)
    await check_nothing_doubled(r, said)
    await check_cards_current(r)


async def reminders_logged(r: Replicas) -> bool:
    async with r.store.read() as session:
        entries = list((await session.execute(select(TimelineEntryRow))).scalars())
    numbers = {i.id: i.reference for i in await r.incidents()}
    stored = Counter(
        (numbers[e.incident_id], e.data["job"])
        for e in entries
        if e.kind == "reminder" and e.data["job"] in REMINDER_JOBS
    )
    return reminder_posts(r.slack) == stored


async def check_reminders_once(r: Replicas) -> None:
    async with r.store.transaction() as session:
        # Entries first: on PostgreSQL each statement sees its own snapshot, and a job is
        # stored before the reminder it sends, so every entry's job is among `jobs`.
        entries = list((await session.execute(select(TimelineEntryRow))).scalars())
        jobs = list((await session.execute(select(DueJobRow))).scalars())
    by_id = {job.id: job for job in jobs}
    late = datetime.now(UTC) - timedelta(seconds=LEASE_S + 3)
    assert [j.id for j in jobs if j.state == "pending" and j.due_at < late] == []
    assert [j.id for j in jobs if j.state == "failed"] == []

    reminders = [e for e in entries if e.kind == "reminder" and e.data["job"] in REMINDER_JOBS]
    job_ids = Counter(e.data["job_id"] for e in reminders)
    assert [job for job, times in job_ids.items() if times > 1] == []
    assert all(by_id[job].state == "done" for job in job_ids)
    moments = Counter(
        (
            by_id[job].incident_id,
            by_id[job].kind,
            by_id[job].payload.get("since"),
            by_id[job].payload.get("round"),
        )
        for job in job_ids
    )
    assert [moment for moment, times in moments.items() if times > 1] == []
    # Slack's record and the timeline agree (a reminder posted twice never would); the
    # replicas still run, so one just posted may not be written down yet: wait for it.
    await r.until(lambda: reminders_logged(r), "Slack's reminders and the timeline to agree")
    posted = reminder_posts(r.slack)
    assert sum(posted.values()) >= 10, posted
    assert {kind for _, kind in posted} == REMINDER_JOBS
    for n, server in enumerate(r.servers):
        assert "leased job(s)" in server.log(), f"replica {n} never sent a reminder"


async def check_nothing_doubled(r: Replicas, said: Said) -> None:
    found = await r.incidents()
    assert sorted(i.number for i in found) == list(range(1, len(found) + 1))
    async with r.store.transaction() as session:
        entries = list((await session.execute(select(TimelineEntryRow))).scalars())
    refs = Counter((e.slack_channel_id, e.slack_ts) for e in entries if e.slack_ts)
    assert [ref for ref, times in refs.items() if times > 1] == []
    for incident in found:
        mine = [e for e in entries if e.incident_id == incident.id]
        kinds = Counter(e.kind for e in mine)
        assert kinds["declared"] == 1
        assert kinds["role_changed"] == said.roles[incident.id], incident.reference
        assert kinds["status_update"] == said.updates[incident.id], incident.reference
        assert kinds["note"] == said.notes[incident.id], incident.reference
        stored = sorted(e.slack_ts or "" for e in mine if e.kind == "message")
        assert stored == sorted(said.messages[incident.channel_id or ""]), incident.reference

    created = [c for c in r.slack.calls_to("conversations.create") if c.ok]
    assert len(created) == len(found)
    posts = [c.args for c in r.slack.calls_to("chat.postMessage") if c.ok]
    cards = Counter(
        p["channel"] for p in posts if any(b.get("block_id") == "headline" for b in p["blocks"])
    )
    assert cards == Counter(i.channel_id for i in found)
    announced = Counter(
        m.group(1)
        for p in posts
        if p["channel"] == r.broadcast and not p.get("thread_ts")
        if (m := ANNOUNCEMENT.match(str(p.get("text", ""))))
    )
    assert announced == Counter(i.reference for i in found)


async def check_cards_current(r: Replicas) -> None:
    """Each card shows the incident as finally stored, however the replicas' edits raced."""
    policy = load_policy(POLICY)

    async def current() -> bool:
        for incident in await r.incidents():
            assert incident.channel_id and incident.card_ts
            shown = r.slack.message(incident.channel_id, incident.card_ts) or {}
            # the promised update as due, or as late: which depends on when it was drawn
            late = datetime.now(UTC) + timedelta(days=1)
            drawn = [incident_card(incident, policy, now=now).blocks for now in (None, late)]
            if shown.get("blocks") not in drawn:
                return False
        return True

    await r.until(current, "every card to show its incident as stored")


async def test_a_card_edit_overtaken_by_another_replica_is_redone(
    database_url: str, tmp_path: Path
) -> None:
    """Replica 0's card edit is held at Slack; replica 1 changes the incident and its edit
    lands first. When replica 0's older render lands, it must not be the last word."""
    async with running(database_url, tmp_path, lease_s=LEASE_S, broadcast=False) as r:
        await r.declare(0, "Checkout down", "SEV2", user=REPORTER)
        (incident,) = await r.all_ready(1)
        r.slack.stalls.arm("chat.update")
        await r.post(
            0, *r.press_body(incident, "status_select", user=REPORTER, choose="identified")
        )
        await r.slack.stalls.held(1)
        edits = len(r.slack.calls_to("chat.update"))
        await r.press(1, incident, "role_take:commander", user=BOB)
        await r.slack.wait_for("chat.update", count=edits + 1)  # replica 1's edit landed
        r.slack.stalls.release()
        await check_cards_current(r)
        (stored,) = await r.incidents()
        assert stored.status == "identified" and stored.holder("commander") == BOB


async def test_a_status_update_delivered_to_both_replicas_at_once_is_posted_once(
    database_url: str, tmp_path: Path
) -> None:
    async with running(database_url, tmp_path, lease_s=LEASE_S, broadcast=False) as r:
        await r.declare(0, "Checkout down", "SEV2", user=REPORTER)
        (incident,) = await r.all_ready(1)
        for _ in range(5):
            opened = await r.opened_view(lambda: r.press(0, incident, "update_open", user=REPORTER))
            answers = {"happening": "Failover stuck", "impact": "EU", "doing": "Rolling back"}
            await r.both(*r.submission(opened, answers, user=REPORTER))
        async with r.store.transaction() as session:
            entries = (await session.execute(select(TimelineEntryRow.kind))).scalars()
            assert Counter(entries)["status_update"] == 5
