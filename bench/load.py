"""Mixed Slack traffic at a fixed rate against `warroom serve`: ack latency, errors, memory, losses.

Open loop: request i leaves at t0 + i/rate whatever became of the earlier ones, so
a slow answer cannot hold back the next request and hide itself (no coordinated
omission; the HTTP client has no connection limit either). The mix, by share of
the schedule's slots (`--mix`): message events in war rooms (the bulk),
`/incident note`, clicks on a role button of an incident card as it reads at
that moment (Take, or Hand off and the assign modal), `/incident update` and
its modal, and `/incident declare` and its modal. A modal is submitted, filled
in from the view Warroom opened, in the next free slot once it is open.

By default the script starts everything: a Slack stand-in in this process with
`--slack-latency` ms per call, a fresh database (`--database-url`, default a
scratch SQLite file; a PostgreSQL database named there is created if missing and
its schema dropped and migrated again), and `warroom serve` as a child process.
It declares `--warmup` incidents, then runs the schedule for `--duration` s.
`--url` aims at a server already running instead: start it with
SLACK_API_URL=http://127.0.0.1:<--slack-port>/api/, SLACK_BOT_TOKEN=xoxb-fake-token
and SLACK_SIGNING_SECRET=<--signing-secret>; RSS is then measured only with
`--pid`, and losses only with `--database-url` (left as it is).

Reported (one JSON object):
- `ack_ms`, `ack_ms_by_kind`: request sent → HTTP answer, percentiles;
- `send_lag_ms`: how late this script sent against the schedule (its own delay);
- `modal_open_ms`: request sent → Warroom's `views.open` (Slack's trigger_id
  lasts 3 s: a later one counts as an error); `declare_ready_ms`: declaration
  answered → the reporter told the room is ready;
- `errors`: non-200 answers, connection errors, flows that did not finish (a modal
  that never opened, a declared room never ready), Slack calls the stand-in
  refused (`ok:false`, 4xx/5xx), and ERROR/Traceback lines in the server's log;
- `rss_mb`: the server's resident memory, sampled every 100 ms;
- `lost`: every acknowledged declare, message, note and update looked up in the
  database afterwards: missing, doubled.

Examples:
    .venv/bin/python bench/load.py --rate 50 --duration 5
    .venv/bin/python bench/load.py --database-url \
        postgresql+asyncpg://postgres@127.0.0.1:5432/warroom_load
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import random
import secrets
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp
from sqlalchemy.engine import make_url

from fakeslack import FakeSlack, SlackSender
from fakeslack.serve_process import ServeProcess
from load_checks import ServerSampler, fresh_database, log_problems, lost
from load_traffic import KINDS, CallWatch, Request, Traffic
from stats import percentiles  # bench/stats.py, beside this script

SECRET = "load-bench-signing-secret"
DEFAULT_MIX = "message=80,note=8,role=6,update=4,declare=2"
GOAL = {"p99_ms": 50.0, "rss_mb": 150.0}
SETTLE_S = 10.0
HARMLESS_REFUSALS = {"conversations.invite: already_in_channel"}
"""Refusals Slack gives that mean "done already" (slack/gateway.py takes them as success):
inviting a new role holder who is in the room. Reported, not counted as errors."""


class Recorder:
    """Sends one request and books its latency and, if any, its error."""

    def __init__(self, sender: SlackSender, url: str, secret: str) -> None:
        self.sender = sender
        self.url = url
        self.secret = secret
        self.measuring = False
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.http: Counter[str] = Counter()
        self.connection: Counter[str] = Counter()
        self.sent = 0

    async def send(self, request: Request) -> None:
        measured = self.measuring
        self.sent += measured
        started = time.perf_counter()
        try:
            status, text = await self.sender.post(
                self.url, request.body, request.content_type, signing_secret=self.secret
            )
        except (aiohttp.ClientError, OSError, TimeoutError) as exc:
            self.connection[f"{request.kind}: {type(exc).__name__}"] += 1
            return
        if measured:
            self.latencies[request.kind].append((time.perf_counter() - started) * 1000)
        if status != 200:
            self.http[f"{request.kind}: {status}"] += 1
        request.answered(status, text)


async def settle(
    traffic: Traffic, send: Callable[[Request], Awaitable[None]], first: Request
) -> None:
    """Send `first`, then its follow-ups as they become ready, one after another."""
    await send(first)
    while traffic.ready or traffic.modals or traffic.waiting:
        if traffic.ready:
            await send(traffic.ready.popleft())
        else:
            await asyncio.sleep(0.01)


async def warm_up(traffic: Traffic, recorder: Recorder, declares: int) -> None:
    for _ in range(max(1, declares)):
        await settle(traffic, recorder.send, traffic.declare())
    for kind in KINDS[:-1]:
        await settle(traffic, recorder.send, traffic.next(kind))


async def drive(
    traffic: Traffic, recorder: Recorder, rate: float, duration: float, mix: dict[str, float]
) -> dict[str, Any]:
    """The open-loop schedule; returns when every request sent has its answer."""
    loop = asyncio.get_running_loop()
    planned = round(rate * duration)
    kinds, weights = list(mix), list(mix.values())
    in_flight: set[asyncio.Task[None]] = set()
    lags: list[float] = []
    recorder.measuring = True
    traffic.modal_open_ms.clear()
    traffic.ready_ms.clear()
    start = loop.time()
    for i in range(planned):
        due = start + i / rate
        if (wait := due - loop.time()) > 0:
            await asyncio.sleep(wait)
        lags.append((loop.time() - due) * 1000)
        request = traffic.next(traffic.rng.choices(kinds, weights)[0])
        task = loop.create_task(recorder.send(request))
        in_flight.add(task)
        task.add_done_callback(in_flight.discard)
    await asyncio.gather(*in_flight)
    elapsed = loop.time() - start
    recorder.measuring = False
    answered = sum(len(samples) for samples in recorder.latencies.values())
    return {
        "planned": planned,
        "sent": recorder.sent,
        "answered": answered,
        "elapsed_s": round(elapsed, 2),
        "throughput_rps": round(answered / elapsed, 1),
        "send_lag_ms": percentiles(lags),
    }


async def wind_down(traffic: Traffic, slack: FakeSlack) -> dict[str, int]:
    """Wait for declared rooms and for Warroom's work after its answers to finish."""
    if traffic.waiting:
        await asyncio.wait(set(traffic.waiting))
    left_open = len(traffic.modals)
    for task in set(traffic.modals):
        task.cancel()
    deadline, seen = time.monotonic() + SETTLE_S, -1
    while len(slack.calls) != seen and time.monotonic() < deadline:
        seen = len(slack.calls)
        await asyncio.sleep(0.5)
    traffic.watch.poll()
    return {"modals_still_opening": left_open, "follow_ups_unsent": len(traffic.ready)}


