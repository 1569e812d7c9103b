"""Alert intake at a fixed rate against one `warroom serve`: answer latency, processing, losses.

Open loop: notification i leaves at t0 + i/rate whatever became of the earlier ones
(no coordinated omission). Each is an Alertmanager webhook request (bearer token)
carrying `--alerts` alerts, all new, spread over `--groups` group keys, so the run
is also a storm: every group should get exactly one triage card in the broadcast
channel, edited in place, never a flood of posts. A tenth of the requests are
resends of an earlier one (Alertmanager's repeat, or its HA twin), which must
change nothing.

Everything runs here: a Slack stand-in with `--slack-latency` ms per call, a fresh
database (`--database-url`, default a scratch SQLite file) and `warroom serve` as a
child process.

Reported (one JSON object):
- `answer_ms`: request sent → HTTP answer (percentiles), `alerts_per_s` accepted;
- `processed_within_s`: after the last answer, how long until every stored
  notification was processed (the desk works in batches behind the answers);
- `cards_posted` / `card_edits`: chat.postMessage / chat.update calls for cards;
- `lost` / `doubled`: alerts sent vs alerts stored; `errors`: non-200 answers.
Goal (issue 16): ≥ 500 alerts/s with answer p99 ≤ 50 ms on one process.

Examples:
    .venv/bin/python bench/alert_intake.py
    .venv/bin/python bench/alert_intake.py --rate 500 --duration 20 --database-url \\
        postgresql+asyncpg://postgres@127.0.0.1:5432/warroom_bench_alerts
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from fakeslack import FakeSlack
from fakeslack.serve_process import ServeProcess
from load_checks import ServerSampler, fresh_database, log_problems
from stats import percentiles  # bench/stats.py, beside this script
from warroom.store.engine import Store, create_engine
from warroom.store.models import AlertReceiptRow, AlertRow

TOKEN = "bench-alertmanager-token"
GOAL = {"alerts_per_s": 500, "p99_ms": 50}


def notification(n: int, *, groups: int, alerts: int, started: datetime) -> dict[str, Any]:
    group = n % groups
    common = {"alertname": f"BenchAlert{group}", "service": f"svc-{group}", "env": "prod"}
    return {
        "receiver": "warroom",
        "status": "firing",
        "alerts": [
            {
                "status": "firing",
                "labels": {**common, "instance": f"host-{n}-{k}:9100"},
                "annotations": {"summary": f"host-{n}-{k} is unhappy"},
                "startsAt": (started + timedelta(milliseconds=n)).isoformat(),
                "endsAt": "0001-01-01T00:00:00Z",
                "generatorURL": "http://prometheus.example.com/graph?g0.expr=up",
                "fingerprint": f"{n:08x}{k:08x}",
            }
            for k in range(alerts)
        ],
        "groupLabels": {"alertname": common["alertname"]},
        "commonLabels": common,
        "commonAnnotations": {},
        "externalURL": "http://alertmanager.example.com",
        "version": "4",
        "groupKey": f'{{}}:{{alertname="{common["alertname"]}"}}',
        "truncatedAlerts": 0,
    }


async def waiting(store: Store) -> int:
    async with store.read() as session:
        return int(
            (
                await session.execute(
                    select(func.count()).where(AlertReceiptRow.processed_at.is_(None))
                )
            ).scalar_one()
        )


async def stored_alerts(store: Store) -> tuple[int, int]:
    async with store.read() as session:
        rows = await session.execute(
            select(AlertRow.fingerprint, func.count()).group_by(AlertRow.fingerprint)
        )
        counts = [n for _, n in rows]
    return len(counts), sum(n - 1 for n in counts)


async def run(args: argparse.Namespace, database_url: str) -> dict[str, Any]:
    async with FakeSlack(latency=args.slack_latency / 1000) as slack:
        broadcast = slack.add_channel("incidents", members=[slack.bot_user_id])
        env = {
            "SLACK_BOT_TOKEN": slack.token,
            "SLACK_SIGNING_SECRET": "bench-signing-secret",
            "SLACK_API_URL": slack.api_url,
            "DATABASE_URL": database_url,
            "BROADCAST_CHANNEL": broadcast,
            "ALERTMANAGER_TOKEN": TOKEN,
        }
        with tempfile.TemporaryDirectory() as workdir:
            async with ServeProcess(env, Path(workdir), name="alerts") as server:
                url = f"{server.url}/alerts/alertmanager"
                sampler = ServerSampler(server.pid)
                sampling = asyncio.create_task(sampler.run())
                started = datetime.now(UTC) - timedelta(minutes=1)
                total = int(args.rate * args.duration)
                bodies = [
                    json.dumps(
                        notification(n, groups=args.groups, alerts=args.alerts, started=started)
                    ).encode()
                    for n in range(total)
                ]
                resends = set(range(10, total, 10))
                latencies: list[float] = []
                statuses: Counter[int] = Counter()
                headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
                connector = aiohttp.TCPConnector(limit=0)
                async with aiohttp.ClientSession(connector=connector) as http:

                    async def send(body: bytes) -> None:
                        sent = time.perf_counter()
                        try:
                            async with http.post(url, data=body, headers=headers) as response:
                                await response.read()
                                statuses[response.status] += 1
                        except aiohttp.ClientError:
                            statuses[0] += 1
                        latencies.append((time.perf_counter() - sent) * 1000)

                    tasks = []
                    sampler.begin()
                    own_cpu = time.process_time()
                    t0 = time.perf_counter()
                    for i, body in enumerate(bodies):
                        delay = t0 + i / args.rate - time.perf_counter()
                        if delay > 0:
                            await asyncio.sleep(delay)
                        tasks.append(asyncio.create_task(send(body)))
                        if i in resends:
                            tasks.append(asyncio.create_task(send(bodies[i - 5])))
                    await asyncio.gather(*tasks)
                    elapsed = time.perf_counter() - t0
                    generator_cpu = time.process_time() - own_cpu
                    sampler.end()
                answered = time.perf_counter()
                store = Store(create_engine(database_url))
                try:
                    deadline = answered + 120
                    while time.perf_counter() < deadline:
                        if not await waiting(store):
                            break
                        await asyncio.sleep(0.05)
                    processed_within = time.perf_counter() - answered
                    await asyncio.sleep(args.settle)  # the cards' last edits
                    distinct, doubled = await stored_alerts(store)
                finally:
                    await store.dispose()
                sampling.cancel()
                problems = log_problems(server.log())
    calls = Counter(call.method for call in slack.calls)
    sent_alerts = total * args.alerts
    answer = percentiles(latencies)
    rate = round(sent_alerts / elapsed, 1)
    return {
        "bench": "alert_intake",
        "database": make_url(database_url).get_backend_name(),
        "rate_notifications_per_s": args.rate,
        "alerts_per_notification": args.alerts,
        "groups": args.groups,
        "duration_s": round(elapsed, 2),
        "requests": len(latencies),
        "resends": len(resends),
        "alerts_per_s": rate,
        "answer_ms": answer,
        "statuses": {str(k): v for k, v in statuses.items()},
        "processed_within_s": round(processed_within, 2),
        "server_cpu_ms_per_request": round(sampler.cpu * 1000 / max(len(latencies), 1), 2),
        "server_cpu_pct": round(sampler.cpu * 100 / elapsed, 1),
        "generator_cpu_pct": round(generator_cpu * 100 / elapsed, 1),
        "rss_mb": sampler.report(),
        "cards_posted": calls["chat.postMessage"],
        "card_edits": calls["chat.update"],
        "lost": sent_alerts - distinct,
        "doubled": doubled,
        "log_problems": problems,
        "goal": {**GOAL, "met": rate >= GOAL["alerts_per_s"] and answer["p99"] <= GOAL["p99_ms"]},
        "loadavg": [round(x, 2) for x in os.getloadavg()],
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rate", type=float, default=500.0, help="notifications per second")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds of load")
    parser.add_argument("--alerts", type=int, default=1, help="alerts per notification")
    parser.add_argument("--groups", type=int, default=20, help="group keys the alerts fall in")
    parser.add_argument("--slack-latency", type=float, default=30.0, help="ms per Slack call")
    parser.add_argument("--settle", type=float, default=5.0, help="s to let cards catch up")
    parser.add_argument("--database-url", help="default: a fresh SQLite file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        url = args.database_url or f"sqlite+aiosqlite:///{Path(scratch) / 'alerts.db'}"
        fresh_database(url)
        result = asyncio.run(run(args, url))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
