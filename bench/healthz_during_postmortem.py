"""Does one long postmortem stall everyone? `/healthz` latency while a draft is written.

Seeds one resolved incident with `--entries` timeline entries (default 100,000;
the mix of `postmortem_draft.py`: mostly chat, 1 in 10 highlighted, typed notes,
status updates, role and status changes, reminders) straight into a fresh
database, starts `warroom serve` as a child process against a Slack stand-in
(`--slack-latency` ms per call), then sends `--requests` signed
`/incident postmortem` commands at once from the war room and polls `/healthz`
back to back (`--pause` ms between polls) until the draft's Markdown is shared
and one second after.

Prints one JSON object: `/healthz` latency (p50/p95/p99/max) while idle before
the request and while the draft was being written (request sent → file shared),
`draft_s` (the same span), each command's ack latency, how many drafts were
posted (goal: 1) and problems in the server's log. Goal: `/healthz` p99 ≤ 100 ms
while a 100,000-entry postmortem is drafted; every ack < 3 s.

    .venv/bin/python bench/healthz_during_postmortem.py
    .venv/bin/python bench/healthz_during_postmortem.py --database-url \\
        postgresql+asyncpg://postgres@127.0.0.1:5432/warroom_bench

A PostgreSQL database named is created if missing and its schema dropped and
migrated again, so give it one of its own.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import aiohttp
from sqlalchemy import insert
from sqlalchemy.engine import make_url

from fakeslack import FakeSlack, SlackSender, slash_command
from fakeslack.serve_process import ServeProcess
from load_checks import fresh_database, log_problems
from postmortem_draft import build  # bench/postmortem_draft.py: the incident's facts
from serve_env import serve_env  # bench/serve_env.py, beside this script
from stats import percentiles
from warroom.store.engine import Store, create_engine
from warroom.store.models import (
    ActionItemRow,
    IncidentRow,
    RoleAssignmentRow,
    TimelineEntryRow,
)

SECRET = "postmortem-bench-signing-secret"
GOAL = {"healthz_p99_ms": 100.0, "ack_max_ms": 3000.0, "drafts": 1}
BATCH = 5000
IDLE_S = 1.0
AFTER_S = 1.0
DRAFT_TIMEOUT_S = 300.0


async def seed(url: str, *, team_id: str, channel_id: str, entries: int, all_key: bool) -> str:
    """One resolved incident with `entries` timeline entries; its reporter's user id."""
    data = build(entries, all_key=all_key)
    incident = data.incident
    store = Store(create_engine(url))
    try:
        async with store.transaction() as session:
            incident_id = (
                await session.execute(
                    insert(IncidentRow)
                    .values(
                        team_id=team_id,
                        number=1,
                        title=incident.title,
                        impact=incident.impact,
                        severity=incident.severity,
                        status="resolved",
                        private=False,
                        reporter_id=incident.reporter_id,
                        invitees=[],
                        channel_id=channel_id,
                        channel_name="inc-1-checkout",
                        started_at=incident.started_at,
                        declared_at=incident.declared_at,
                        acknowledged_at=incident.acknowledged_at,
                        mitigated_at=incident.mitigated_at,
                        resolved_at=incident.resolved_at,
                        provisioned_at=incident.declared_at,
                        summary=data.resolution,
                    )
                    .returning(IncidentRow.id)
                )
            ).scalar_one()
            spans = list(data.role_history)
            for n, span in enumerate(spans):
                last = n == len(spans) - 1
                ended = None if last else spans[n + 1].assigned_at
                await session.execute(
                    insert(RoleAssignmentRow).values(
                        incident_id=incident_id,
                        role=span.role,
                        user_id=span.user_id,
                        assigned_by=span.assigned_by,
                        assigned_at=span.assigned_at,
                        ended_at=ended,
                    )
                )
            for item in data.action_items:
                await session.execute(
                    insert(ActionItemRow).values(
                        incident_id=incident_id,
                        text=item.text,
                        owner_id=item.owner_id,
                        due_on=item.due,
                        state=item.state,
                        created_by=incident.reporter_id,
                        created_at=incident.declared_at,
                    )
                )
        rows = [
            {
                "incident_id": incident_id,
                "kind": fact.kind,
                "author_id": fact.author_id,
                "text": fact.text,
                "occurred_at": fact.occurred_at,
                "recorded_at": fact.occurred_at + timedelta(milliseconds=50),
                "slack_channel_id": channel_id if fact.kind == "message" else None,
                "slack_ts": f"{1_790_000_000 + n}.000100" if fact.kind == "message" else None,
                "highlighted": fact.highlighted,
                "edited_at": fact.occurred_at if fact.edited else None,
                "deleted_at": fact.occurred_at if fact.deleted else None,
                "data": dict(fact.data),
            }
            for n, fact in enumerate(data.entries)
        ]
        for start in range(0, len(rows), BATCH):
            async with store.transaction() as session:
                await session.execute(insert(TimelineEntryRow), rows[start : start + BATCH])
        async with store.engine.connect() as connection:
            # as autovacuum would have long before a real incident grew this big
            await connection.exec_driver_sql("ANALYZE")
    finally:
        await store.dispose()
    return incident.reporter_id


