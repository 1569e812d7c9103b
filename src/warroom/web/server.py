"""How `warroom serve` runs its HTTP server: uvicorn with every limit written down.

- Headers must arrive within the read timeout, and stay under 64 kB
  (`http_protocol`); the body within the read timeout again, and under 2 MiB
  (`bounded_body`). Slack sends a whole request in milliseconds.
- Idle kept-alive connections close after 5 s (put a proxy's upstream idle
  timeout below that, as `deploy/Caddyfile` does).
- No `limit_concurrency`: uvicorn counts open connections against it, so a
  flood of half-sent requests would turn every fresh one into a 503 - the
  lock-out the timeouts above prevent.
- uvicorn's loggers go through the one set-up in `warroom.log_setup`; its
  access log stays off (it would log every request line).
- SIGTERM and SIGINT end `serve()` like uvicorn's own handling, but are not
  raised again once it has stopped: uvicorn's re-raise killed the process
  before `warroom serve` closed the runtime (work handed to the background, the
  scheduler, the database pool), and made every clean stop exit -15.
- uvicorn's own loop wakes ten times a second to see whether to stop; this one
  wakes once a second (to refresh the Date header) or at once when told to stop,
  so an idle Warroom costs next to no CPU.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import resource
import signal
import socket
from collections.abc import AsyncIterator, Iterator

import uvicorn
from starlette.types import ASGIApp

from warroom.web.http_protocol import MAX_HEADER_BYTES, guarded_protocol

__all__ = ["KEEP_ALIVE_S", "build_server", "raise_open_file_limit", "serve_locally"]

KEEP_ALIVE_S = 5

log = logging.getLogger(__name__)


def build_server(app: ASGIApp, *, host: str, port: int, read_timeout_s: float) -> uvicorn.Server:
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        http=guarded_protocol(header_timeout_s=read_timeout_s, max_header_bytes=MAX_HEADER_BYTES),
        timeout_keep_alive=KEEP_ALIVE_S,
        log_config=None,
        log_level="warning",
        access_log=False,
        server_header=False,
    )
    return _Server(config)


class _Server(uvicorn.Server):
    def __init__(self, config: uvicorn.Config) -> None:
        self._exit = asyncio.Event()
        super().__init__(config)

    @property
    def should_exit(self) -> bool:
        return self._exit.is_set()

    @should_exit.setter
    def should_exit(self, value: bool) -> None:
        if value:
            self._exit.set()

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        """uvicorn's shutdown without its fixed 100 ms pause, which every test and demo
        run paid: idle connections are closed at once, and a request in flight is
        still waited for, up to the graceful-shutdown timeout."""
        for server in self.servers:
            server.close()
        for sock in sockets or []:
            sock.close()
        for connection in list(self.server_state.connections):
            connection.shutdown()
        for _ in range(3):  # a closed transport leaves the set a turn or two later
            await asyncio.sleep(0)
        try:
            async with asyncio.timeout(self.config.timeout_graceful_shutdown):
                await self._wait_tasks_to_complete()
        except TimeoutError:
            for task in self.server_state.tasks:
                task.cancel()
        if not self.force_exit:
            await self.lifespan.shutdown()

    async def main_loop(self) -> None:
        while not await self.on_tick(0):
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(1.0):
                    await self._exit.wait()

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        loop = asyncio.get_running_loop()
        for signum in _STOP_SIGNALS:
            loop.add_signal_handler(signum, self._stop, signum)
        try:
            yield
        finally:
            for signum in _STOP_SIGNALS:
                loop.remove_signal_handler(signum)

    def _stop(self, signum: int) -> None:
        """The first signal shuts down gracefully; a second Ctrl-C stops waiting."""
        if self.should_exit and signum == signal.SIGINT:
            self.force_exit = True
        self.should_exit = True


_STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


def raise_open_file_limit() -> None:
    """Every connection, even one cut a few seconds later, holds a file descriptor;
    a soft limit of 1024 (common under systemd and Docker) is reached by a modest
    flood. Go servers raise it to the hard limit at start; so does this."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or soft < hard:
        target = hard if hard != resource.RLIM_INFINITY else max(soft, 1 << 20)
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        except (ValueError, OSError) as error:
            log.warning("could not raise the open-file limit from %d: %s", soft, error)


@contextlib.asynccontextmanager
async def serve_locally(app: ASGIApp) -> AsyncIterator[str]:
    """Serve `app` on 127.0.0.1 at a free port, as `warroom serve` would; yields its base
    URL. For `warroom demo`, the tests and the benches."""
    server = build_server(app, host="127.0.0.1", port=0, read_timeout_s=5.0)
    serving = asyncio.create_task(server.serve())
    while not server.started:
        if serving.done():
            serving.result()
            raise RuntimeError("server stopped before it started")
        await asyncio.sleep(0.005)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await serving
