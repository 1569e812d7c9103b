"""How many war-room messages per second Warroom stores, and how fast Slack gets its answer.

Runs the real ASGI app in this process over HTTP, declares one incident against
the Slack stand-in, then sends `--events` signed `message` events into its war
room, `--concurrency` at a time (Slack delivers events concurrently). Each answer
means the message is stored (`process_before_response`), so:

- `events_per_s`: events answered per second of wall time;
- `ack_ms`: request sent → HTTP answer, percentiles;
- `stored`: timeline entries found afterwards (must equal `events`).

After the warm-up the bench calls `gc.freeze()`, as `warroom serve` does at start-up.

Prints one JSON object. Examples:
    .venv/bin/python bench/timeline_ingest.py
    .venv/bin/python bench/timeline_ingest.py --database-url \
        postgresql+asyncpg://postgres@127.0.0.1:5432/warroom_bench
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import platform
import re
import secrets
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from fakeslack import FakeSlack, SlackSender, event_callback, slash_command, view_submission
from stats import percentiles  # bench/stats.py, beside this script
from warroom.config import Settings
from warroom.demo.slack.driver import fill_view
from warroom.runtime import Runtime, build_runtime
from warroom.store.migrations import upgrade
from warroom.store.models import TimelineEntryRow
from warroom.web.asgi import create_asgi_app
from warroom.web.server import serve_locally

SECRET = "bench-signing-secret"
REPORTER = "UBENCH0001"
PEOPLE = [f"UBENCH{n:04d}" for n in range(2, 12)]


async def declare(slack: FakeSlack, sender: SlackSender, url: str, channel: str) -> str:
    """Declare one incident the way a person does; returns its war room's channel id.

    On a database kept from an earlier run this is that run's incident (the stand-in
    numbers its modals the same way each time), which is as good a war room."""
    body, kind = slash_command(
        "declare", user_id=REPORTER, channel_id=channel, response_url=slack.response_url("d")
    )
    await sender.post(url, body, kind, signing_secret=SECRET)
    opened = (await slack.wait_for("views.open", timeout=30))[0]
    view, answer = opened.args["view"], opened.response["view"]
    answers = {"title": "Ingest bench", "severity": "SEV2", "impact": "Synthetic"}
    body, kind = view_submission(
        view["callback_id"],
        fill_view(view, answers),
        user_id=REPORTER,
        private_metadata=view["private_metadata"],
        view_id=answer["id"],
        view_hash=answer["hash"],
    )
    await sender.post(url, body, kind, signing_secret=SECRET)
    (told,) = await slack.wait_for("response_url", timeout=60)
    room = re.search(r"<#(C[A-Z0-9]+)>", str(told.args.get("text")))
    if room is None:
        raise RuntimeError(f"the incident was not set up: {told.args.get('text')}")
    return room.group(1)


def message_events(room: str, count: int, first_ts: float) -> list[bytes]:
    """Signed-ready bodies, built before the clock starts."""
    bodies = []
    for n in range(count):
        ts = f"{first_ts + n / 1000:.6f}"
        event = {
            "type": "message",
            "channel": room,
            "user": PEOPLE[n % len(PEOPLE)],
            "text": f"Bench line {n}: p99 latency is {n % 900} ms on <@{PEOPLE[0]}>'s dashboard",
            "ts": ts,
            "event_ts": ts,
            "channel_type": "channel",
            "client_msg_id": secrets.token_hex(16),
        }
        body, _ = event_callback(event)
        bodies.append(body)
    return bodies


async def send_all(
    sender: SlackSender, url: str, bodies: list[bytes], concurrency: int
) -> tuple[list[float], float]:
    queue = iter(bodies)
    latencies: list[float] = []
    failures: list[int] = []

    async def worker() -> None:
        for body in queue:
            started = time.perf_counter()
            status, _ = await sender.post(url, body, "application/json", signing_secret=SECRET)
            latencies.append((time.perf_counter() - started) * 1000)
            if status != 200:
                failures.append(status)

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.perf_counter() - started
    if failures:
        raise RuntimeError(f"{len(failures)} events answered non-200, e.g. {failures[0]}")
    return latencies, elapsed


async def stored(runtime: Runtime, room: str) -> int:
    async with runtime.store.transaction() as session:
        found = await session.execute(
            select(func.count())
            .select_from(TimelineEntryRow)
            .where(TimelineEntryRow.slack_channel_id == room)
        )
        return int(found.scalar_one())


async def run(
    events: int,
    concurrency: int,
    warmup: int,
    database_url: str,
) -> dict[str, Any]:
    async with FakeSlack() as slack:
        broadcast = slack.add_channel("incidents", members=[slack.bot_user_id])
        general = slack.add_channel("general")
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            slack_bot_token=slack.token,
            slack_signing_secret=SECRET,
            slack_api_url=slack.api_url,
            database_url=database_url,
            broadcast_channel=broadcast,
        )
        runtime = build_runtime(settings)
        async with serve_locally(create_asgi_app(runtime)) as base, SlackSender() as sender:
            url = f"{base}/slack/events"
            room = await declare(slack, sender, url, general)
            first_ts = time.time() - 3600
            bodies = message_events(room, warmup + events, first_ts)
            await send_all(sender, url, bodies[:warmup], concurrency)
            before = await stored(runtime, room)
            gc.collect()
            gc.freeze()  # as `warroom serve` does once it has started
            latencies, elapsed = await send_all(sender, url, bodies[warmup:], concurrency)
            count = await stored(runtime, room) - before
    return {
        "bench": "timeline_ingest",
        "database": database_url.split("+", 1)[0],
        "events": events,
        "concurrency": concurrency,
        "events_per_s": round(events / elapsed, 1),
        "ack_ms": percentiles(latencies),
        "stored": count,
        "python": platform.python_version(),
        "machine": platform.machine(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=200)
    parser.add_argument("--database-url", help="default: a fresh SQLite file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        url = args.database_url or f"sqlite+aiosqlite:///{Path(scratch) / 'bench.db'}"
        upgrade(url)
        result = asyncio.run(run(args.events, args.concurrency, args.warmup, url))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
