"""An unsigned 1 GiB body streamed at `warroom serve`: how fast it is refused, and at what cost.

Two runs against one child process on a scratch SQLite file: the body declared
up front (`Content-Length: 1073741824`) and the same gigabyte sent chunked (no
length; the cap has to catch it while it streams). For each: the status, the
time from sending the request head to the status line, the bytes the client
managed to send before the server closed the connection, and the server's RSS
before and at its peak (sampled every 10 ms). The log's size is printed too.

    .venv/bin/python bench/unsigned_body.py
    .venv/bin/python bench/unsigned_body.py --size-mb 100 --pythonpath /tmp/old/src

`--pythonpath` runs another checkout's `warroom` (e.g. `git archive HEAD | tar -x
-C /tmp/old`) to measure the code before a change; keep `--size-mb` small there,
as old code reads the whole body into memory.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import tempfile
import time
from pathlib import Path
from typing import Any

from fakeslack import FakeSlack
from fakeslack.hostile_client import stream_body
from fakeslack.serve_process import ServeProcess
from load_checks import ServerSampler  # bench/load_checks.py, beside this script
from serve_env import serve_env  # bench/serve_env.py, beside this script

SIGNING_SECRET = "bench-signing-secret"
MB = 1024 * 1024


async def one_run(server: ServeProcess, *, size: int, chunked: bool) -> dict[str, Any]:
    sampler = ServerSampler(server.pid, every=0.01)
    sampling = asyncio.create_task(sampler.run())
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": str(int(time.time())),
        "X-Slack-Signature": "v0=" + "0" * 64,
    }
    try:
        result = await asyncio.wait_for(
            stream_body(server.port, headers, total_bytes=size, chunked=chunked), 600
        )
        await asyncio.sleep(0.05)  # one more RSS sample after the answer
    finally:
        sampling.cancel()
    rss = sampler.report()
    return {
        "framing": "chunked" if chunked else "content-length",
        "body_mb": round(size / MB),
        "status": result.status,
        "answered_ms": round(result.answered_after_s * 1000, 2),
        "client_sent_mb": round(result.bytes_sent / MB, 2),
        "server_rss_mb": {"before": rss["start"], "peak": rss["peak"], "after": rss["end"]},
    }


async def main(size_mb: int, pythonpath: str | None) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        async with FakeSlack() as slack:
            env = serve_env(
                slack,
                signing_secret=SIGNING_SECRET,
                database_url=f"sqlite+aiosqlite:///{workdir / 'bench.db'}",
                pythonpath=pythonpath,
            )
            async with ServeProcess(env, workdir) as server:
                runs = [
                    await one_run(server, size=size_mb * MB, chunked=chunked)
                    for chunked in (False, True)
                ]
                log_bytes = server.log_path.stat().st_size
    return {
        "bench": "unsigned_body",
        "code": pythonpath or "this checkout",
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "runs": runs,
        "server_log_bytes": log_bytes,
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=1024)
    parser.add_argument("--pythonpath", help="run the warroom found here instead")
    args = parser.parse_args()
    print(json.dumps(asyncio.run(main(args.size_mb, args.pythonpath)), indent=2))