def parse_mix(text: str) -> dict[str, float]:
    mix = {}
    for part in text.split(","):
        kind, _, share = part.partition("=")
        if kind.strip() not in KINDS:
            raise SystemExit(f"--mix: unknown kind {kind!r}; use {', '.join(KINDS)}")
        mix[kind.strip()] = float(share)
    return mix


def latency_report(latencies: dict[str, list[float]]) -> dict[str, Any]:
    every = [ms for samples in latencies.values() for ms in samples]
    return {
        "ack_ms": percentiles(every) if every else None,
        "ack_ms_by_kind": {
            kind: {"count": len(samples), **percentiles(samples)}
            for kind, samples in sorted(latencies.items())
        },
    }


def error_report(
    recorder: Recorder, traffic: Traffic, log_lines: list[str] | None
) -> dict[str, Any]:
    refused = Counter(
        f"{call.method}: {call.response.get('error') or call.status}"
        for call in traffic.watch.refused
    )
    harmless = {key: n for key, n in refused.items() if key in HARMLESS_REFUSALS}
    refused -= Counter(harmless)
    counts = [
        sum(recorder.http.values()),
        sum(recorder.connection.values()),
        len(traffic.problems),
        sum(refused.values()),
        len(log_lines or []),
    ]
    return {
        "total": sum(counts),
        "http": dict(recorder.http),
        "connection": dict(recorder.connection),
        "flows": len(traffic.problems),
        "flows_sample": traffic.problems[:5],
        "slack_refused": dict(refused),
        "slack_refused_harmless": harmless,
        "server_log": None if log_lines is None else len(log_lines),
        "server_log_sample": (log_lines or [])[:5],
    }


