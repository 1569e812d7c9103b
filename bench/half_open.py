"""300 half-open connections held against `warroom serve`, and what a fresh request sees.

The connections are split evenly between three ways of never finishing: sending
nothing, sending half the request headers, and sending the headers with 2 of a
promised 100 body bytes. While they are held, signed `/incident help` commands
are sent one after another, each on a connection of its own, and their latency
is summarised; then the bench waits for the server to cut the held ones and
reports when it did (the server's REQUEST_READ_TIMEOUT, 5 s by default).

    .venv/bin/python bench/half_open.py
    .venv/bin/python bench/half_open.py --soft-nofile 256   # the server's open-file limit
    .venv/bin/python bench/half_open.py --pythonpath /tmp/old/src --hold-s 10

`--soft-nofile` starts the child with that soft RLIMIT_NOFILE (the hard limit
unchanged), as under systemd (1024) or a container with a low limit.
`--pythonpath` runs another checkout's `warroom`, to measure the code before a
change; old code never cut the held connections, so `--hold-s` bounds how long
the bench waits for that.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import resource
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from fakeslack import FakeSlack, SlackSender, slash_command
from fakeslack.hostile_client import HalfOpen, open_half_sent
from fakeslack.serve_process import ServeProcess
from serve_env import serve_env  # bench/serve_env.py, beside this script
from stats import percentiles  # bench/stats.py, beside this script

SIGNING_SECRET = "bench-signing-secret"
STAGES = ("nothing", "headers", "body")


async def fresh_request(server: ServeProcess, slack: FakeSlack, channel: str) -> float | None:
    """Milliseconds for one signed command on a new connection; None if it failed."""
    body, content_type = slash_command(
        "help", user_id="U1", team_id="T1", channel_id=channel, response_url=""
    )
    started = time.perf_counter()
    try:
        async with SlackSender() as sender:
            status, _ = await asyncio.wait_for(
                sender.post(server.events_url, body, content_type, signing_secret=SIGNING_SECRET),
                5,
            )
    except (OSError, TimeoutError):
        return None
    return (time.perf_counter() - started) * 1000 if status == 200 else None


@contextlib.asynccontextmanager
async def started(server: ServeProcess, *, soft_nofile: int | None) -> AsyncIterator[ServeProcess]:
    """`server` started with this soft open-file limit (the child inherits it)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (soft_nofile or soft, hard))
    try:
        server.start()
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    try:
        await server.ready()
        yield server
    finally:
        await server.stop()


async def cut_after(connection: HalfOpen, opened: float) -> tuple[int, float]:
    status = await connection.cut()
    return status, time.perf_counter() - opened


async def main(
    connections: int, requests: int, nofile: int | None, pythonpath: str | None, hold_s: float
) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        async with FakeSlack() as slack:
            env = serve_env(
                slack,
                signing_secret=SIGNING_SECRET,
                database_url=f"sqlite+aiosqlite:///{workdir / 'bench.db'}",
                pythonpath=pythonpath,
            )
            async with started(ServeProcess(env, workdir), soft_nofile=nofile) as server:
                server_limit = resource.prlimit(server.pid, resource.RLIMIT_NOFILE)[0]
                channel = slack.add_channel("general")
                baseline = [await fresh_request(server, slack, channel) for _ in range(20)]
                opened = time.perf_counter()
                held = [
                    await open_half_sent(server.port, STAGES[n % len(STAGES)])
                    for n in range(connections)
                ]
                cuts = [asyncio.create_task(cut_after(c, opened)) for c in held]
                during = [await fresh_request(server, slack, channel) for _ in range(requests)]
                done, pending = await asyncio.wait(cuts, timeout=hold_s)
                for connection in held:
                    connection.close()
                for task in pending:
                    task.cancel()
                after = [await fresh_request(server, slack, channel) for _ in range(20)]
    cut = [task.result() for task in done]
    answered = [ms for ms in during if ms is not None]
    return {
        "bench": "half_open",
        "code": pythonpath or "this checkout",
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "held": connections,
        "started_with_soft_nofile": nofile or "inherited",
        "server_soft_nofile": server_limit,
        "baseline_ms": percentiles([ms for ms in baseline if ms is not None]),
        "while_held": {
            "requests": requests,
            "answered": len(answered),
            "failed": requests - len(answered),
            "latency_ms": percentiles(answered) if answered else None,
        },
        "cut_by_server": {
            "count": len(cut),
            "still_open_after_s": hold_s if pending else None,
            "after_s": percentiles([seconds for _, seconds in cut]) if cut else None,
            "answers": {str(status): [s for s, _ in cut].count(status) for status in {0, 408}},
        },
        "after_cut": {"answered": sum(ms is not None for ms in after), "of": len(after)},
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--connections", type=int, default=300)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--soft-nofile", type=int, help="start the server with this soft limit")
    parser.add_argument("--pythonpath", help="run the warroom found here instead")
    parser.add_argument("--hold-s", type=float, default=30.0, help="wait this long for cuts")
    args = parser.parse_args()
    result = asyncio.run(
        main(args.connections, args.requests, args.soft_nofile, args.pythonpath, args.hold_s)
    )
    print(json.dumps(result, indent=2))
