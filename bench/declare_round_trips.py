"""How long a declaration takes, and how many Slack round trips it waits for in a row.

Runs the real ASGI app over HTTP against the Slack stand-in, which answers
every Web API call after `--slack-latency-ms` (Slack's own latency is tens of
milliseconds). For each declaration it measures:

- `ack_ms`: submission sent → HTTP answer (Slack closes the modal then);
- `ready_ms`: submission sent → the reporter is told the room is ready;
- `rounds`: Slack calls on the critical path, one after another (goal ≤ 3).

Prints one JSON object. Example:
    .venv/bin/python bench/declare_round_trips.py --declares 20
    .venv/bin/python bench/declare_round_trips.py --database-url \
        postgresql+asyncpg://postgres@127.0.0.1:5432/warroom_bench
"""

from __future__ import annotations

import argparse
import asyncio
import json
import platform
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from stats import percentiles  # bench/stats.py, beside this script
from warroom.config import Settings
from warroom.fakeslack import FakeSlack, SlackSender, slash_command, view_submission
from warroom.fakeslack.driver import fill_view, serve_locally
from warroom.fakeslack.timing import sequential_rounds
from warroom.runtime import build_runtime
from warroom.store.migrations import upgrade
from warroom.web.asgi import create_asgi_app

SECRET = "bench-signing-secret"
REPORTER = "UBENCH0001"


async def declare_once(
    n: int, slack: FakeSlack, sender: SlackSender, url: str, channel: str
) -> dict[str, float]:
    opens = len(slack.calls_to("views.open"))
    body, kind = slash_command(
        "declare", user_id=REPORTER, channel_id=channel, response_url=slack.response_url(f"c{n}")
    )
    await sender.post(url, body, kind, signing_secret=SECRET)
    opened = (await slack.wait_for("views.open", count=opens + 1, timeout=30))[opens]
    view, answer = opened.args["view"], opened.response["view"]
    answers = {"title": f"Bench outage {n}", "severity": "SEV2", "impact": "Synthetic"}
    body, kind = view_submission(
        view["callback_id"],
        fill_view(view, answers),
        user_id=REPORTER,
        private_metadata=view["private_metadata"],
        view_id=answer["id"],
        view_hash=answer["hash"],
    )
    told = len(slack.calls_to("response_url"))
    first_call = len(slack.calls)
    started = time.perf_counter()
    status, _ = await sender.post(url, body, kind, signing_secret=SECRET)
    acked = time.perf_counter()
    await slack.wait_for("response_url", count=told + 1, timeout=60)
    ready = time.perf_counter()
    if status != 200:
        raise RuntimeError(f"submission answered {status}")
    build = [c for c in slack.calls[first_call:] if c.method != "response_url"]
    return {
        "ack_ms": (acked - started) * 1000,
        "ready_ms": (ready - started) * 1000,
        "rounds": sequential_rounds(build),
        "calls": len(build),
    }


async def run(declares: int, latency_ms: float, database_url: str) -> dict[str, Any]:
    async with FakeSlack(latency=latency_ms / 1000) as slack:
        broadcast = slack.add_channel("incidents", members=[slack.bot_user_id])
        channel = slack.add_channel("general")
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
            results = [await declare_once(n, slack, sender, url, channel) for n in range(declares)]
    rounds = [r["rounds"] for r in results]
    return {
        "bench": "declare_round_trips",
        "database": database_url.split("+", 1)[0],
        "declares": declares,
        "slack_latency_ms": latency_ms,
        "rounds_on_critical_path": {"max": max(rounds), "min": min(rounds)},
        "slack_calls_per_declare": statistics.fmean(r["calls"] for r in results),
        "ack_ms": percentiles([r["ack_ms"] for r in results]),
        "ready_ms": percentiles([r["ready_ms"] for r in results]),
        "python": platform.python_version(),
        "machine": platform.machine(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--declares", type=int, default=20)
    parser.add_argument("--slack-latency-ms", type=float, default=50.0)
    parser.add_argument("--database-url", help="default: a fresh SQLite file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        url = args.database_url or f"sqlite+aiosqlite:///{Path(scratch) / 'bench.db'}"
        upgrade(url)
        result = asyncio.run(run(args.declares, args.slack_latency_ms, url))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