class Poller:
    """GET /healthz back to back from a process of its own, so that the Slack stand-in
    working in this one (taking the Markdown upload, say) cannot delay a poll. Each
    answer's latency, stamped with when it was sent (`time.perf_counter`, one clock
    for every process on Linux)."""

    def __init__(self, url: str, pause_s: float) -> None:
        self.url = url
        self.pause_s = pause_s
        self.samples: list[tuple[float, float]] = []
        self.errors = 0
        self._process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        self._process = await asyncio.create_subprocess_exec(
            sys.executable,
            __file__,
            "--poll",
            self.url,
            "--pause",
            str(self.pause_s * 1000),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
        )
        assert self._process.stdout is not None
        self._take(await self._process.stdout.readline())  # polling has begun

    async def stop(self) -> None:
        """Tell the poller to finish (close its stdin) and collect what it measured."""
        assert self._process is not None and self._process.stdin is not None
        self._process.stdin.close()
        out, _ = await self._process.communicate()
        for line in out.splitlines():
            self._take(line)

    def _take(self, line: bytes) -> None:
        sent, ms = line.decode().split()
        if ms == "error":
            self.errors += 1
        else:
            self.samples.append((float(sent), float(ms)))

    def between(self, start: float, end: float) -> list[float]:
        return [ms for sent, ms in self.samples if start <= sent <= end]


async def poll(url: str, pause_s: float) -> None:
    """The poller process: until stdin closes, print `<sent> <ms>` (or `<sent> error`)."""
    loop = asyncio.get_running_loop()
    stop = loop.run_in_executor(None, sys.stdin.read)
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as http:
        while not stop.done():
            sent = time.perf_counter()
            try:
                async with http.get(f"{url}/healthz") as response:
                    await response.read()
                    ok = response.status == 200
            except (aiohttp.ClientError, TimeoutError):
                ok = False
            result = f"{(time.perf_counter() - sent) * 1000:.3f}" if ok else "error"
            print(f"{sent:.6f} {result}", flush=True)
            await asyncio.sleep(pause_s)


