"""How long `warroom report` takes over a large history, on PostgreSQL.

Makes a scratch database (dropped afterwards unless `--keep`), brings it to the
newest schema, and fills it in SQL with `generate_series` (bench/report_data.sql):
`--incidents` incidents over two years (default 100,000) with `--entries`
timeline entries each (default 50: 5,000,000 in all), two role assignments, three
status updates, an action item and a postmortem each. Then runs the report's
service method (both queries and every figure; not the rendering) `--runs` times
after one warm-up, over everything and over the last 30 days, and renders each
format once.

Prints one JSON object: milliseconds (p50, max) per run, rows, and the load time.
Goal (issue 15): the whole-history report in ≤ 1 s.

    .venv/bin/python bench/report.py
    .venv/bin/python bench/report.py --keep --reuse   # skip the load on a later run
"""

from __future__ import annotations

import argparse
import asyncio
import json
import platform
import statistics
import time
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
from sqlalchemy.engine import make_url

from warroom.domain.report_render import render
from warroom.policy_file import load_policy
from warroom.services.reports import Reports
from warroom.store.engine import Store, create_engine
from warroom.store.migrations import upgrade

DEFAULT_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/warroom_bench_report"
DATA = Path(__file__).with_name("report_data.sql")
NOW = datetime(2026, 6, 5, 12, 0, tzinfo=UTC)
"""Just after the generated history ends (two years from 2024-06-03)."""


def _dsn(url: str, database: str | None = None) -> str:
    parsed = make_url(url).set(drivername="postgresql")
    if database is not None:
        parsed = parsed.set(database=database)
    return parsed.render_as_string(hide_password=False)


async def _create(url: str) -> None:
    admin = await asyncpg.connect(_dsn(url, "postgres"))
    try:
        name = make_url(url).database
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()


async def _drop(url: str) -> None:
    admin = await asyncpg.connect(_dsn(url, "postgres"))
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')
    finally:
        await admin.close()


async def _load(url: str, incidents: int, entries: int) -> dict[str, int]:
    sql = DATA.read_text().replace(":incidents", str(incidents))
    sql = sql.replace(":entries_per", str(entries))
    conn = await asyncpg.connect(_dsn(url))
    try:
        await conn.execute(sql)
        await conn.execute("VACUUM ANALYZE")
        counts = {}
        for table in ("incidents", "timeline_entries", "status_updates", "action_items"):
            counts[table] = int(await conn.fetchval(f"SELECT count(*) FROM {table}"))
        return counts
    finally:
        await conn.close()


async def _time(reports: Reports, runs: int, **kwargs: object) -> tuple[list[float], int]:
    async def once() -> int:
        if "days" in kwargs:
            report = await reports.last(int(str(kwargs["days"])), team="TBENCH")
        else:
            report = await reports.report(team="TBENCH")
        return report.incidents

    await once()  # warm-up: connections, plans, caches
    samples = []
    counted = 0
    for _ in range(runs):
        started = time.perf_counter()
        counted = await once()
        samples.append((time.perf_counter() - started) * 1000)
    return samples, counted


def _ms(samples: list[float]) -> dict[str, float]:
    return {"p50": round(statistics.median(samples), 1), "max": round(max(samples), 1)}


async def run(args: argparse.Namespace) -> dict[str, object]:
    url = args.database_url
    loaded: dict[str, object] = {"reused": True}
    if not args.reuse:
        await _create(url)
        await asyncio.to_thread(upgrade, url)
        started = time.perf_counter()
        counts = await _load(url, args.incidents, args.entries)
        loaded = {"seconds": round(time.perf_counter() - started, 1), **counts}
    store = Store(create_engine(url))
    try:
        reports = Reports(store=store, policy=load_policy(), clock=lambda: NOW)
        everything, counted = await _time(reports, args.runs)
        month, month_counted = await _time(reports, args.runs, days=30)
        report = await reports.report(team="TBENCH")
        renders = {}
        for fmt in ("md", "csv", "json"):
            started = time.perf_counter()
            rendered = render(report, fmt)
            renders[fmt] = {
                "ms": round((time.perf_counter() - started) * 1000, 2),
                "bytes": len(rendered.encode()),
            }
    finally:
        await store.dispose()
        if not args.keep:
            await _drop(url)
    return {
        "loaded": loaded,
        "runs": args.runs,
        "report_all_ms": _ms(everything),
        "report_all_incidents": counted,
        "report_30d_ms": _ms(month),
        "report_30d_incidents": month_counted,
        "render": renders,
        "goal_ms": 1000,
        "python": platform.python_version(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--incidents", type=int, default=100_000)
    parser.add_argument("--entries", type=int, default=50, help="timeline entries per incident")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--reuse", action="store_true", help="use the kept database as it is")
    args = parser.parse_args()
    print(json.dumps(asyncio.run(run(args)), indent=2))


if __name__ == "__main__":
    main()