async def run(args: argparse.Namespace, database_url: str | None) -> dict[str, Any]:
    run_id = secrets.token_hex(4)
    async with (
        FakeSlack(latency=args.slack_latency / 1000, port=args.slack_port) as slack,
        contextlib.AsyncExitStack() as stack,
    ):
        server: ServeProcess | None = None
        if args.url:
            url, pid = (
                f"{args.url.rstrip('/').removesuffix('/slack/events')}/slack/events",
                args.pid,
            )
        else:
            broadcast = slack.add_channel("incidents", members=[slack.bot_user_id])
            env = {
                "SLACK_BOT_TOKEN": slack.token,
                "SLACK_SIGNING_SECRET": args.signing_secret,
                "SLACK_API_URL": slack.api_url,
                "DATABASE_URL": str(database_url),
                "BROADCAST_CHANNEL": broadcast,
            }
            workdir = Path(stack.enter_context(tempfile.TemporaryDirectory()))
            server = await stack.enter_async_context(ServeProcess(env, workdir, name="load"))
            url, pid = server.events_url, server.pid
        background: list[asyncio.Task[None]] = []
        sampler = ServerSampler(pid) if pid else None
        watch = CallWatch(slack)
        for job in (watch.run(), sampler.run() if sampler else None):
            if job is not None:
                background.append(asyncio.create_task(job))
        connector = aiohttp.TCPConnector(limit=0)
        timeout = aiohttp.ClientTimeout(total=30)
        session = await stack.enter_async_context(
            aiohttp.ClientSession(connector=connector, timeout=timeout)
        )
        traffic = Traffic(slack, watch, random.Random(args.seed), run_id)
        recorder = Recorder(SlackSender(session), url, args.signing_secret)
        await warm_up(traffic, recorder, args.warmup)
        load_before, own_cpu, first_call = os.getloadavg(), time.process_time(), len(slack.calls)
        if sampler:
            sampler.begin()
        figures = await drive(traffic, recorder, args.rate, args.duration, parse_mix(args.mix))
        if sampler:
            sampler.end()
            figures["server_cpu_ms_per_request"] = round(sampler.cpu * 1000 / figures["sent"], 2)
        figures["generator_cpu_pct"] = round(
            (time.process_time() - own_cpu) * 100 / figures["elapsed_s"], 1
        )
        load_after = os.getloadavg()
        leftovers = await wind_down(traffic, slack)
        called = Counter(call.method for call in slack.calls[first_call:])
        for task in background:
            task.cancel()
        rss = sampler.report() if sampler else None
        losses = await lost(database_url, run_id, traffic.sent) if database_url else None
        log_lines = None
        if server is not None:
            await server.stop()
            log_lines = log_problems(server.log())
    errors = error_report(recorder, traffic, log_lines)
    missing = None if losses is None else sum(t["missing"] + t["doubled"] for t in losses.values())
    latency = latency_report(recorder.latencies)
    p99 = (latency["ack_ms"] or {}).get("p99", float("inf"))
    return {
        "bench": "load",
        "database": make_url(database_url).get_backend_name() if database_url else None,
        "target": args.url or "child warroom serve",
        "rate": args.rate,
        "duration_s": args.duration,
        "mix": parse_mix(args.mix),
        "seed": args.seed,
        "slack_latency_ms": args.slack_latency,
        **figures,
        **latency,
        "modal_open_ms": percentiles(traffic.modal_open_ms) if traffic.modal_open_ms else None,
        "declare_ready_ms": percentiles(traffic.ready_ms) if traffic.ready_ms else None,
        "errors": errors,
        "rss_mb": rss,
        "lost": missing,
        "lost_by_kind": losses,
        **leftovers,
        "slack_calls": dict(called.most_common()),
        "goal": {
            **GOAL,
            "met": p99 <= GOAL["p99_ms"]
            and errors["total"] == 0
            and missing == 0
            and (rss is None or rss["peak"] <= GOAL["rss_mb"]),
        },
        "loadavg_before": [round(x, 2) for x in load_before],
        "loadavg_after": [round(x, 2) for x in load_after],
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "machine": platform.machine(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rate", type=float, default=100.0, help="requests per second")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load")
    parser.add_argument("--database-url", help="default: a fresh SQLite file")
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--slack-latency", type=float, default=30.0, help="ms per Slack call")
    parser.add_argument("--mix", default=DEFAULT_MIX, help=f"shares per kind ({DEFAULT_MIX})")
    parser.add_argument("--warmup", type=int, default=3, help="incidents declared first")
    parser.add_argument("--url", help="a running server instead of a child process")
    parser.add_argument("--pid", type=int, help="with --url: the server's pid, for RSS")
    parser.add_argument("--slack-port", type=int, default=0, help="the stand-in's port")
    parser.add_argument("--signing-secret", default=SECRET, help="with --url: the server's")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        url = args.database_url
        if not args.url:
            url = url or f"sqlite+aiosqlite:///{Path(scratch) / 'load.db'}"
            fresh_database(url)
        result = asyncio.run(run(args, url))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
