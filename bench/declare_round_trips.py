"""What a declaration costs `warroom serve`: CPU, the answer, Slack round trips, start-up.

Starts `warroom serve` as a child process, exactly as an operator would, against
a Slack stand-in in this process that answers every Web API call after
`--slack-latency-ms` (default 100). The database is fresh: a scratch SQLite file,
or `--database-url` (a PostgreSQL database named there is created if missing
and its schema dropped and migrated again, so give it one of its own).

Reported (one JSON object):
- `startup_s`: spawn → first 200 from `/healthz`, over `--startups` fresh
  processes (median and best); `/healthz` is polled every 5 ms;
- `cpu_ms_per_declare`: the serve process's user+system CPU time (from
  /proc/<pid>/stat, all its threads) over `--declares` whole declarations
  (slash command, modal submission and room build, until Slack has been quiet
  for a second), divided by their number; `--warmup` declarations run first and
  are not counted (the first one's CPU is shown as `first_declare_cpu_ms`);
- `ack_ms`: submission sent → HTTP answer (Slack closes the modal then);
  `command_ack_ms`: `/incident declare` sent → HTTP answer;
- `ready_ms`: submission sent → the reporter is told the room is ready;
- `rounds_on_critical_path`: Slack calls on the critical path, one after
  another (goal ≤ 3);
- `loadavg`: on a shared machine every figure grows with the load, CPU time
  too (a busy core runs slower), though less than latencies: compare runs
  made side by side.

Goals (issue 12): CPU per declare ≤ 25 ms, ack p50 ≤ 15 ms, start-up ≤ 1.5 s.

    .venv/bin/python bench/declare_round_trips.py
    .venv/bin/python bench/declare_round_trips.py --database-url \\
        postgresql+asyncpg://postgres@127.0.0.1:5432/warroom_bench_declare

`--profile FILE` runs the child under bench/profile_serve.py, which profiles
only the measured declarations: `FILE.pstats` with yappi (CPU clock, every
thread), anything else with pyinstrument's sampler (text). Both need
`pip install yappi pyinstrument`, which the bench alone uses.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Mapping
from pathlib import Path
from typing import Any

import aiohttp
from sqlalchemy.engine import make_url

from fakeslack import FakeSlack, SlackSender, slash_command, view_submission
from fakeslack.serve_process import free_port
from fakeslack.timing import sequential_rounds
from load_checks import fresh_database, log_problems
from serve_env import serve_env  # bench/serve_env.py, beside this script
from stats import percentiles
from warroom.demo.slack.driver import fill_view

SECRET = "bench-signing-secret"
REPORTER = "UBENCH0001"
GOAL = {"cpu_ms_per_declare": 25.0, "ack_p50_ms": 15.0, "startup_s": 1.5}
HERE = Path(__file__).resolve().parent
QUIET_S = 1.0
READY_TIMEOUT_S = 60.0


def cpu_s(pid: int) -> float:
    """User + system CPU time of `pid` so far, all threads (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Serve:
    """One `warroom serve` child on 127.0.0.1; `started` is when it was spawned."""

    def __init__(self, env: Mapping[str, str], workdir: Path, profile: Path | None) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = workdir / f"serve-{self.port}.log"
        child_env = {k: v for k, v in os.environ.items() if not k.startswith("SLACK_")}
        child_env.update(env, PYTHONUNBUFFERED="1")
        args = ["serve", "--port", str(self.port)]
        if profile is None:
            command = [sys.executable, "-m", "warroom.cli", *args]
        else:
            command = [sys.executable, str(HERE / "profile_serve.py"), str(profile), *args]
        self.started = time.perf_counter()
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                command, cwd=workdir, env=child_env, stdout=log, stderr=subprocess.STDOUT
            )

    @property
    def pid(self) -> int:
        return self.process.pid

    async def healthy(self, http: aiohttp.ClientSession) -> float:
        """Seconds from spawn to the first 200 from /healthz."""
        while time.perf_counter() - self.started < READY_TIMEOUT_S:
            if self.process.poll() is not None:
                raise RuntimeError(f"serve exited before it was ready:\n{self.log()}")
            with contextlib.suppress(aiohttp.ClientError):
                async with http.get(f"{self.url}/healthz") as response:
                    if response.status == 200:
                        return time.perf_counter() - self.started
            await asyncio.sleep(0.005)
        raise TimeoutError(f"serve not ready after {READY_TIMEOUT_S}s:\n{self.log()}")

    async def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                await asyncio.to_thread(self.process.wait, 30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


@contextlib.asynccontextmanager
async def serving(
    env: Mapping[str, str], workdir: Path, http: aiohttp.ClientSession, profile: Path | None = None
) -> AsyncIterator[tuple[Serve, float]]:
    serve = Serve(env, workdir, profile)
    try:
        yield serve, await serve.healthy(http)
    finally:
        await serve.stop()


async def declare_once(
    n: int, slack: FakeSlack, sender: SlackSender, url: str, channel: str
) -> dict[str, float]:
    opens = len(slack.calls_to("views.open"))
    body, kind = slash_command(
        "declare", user_id=REPORTER, channel_id=channel, response_url=slack.response_url(f"c{n}")
    )
    sent = time.perf_counter()
    status, _ = await sender.post(url, body, kind, signing_secret=SECRET)
    command_ack = time.perf_counter() - sent
    if status != 200:
        raise RuntimeError(f"slash command answered {status}")
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
        "command_ack_ms": command_ack * 1000,
        "ack_ms": (acked - started) * 1000,
        "ready_ms": (ready - started) * 1000,
        "rounds": sequential_rounds(build),
        "calls": len(build),
    }


