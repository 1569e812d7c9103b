"""`warroom serve` as a real child process, wired to a Slack stand-in.

Fault tests kill it with SIGKILL mid-request, run two of them side by side, and
the load bench measures its memory from outside; none of that can be done to an
app served inside the test's own process. The child gets its whole
configuration from the environment (and a scratch working directory, so no
stray `.env` is read), exactly as an operator would give it.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import Self

import aiohttp

__all__ = ["ServeProcess", "free_port"]

READY_TIMEOUT_S = 30.0


def free_port() -> int:
    """A TCP port nothing listens on right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class ServeProcess:
    """One `warroom serve` on 127.0.0.1. Start it, wait until healthy, kill or stop it.

    `env` holds the settings (SLACK_API_URL, DATABASE_URL, ...); the port is
    chosen here. Output goes to `log_path`, read back by `log()`.
    """

    def __init__(self, env: Mapping[str, str], workdir: Path, *, name: str = "warroom") -> None:
        self.env = dict(env)
        self.workdir = workdir
        self.name = name
        self.port = free_port()
        self.log_path = workdir / f"{name}-{self.port}.log"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def events_url(self) -> str:
        return f"{self.url}/slack/events"

    @property
    def pid(self) -> int:
        assert self.process is not None, "not started"
        return self.process.pid

    def start(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        env = {key: value for key, value in os.environ.items() if not key.startswith("SLACK_")}
        env.update(self.env)
        env["PYTHONUNBUFFERED"] = "1"
        command = [sys.executable, "-m", "warroom.cli", "serve", "--port", str(self.port)]
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                command, cwd=self.workdir, env=env, stdout=log, stderr=subprocess.STDOUT
            )

    async def ready(self, within_s: float = READY_TIMEOUT_S) -> None:
        """Wait until /healthz answers 200; fail with the child's output if it died."""
        deadline = time.monotonic() + within_s
        async with aiohttp.ClientSession() as http:
            while True:
                if self.process is None or self.process.poll() is not None:
                    raise RuntimeError(f"{self.name} exited before it was ready:\n{self.log()}")
                try:
                    async with http.get(f"{self.url}/healthz") as response:
                        if response.status == 200:
                            return
                except aiohttp.ClientError:
                    pass
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{self.name} not ready after {within_s}s:\n{self.log()}")
                await asyncio.sleep(0.05)

    async def __aenter__(self) -> Self:
        self.start()
        try:
            await self.ready()
        except BaseException:
            self.kill()
            raise
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    def kill(self) -> None:
        """SIGKILL: no shutdown hooks, no flush, as when the OOM killer or a node loss strikes."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()

    async def stop(self, grace_s: float = 15.0) -> int | None:
        """SIGTERM and wait for a clean exit (SIGKILL if it does not come)."""
        if self.process is None:
            return None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                await asyncio.to_thread(self.process.wait, grace_s)
            self.kill()
        return self.process.returncode

    def rss_bytes(self) -> int:
        """Resident memory of the child right now, from /proc (Linux)."""
        status = Path(f"/proc/{self.pid}/status").read_text()
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
        return 0

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
