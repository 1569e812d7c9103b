"""What a scheduler tick costs, and how late reminders are when many fall due at once.

1. Tick cost: `--open` open incidents, each with a pending reminder, of which
   `--due` are due now. Measures the claim (one indexed query) and a whole tick
   with a no-op handler, over `--rounds` rounds, and on PostgreSQL prints the
   claim query's plan (`EXPLAIN ANALYZE`) to show it uses the index.
2. Burst: `--burst` incidents whose update reminder falls due at the same moment,
   sent by the real reminder handler to the Slack stand-in (which answers each
   call after `--slack-latency-ms`). Lateness is measured from the due time to
   Slack's answer; a real deployment adds up to one tick interval on top.

Prints one JSON object. Examples:
    .venv/bin/python bench/scheduler_tick.py
    .venv/bin/python bench/scheduler_tick.py --database-url \
        postgresql+asyncpg://postgres@127.0.0.1:5432/warroom_bench
"""

from __future__ import annotations

import argparse
import asyncio
import json
import platform
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import delete, insert, text, update

from fakeslack import FakeSlack
from stats import percentiles  # bench/stats.py, beside this script
from warroom.config import Settings
from warroom.domain.cadence import UPDATE_DUE
from warroom.runtime import build_runtime
from warroom.scheduler.tick import LEASE, Scheduler
from warroom.store import jobs
from warroom.store.engine import Store, create_engine
from warroom.store.jobs import Job
from warroom.store.migrations import upgrade
from warroom.store.models import DueJobRow, IncidentRow, TeamSequenceRow

NOW = datetime.now(UTC).replace(microsecond=0)


async def reset(store: Store) -> None:
    async with store.transaction() as session:
        for table in (DueJobRow, IncidentRow, TeamSequenceRow):
            await session.execute(delete(table))


async def seed(store: Store, count: int, *, channels: list[str] | None = None) -> list[int]:
    """`count` open SEV1 incidents, each with one pending update reminder (not yet due)."""
    since = NOW - timedelta(minutes=30)
    async with store.transaction() as session:
        rows = [
            {
                "team_id": "TBENCH",
                "number": n + 1,
                "title": f"Bench {n}",
                "impact": "Synthetic",
                "severity": "SEV1",
                "status": "investigating",
                "private": False,
                "reporter_id": "UBENCH",
                "invitees": [],
                "declared_at": since,
                "channel_id": channels[n] if channels else None,
                "version": 1,
            }
            for n in range(count)
        ]
        ids = list(
            (await session.execute(insert(IncidentRow).returning(IncidentRow.id), rows)).scalars()
        )
        await session.execute(
            insert(DueJobRow),
            [
                {
                    "kind": UPDATE_DUE,
                    "incident_id": incident_id,
                    "due_at": NOW + timedelta(hours=1),
                    "state": "pending",
                    "attempts": 0,
                    "payload": {"since": since.isoformat(), "due": NOW.isoformat()},
                    "created_at": NOW,
                }
                for incident_id in ids
            ],
        )
    return ids


async def make_due(store: Store, incident_ids: list[int], at: datetime) -> None:
    async with store.transaction() as session:
        await session.execute(
            update(DueJobRow)
            .where(DueJobRow.incident_id.in_(incident_ids))
            .values(due_at=at, state="pending", attempts=0)
        )


async def explain(store: Store) -> list[str]:
    if store.dialect != "postgresql":
        return []
    async with store.engine.connect() as conn:
        await conn.exec_driver_sql("ANALYZE due_jobs")
        plan = await conn.execute(
            text(
                "EXPLAIN ANALYZE SELECT id FROM due_jobs WHERE state = 'pending' "
                "AND due_at <= :now ORDER BY due_at LIMIT 100 FOR UPDATE SKIP LOCKED"
            ),
            {"now": NOW},
        )
        return [str(row[0]) for row in plan]


async def tick_cost(url: str, open_count: int, due: int, rounds: int) -> dict[str, Any]:
    store = Store(create_engine(url))
    try:
        await reset(store)
        ids = await seed(store, open_count)
        claim_ms, tick_ms = [], []

        async def noop(job: Job) -> None:
            return None

        scheduler = Scheduler(store, lambda: NOW, {UPDATE_DUE: noop})
        for _ in range(rounds):
            await make_due(store, ids[:due], NOW - timedelta(seconds=1))
            started = time.perf_counter()
            async with store.transaction() as session:
                claimed = await jobs.claim(session, now=NOW, lease=LEASE, limit=due)
            claim_ms.append((time.perf_counter() - started) * 1000)
            assert len(claimed) == due
            await make_due(store, ids[:due], NOW - timedelta(seconds=1))
            started = time.perf_counter()
            report = await scheduler.tick()
            tick_ms.append((time.perf_counter() - started) * 1000)
            assert report.done == due
        await make_due(store, ids[:due], NOW - timedelta(seconds=1))
        plan = await explain(store)
    finally:
        await store.dispose()
    return {
        "open_incidents": open_count,
        "due": due,
        "claim_ms": percentiles(claim_ms),
        "tick_ms_noop_handler": percentiles(tick_ms),
        "claim_plan": plan,
        "claim_uses_index": any("ix_due_jobs_state_due_at" in line for line in plan) or None,
    }


async def burst(url: str, count: int, latency_ms: float) -> dict[str, Any]:
    async with FakeSlack(latency=latency_ms / 1000) as slack:
        channels = [
            slack.add_channel(f"inc-{n}", members=[slack.bot_user_id]) for n in range(count)
        ]
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            slack_bot_token=slack.token,
            slack_signing_secret="bench",
            slack_api_url=slack.api_url,
            database_url=url,
        )
        runtime = build_runtime(settings, clock=lambda: NOW)
        try:
            await reset(runtime.store)
            ids = await seed(runtime.store, count, channels=channels)
            await make_due(runtime.store, ids, NOW)
            due_wall = time.monotonic()
            while True:
                report = await runtime.scheduler.tick()
                if not report.claimed:
                    break
            sent = [c for c in slack.calls_to("chat.postMessage") if c.ok]
        finally:
            await runtime.close()
    lateness_ms = [(call.finished - due_wall) * 1000 for call in sent]
    return {
        "reminders_due_at_once": count,
        "sent": len(sent),
        "slack_latency_ms": latency_ms,
        "lateness_ms": percentiles(lateness_ms),
        "reminders_per_s": round(len(sent) / (max(lateness_ms) / 1000), 1),
    }


async def run(args: argparse.Namespace, url: str) -> dict[str, Any]:
    return {
        "bench": "scheduler_tick",
        "database": url.split("+", 1)[0],
        "tick": await tick_cost(url, args.open, args.due, args.rounds),
        "burst": await burst(url, args.burst, args.slack_latency_ms),
        "python": platform.python_version(),
        "machine": platform.machine(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--open", type=int, default=10_000)
    parser.add_argument("--due", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--burst", type=int, default=500)
    parser.add_argument("--slack-latency-ms", type=float, default=50.0)
    parser.add_argument("--database-url", help="default: a fresh SQLite file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        url = args.database_url or f"sqlite+aiosqlite:///{Path(scratch) / 'bench.db'}"
        upgrade(url)
        result = asyncio.run(run(args, url))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