async def quiet(slack: FakeSlack) -> None:
    """Until Slack has heard nothing for QUIET_S: the last room build is over."""
    seen = -1
    while seen != len(slack.calls):
        seen = len(slack.calls)
        await asyncio.sleep(QUIET_S)


async def run(args: argparse.Namespace, database_url: str) -> dict[str, Any]:
    async with (
        FakeSlack(latency=args.slack_latency_ms / 1000) as slack,
        aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as http,
    ):
        broadcast = slack.add_channel("incidents", members=[slack.bot_user_id])
        channel = slack.add_channel("general")
        env = serve_env(
            slack, signing_secret=SECRET, database_url=database_url, pythonpath=args.pythonpath
        )
        env["BROADCAST_CHANNEL"] = broadcast
        with tempfile.TemporaryDirectory() as scratch:
            workdir = Path(scratch)
            startups = []
            for _ in range(args.startups):
                async with serving(env, workdir, http) as (_, took):
                    startups.append(took)
            async with serving(env, workdir, http, args.profile) as (serve, _):
                sender = SlackSender(http)
                url = f"{serve.url}/slack/events"
                before = cpu_s(serve.pid)
                for n in range(args.warmup):
                    await declare_once(n, slack, sender, url, channel)
                await quiet(slack)
                first_cpu = (cpu_s(serve.pid) - before) / max(1, args.warmup)
                idle_from, idle_cpu = time.perf_counter(), cpu_s(serve.pid)
                await asyncio.sleep(args.idle_s)
                idle_rate = (cpu_s(serve.pid) - idle_cpu) / (time.perf_counter() - idle_from)
                if args.profile:
                    serve.process.send_signal(signal.SIGUSR1)
                    await asyncio.sleep(0.2)
                began, cpu_before = time.perf_counter(), cpu_s(serve.pid)
                results = [
                    await declare_once(n, slack, sender, url, channel)
                    for n in range(args.warmup, args.warmup + args.declares)
                ]
                await quiet(slack)
                cpu = cpu_s(serve.pid) - cpu_before
                wall = time.perf_counter() - began
                if args.profile:
                    serve.process.send_signal(signal.SIGUSR2)
                    await asyncio.sleep(1.0)
            problems = log_problems(serve.log())
    rounds = [r["rounds"] for r in results]
    cpu_ms = cpu * 1000 / args.declares
    acks = percentiles([r["ack_ms"] for r in results])
    startup_median = round(statistics.median(startups), 3)
    startup = {
        "median": startup_median,
        "best": round(min(startups), 3),
        "all": [round(s, 3) for s in startups],
    }
    return {
        "bench": "declare_round_trips",
        "database": make_url(database_url).get_backend_name(),
        "declares": args.declares,
        "slack_latency_ms": args.slack_latency_ms,
        "cpu_ms_per_declare": round(cpu_ms, 1),
        "cpu_ms_per_declare_less_idle": round((cpu - idle_rate * wall) * 1000 / args.declares, 1),
        "idle_cpu_ms_per_s": round(idle_rate * 1000, 1),
        "first_declare_cpu_ms": round(first_cpu * 1000, 1) if args.warmup else None,
        "ack_ms": acks,
        "command_ack_ms": percentiles([r["command_ack_ms"] for r in results]),
        "ready_ms": percentiles([r["ready_ms"] for r in results]),
        "rounds_on_critical_path": {"max": max(rounds), "min": min(rounds)},
        "slack_calls_per_declare": statistics.fmean(r["calls"] for r in results),
        "startup_s": startup,
        "log_problems": problems,
        "goal": {
            **GOAL,
            "met": cpu_ms <= GOAL["cpu_ms_per_declare"]
            and acks["p50"] <= GOAL["ack_p50_ms"]
            and startup_median <= GOAL["startup_s"],
        },
        "loadavg": [round(x, 2) for x in os.getloadavg()],
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "machine": platform.machine(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--declares", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=1, help="declarations not counted")
    parser.add_argument("--startups", type=int, default=5, help="start-up samples (median)")
    parser.add_argument("--idle-s", type=float, default=2.0, help="idle CPU sample before")
    parser.add_argument("--slack-latency-ms", type=float, default=100.0)
    parser.add_argument("--database-url", help="default: a fresh SQLite file")
    parser.add_argument(
        "--pythonpath", help="serve another checkout's code (its src/), for a before/after"
    )
    parser.add_argument("--profile", type=Path, help="write a yappi pstats file of the declares")
    args = parser.parse_args()
    if args.profile:
        args.profile = args.profile.resolve()
    with tempfile.TemporaryDirectory() as scratch:
        url = args.database_url or f"sqlite+aiosqlite:///{Path(scratch) / 'bench.db'}"
        fresh_database(url)
        result = asyncio.run(run(args, url))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
