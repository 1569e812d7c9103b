"""How fast the pruned tables grow, and what pruning them costs.

Inserts `--rows` handled deliveries (`processed_requests`, keys shaped like the
real ones) and `--rows` / 10 finished due jobs, all older than the retention,
and measures the bytes each row adds on disk (table and indexes). Then runs the
real prune (`services.retention.Retention`) and reports its time, its batches,
and the longest single batch statement, which is about how long SQLite's one
writer is held at a time. `growth_per_day_gb` scales the row size by
`--recorded-per-s`: at the load bench's 100 req/s about a quarter of requests
(commands, clicks, modal submissions; not events) is recorded.

Prints one JSON object. Examples:
    .venv/bin/python bench/retention.py
    .venv/bin/python bench/retention.py --database-url \
        postgresql+asyncpg://postgres@127.0.0.1:5432/warroom_bench
"""

from __future__ import annotations

import argparse
import asyncio
import json
import platform
import secrets
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import delete, insert, text

from warroom.services.retention import PRUNE_BATCH, Retention
from warroom.store import jobs, requests
from warroom.store.engine import Store, create_engine
from warroom.store.migrations import upgrade
from warroom.store.models import DueJobRow, ProcessedRequestRow

NOW = datetime.now(UTC).replace(microsecond=0)
KEEP = timedelta(days=7)
CHUNK = 5000


def _key(n: int) -> str:
    trigger = f"{1_700_000_000_000 + n}.{7_000_000_000 + n}.{secrets.token_hex(16)}"
    return f"block_actions:{trigger}"


async def size_bytes(store: Store) -> int:
    """Bytes the two tables and their indexes take (SQLite: the whole database)."""
    async with store.engine.connect() as connection:
        if store.dialect == "sqlite":
            pages = (await connection.exec_driver_sql("PRAGMA page_count")).scalar_one()
            page = (await connection.exec_driver_sql("PRAGMA page_size")).scalar_one()
            return int(pages) * int(page)
        total = await connection.execute(
            text(
                "SELECT pg_total_relation_size('processed_requests')"
                " + pg_total_relation_size('due_jobs')"
            )
        )
        return int(total.scalar_one())


async def fill(store: Store, rows: int) -> None:
    old = NOW - KEEP - timedelta(days=1)
    for start in range(0, rows, CHUNK):
        batch = range(start, min(start + CHUNK, rows))
        async with store.transaction() as session:
            await session.execute(
                insert(ProcessedRequestRow),
                [
                    {
                        "key": _key(n),
                        "team_id": "T0123456789",
                        "received_at": old + timedelta(seconds=n % 86_400),
                        "handled_at": old + timedelta(seconds=n % 86_400, milliseconds=40),
                    }
                    for n in batch
                ],
            )
            await session.execute(
                insert(DueJobRow),
                [
                    {
                        "kind": "update_due",
                        "incident_id": None,
                        "due_at": old + timedelta(seconds=n % 86_400),
                        "state": "done",
                        "attempts": 1,
                        "payload": {"role": "commander", "round": n % 5},
                        "created_at": old,
                    }
                    for n in batch
                    if n % 10 == 0
                ],
            )


def timed(
    original: Callable[..., Awaitable[int]], took: list[float]
) -> Callable[..., Awaitable[int]]:
    async def run(session: Any, *, before: datetime, limit: int) -> int:
        start = time.perf_counter()
        deleted = await original(session, before=before, limit=limit)
        took.append(time.perf_counter() - start)
        return deleted

    return run


async def main(database_url: str, rows: int, batch: int, recorded_per_s: float) -> dict[str, Any]:
    store = Store(create_engine(database_url))
    try:
        async with store.transaction() as session:
            await session.execute(delete(ProcessedRequestRow))
            await session.execute(delete(DueJobRow))
        if store.dialect == "postgresql":
            async with store.engine.connect() as connection:
                autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
                await autocommit.execute(text("VACUUM FULL processed_requests, due_jobs"))
        empty = await size_bytes(store)
        started = time.perf_counter()
        await fill(store, rows)
        fill_s = time.perf_counter() - started
        full = await size_bytes(store)
        # Both tables' growth, charged to the deliveries (a tenth as many jobs ride along).
        per_request = (full - empty) / rows

        took: list[float] = []
        requests.prune = timed(requests.prune, took)  # type: ignore[method-assign]
        jobs.prune_finished = timed(jobs.prune_finished, took)  # type: ignore[method-assign]
        started = time.perf_counter()
        report = await Retention(store, lambda: NOW, KEEP, batch=batch).prune()
        prune_s = time.perf_counter() - started
        after = await size_bytes(store)
    finally:
        await store.dispose()
    per_day = recorded_per_s * 86_400
    return {
        "database": store.dialect,
        "python": platform.python_version(),
        "rows": rows,
        "finished_jobs": report.jobs,
        "fill_s": round(fill_s, 2),
        "bytes_per_recorded_delivery": round(per_request, 1),
        "recorded_per_s": recorded_per_s,
        "rows_per_day": int(per_day),
        "growth_per_day_gb": round(per_request * per_day / 1e9, 2),
        "prune": {
            "deleted_requests": report.requests,
            "deleted_jobs": report.jobs,
            "batches": report.batches,
            "batch_size": batch,
            "total_s": round(prune_s, 2),
            "rows_per_s": int((report.requests + report.jobs) / prune_s),
            "longest_batch_ms": round(max(took) * 1000, 1),
        },
        "size_mb": {
            "empty": round(empty / 1e6, 1),
            "filled": round(full / 1e6, 1),
            "after_prune": round(after / 1e6, 1),
        },
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=PRUNE_BATCH)
    parser.add_argument("--recorded-per-s", type=float, default=25.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        url = args.database_url or f"sqlite+aiosqlite:///{Path(scratch) / 'retention.db'}"
        upgrade(url)
        result = asyncio.run(main(url, args.rows, args.batch, args.recorded_per_s))
    print(json.dumps(result, indent=2))