async def run(args: argparse.Namespace, database_url: str) -> dict[str, Any]:
    async with (
        FakeSlack(latency=args.slack_latency / 1000) as slack,
        contextlib.AsyncExitStack() as stack,
    ):
        room = slack.add_channel("inc-1-checkout", members=[slack.bot_user_id])
        started = time.perf_counter()
        reporter = await seed(
            database_url,
            team_id=slack.team_id,
            channel_id=room,
            entries=args.entries,
            all_key=args.all_key,
        )
        seed_s = time.perf_counter() - started
        env = serve_env(slack, signing_secret=SECRET, database_url=database_url)
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        server = await stack.enter_async_context(ServeProcess(env, workdir, name="pm-bench"))
        http = await stack.enter_async_context(
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60))
        )
        poller = Poller(server.url, args.pause / 1000)
        await poller.start()
        await asyncio.sleep(IDLE_S)
        sender = SlackSender(http)

        async def command(n: int) -> tuple[float, int, str]:
            body, content_type = slash_command(
                "postmortem",
                user_id=reporter,
                team_id=slack.team_id,
                channel_id=room,
                response_url=slack.response_url(f"pm{n}"),
            )
            sent = time.perf_counter()
            status, text = await sender.post(
                server.events_url, body, content_type, signing_secret=SECRET
            )
            return (time.perf_counter() - sent) * 1000, status, text

        asked = time.perf_counter()
        answers = await asyncio.gather(*(command(n) for n in range(args.requests)))
        await slack.wait_for("files.completeUploadExternal", timeout=DRAFT_TIMEOUT_S)
        done = time.perf_counter()
        await asyncio.sleep(AFTER_S)
        await poller.stop()
        idle = poller.between(0, asked)
        during = poller.between(asked, done)
        drafts = [
            call
            for call in slack.calls_to("chat.postMessage")
            if call.ok and "Postmortem draft" in str(call.args.get("text", ""))
        ]
        uploads = [c for c in slack.calls_to("files.completeUploadExternal") if c.ok]
        await server.stop()
        problems = log_problems(server.log())
        drafted = [line for line in server.log().splitlines() if "postmortem of" in line]
    acks = [ms for ms, _, _ in answers]
    during_stats = percentiles(during) if during else None
    return {
        "bench": "healthz_during_postmortem",
        "database": make_url(database_url).get_backend_name(),
        "entries": args.entries,
        "all_key": args.all_key,
        "requests": args.requests,
        "slack_latency_ms": args.slack_latency,
        "seed_s": round(seed_s, 1),
        "healthz_idle_ms": percentiles(idle) if idle else None,
        "healthz_during_draft_ms": during_stats,
        "healthz_polls_during_draft": len(during),
        "healthz_errors": poller.errors,
        "healthz_slow_polls": [
            {"at_s": round(sent - asked, 3), "ms": round(ms, 1)}
            for sent, ms in poller.samples
            if asked <= sent <= done and ms > args.slow
        ],
        "draft_s": round(done - asked, 2),
        "ack_ms": [round(ms, 1) for ms in acks],
        "ack_status": sorted({status for _, status, _ in answers}),
        "answers": sorted({text for _, _, text in answers}),
        "drafts_posted": len(drafts),
        "files_shared": len(uploads),
        "server_log": drafted,
        "log_problems": problems,
        "goal": {
            **GOAL,
            "met": during_stats is not None
            and during_stats["p99"] <= GOAL["healthz_p99_ms"]
            and max(acks) < GOAL["ack_max_ms"]
            and len(drafts) == GOAL["drafts"],
        },
        "loadavg": [round(x, 2) for x in os.getloadavg()],
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--database-url", help="default: a fresh SQLite file")
    parser.add_argument("--requests", type=int, default=5, help="/incident postmortem at once")
    parser.add_argument("--all-key", action="store_true", help="highlight every chat message")
    parser.add_argument("--slack-latency", type=float, default=30.0, help="ms per Slack call")
    parser.add_argument("--pause", type=float, default=5.0, help="ms between /healthz polls")
    parser.add_argument("--slow", type=float, default=50.0, help="list polls slower than this")
    parser.add_argument("--poll", metavar="URL", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.poll:
        asyncio.run(poll(args.poll, args.pause / 1000))
        return
    with tempfile.TemporaryDirectory() as scratch:
        url = args.database_url or f"sqlite+aiosqlite:///{scratch}/warroom.db"
        fresh_database(url)
        print(json.dumps(asyncio.run(run(args, url)), indent=2))


if __name__ == "__main__":
    main()
