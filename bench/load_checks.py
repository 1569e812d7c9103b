"""What `bench/load.py` checks around the run: a fresh database, memory, the log, losses."""

from __future__ import annotations

import asyncio
import os
import re
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import asyncpg
from sqlalchemy import select
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from load_traffic import Sent  # bench/load_traffic.py, beside this script
from warroom.store.migrations import upgrade
from warroom.store.models import IncidentRow, StatusUpdateRow, TimelineEntryRow

LOG_PROBLEM = re.compile(r"Traceback|\bERROR\b|\bCRITICAL\b")


def fresh_database(url: str) -> None:
    """Empty `url` and migrate it: a SQLite file is deleted; a PostgreSQL database is
    created if missing and its public schema dropped and made again."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        Path(parsed.database or "").unlink(missing_ok=True)
    else:
        asyncio.run(_fresh_postgres(url))
    upgrade(url)


async def _fresh_postgres(url: str) -> None:
    parsed = make_url(url).set(drivername="postgresql")
    name = parsed.database
    admin = await asyncpg.connect(
        parsed.set(database="postgres").render_as_string(hide_password=False)
    )
    try:
        if not await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
            await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    conn = await asyncpg.connect(parsed.render_as_string(hide_password=False))
    try:
        await conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    finally:
        await conn.close()


def rss_bytes(pid: int) -> int:
    """Resident memory of `pid` now, from /proc (Linux); 0 once it is gone."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def cpu_seconds(pid: int) -> float:
    """User + system CPU time `pid` has used so far, from /proc (Linux)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class ServerSampler:
    """Samples a process's RSS every `every` seconds while running (keeps the peak),
    and the CPU time it spends between `begin()` and `end()`."""

    def __init__(self, pid: int, every: float = 0.1) -> None:
        self.pid = pid
        self.every = every
        self.start = rss_bytes(pid)
        self.peak = self.start
        self.samples = 0
        self.cpu = 0.0

    def begin(self) -> None:
        self.cpu = -cpu_seconds(self.pid)

    def end(self) -> None:
        self.cpu += cpu_seconds(self.pid)

    async def run(self) -> None:
        while True:
            self.peak = max(self.peak, rss_bytes(self.pid))
            self.samples += 1
            await asyncio.sleep(self.every)

    def report(self) -> dict[str, Any]:
        mb = 1024 * 1024
        return {
            "start": round(self.start / mb, 1),
            "peak": round(self.peak / mb, 1),
            "end": round(rss_bytes(self.pid) / mb, 1),
            "samples": self.samples,
        }


def log_problems(log: str) -> list[str]:
    """Lines of the server's output that say something went wrong."""
    return [line for line in log.splitlines() if LOG_PROBLEM.search(line)]


def _tally(wanted: Iterable[Any], found: Iterable[Any]) -> dict[str, int]:
    """How many acknowledged facts are missing, and how many are stored more than once."""
    want, have = Counter(wanted), Counter(found)
    return {
        "acknowledged": sum(want.values()),
        "missing": sum(max(0, n - have[key]) for key, n in want.items()),
        "doubled": sum(max(0, have[key] - n) for key, n in want.items()),
        "unexpected": sum(n for key, n in have.items() if key not in want),
    }


async def lost(database_url: str, run_id: str, sent: Sent) -> dict[str, dict[str, int]]:
    """Every acknowledged fact of this run, looked up in the database once."""
    like = f"%{run_id}%"
    engine = create_async_engine(database_url)
    try:
        async with engine.connect() as db:
            titles = await db.execute(select(IncidentRow.title).where(IncidentRow.title.like(like)))
            entries = await db.execute(
                select(
                    TimelineEntryRow.kind, TimelineEntryRow.slack_channel_id, TimelineEntryRow.text
                )
                .where(TimelineEntryRow.kind.in_(("message", "note")))
                .where(TimelineEntryRow.text.like(like))
            )
            updates = await db.execute(
                select(StatusUpdateRow.happening).where(StatusUpdateRow.happening.like(like))
            )
            stored = list(entries)
            return {
                "declares": _tally(sent.declares, titles.scalars()),
                "messages": _tally(
                    sent.messages, [(c, t) for kind, c, t in stored if kind == "message"]
                ),
                "notes": _tally(sent.notes, [t for kind, _, t in stored if kind == "note"]),
                "updates": _tally(sent.updates, updates.scalars()),
            }
    finally:
        await engine.dispose()
