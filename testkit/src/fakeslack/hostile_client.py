"""Raw HTTP/1.1 the way an attacker sends it, for tests and benches of the transport.

`aiohttp` sends well-formed requests and reads whole answers; these helpers
send a request head alone, half a request, or a body that never ends, and
read the answer the server gives in the meantime.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

__all__ = ["HalfOpen", "StreamResult", "head", "open_half_sent", "read_status", "stream_body"]

EVENTS_PATH = "/slack/events"
_HALF_HEAD = b"POST /slack/events HTTP/1.1\r\nHost: warroom\r\nContent-Type: application/x-www-form"


def head(headers: Mapping[str, str], *, path: str = EVENTS_PATH) -> bytes:
    """A POST's request line and headers, ending with the blank line."""
    lines = [f"POST {path} HTTP/1.1", "Host: warroom", *(f"{k}: {v}" for k, v in headers.items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


async def read_status(reader: asyncio.StreamReader) -> int:
    """The status of the answer on `reader`, its head and body read to the end of the
    connection (every refusal closes it). 0 if the server closed without answering."""
    status, _ = await _answer(reader)
    return status


async def _answer(reader: asyncio.StreamReader) -> tuple[int, float]:
    """(status, when its line came, on `time.perf_counter`), once the server closed."""
    try:
        line = await reader.readline()
    except ConnectionError:
        return 0, time.perf_counter()
    arrived = time.perf_counter()
    with contextlib.suppress(ConnectionError):
        await reader.read()
    return (int(line.split()[1]) if line.startswith(b"HTTP/1.1 ") else 0), arrived


@dataclass
class HalfOpen:
    """A connection that sent part of a request and stops there."""

    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter

    async def cut(self) -> int:
        """Wait until the server closes the connection; the status it answered, or 0."""
        return await read_status(self.reader)

    def close(self) -> None:
        self.writer.close()


async def open_half_sent(
    port: int, stage: Literal["nothing", "headers", "body"], *, host: str = "127.0.0.1"
) -> HalfOpen:
    """Connect and send nothing, half the headers, or whole headers and 2 of 100 body bytes."""
    reader, writer = await asyncio.open_connection(host, port)
    if stage == "headers":
        writer.write(_HALF_HEAD)
    elif stage == "body":
        writer.write(head({"Content-Type": "text/plain", "Content-Length": "100"}) + b"ab")
    await writer.drain()
    return HalfOpen(reader, writer)


@dataclass
class StreamResult:
    status: int
    answered_after_s: float
    bytes_sent: int


async def stream_body(
    port: int,
    headers: Mapping[str, str],
    *,
    total_bytes: int,
    chunked: bool,
    chunk_bytes: int = 64 * 1024,
    host: str = "127.0.0.1",
) -> StreamResult:
    """Send a head, then body bytes as fast as the server takes them, until it answers,
    closes, or `total_bytes` are sent. `answered_after_s` counts from the head's send."""
    reader, writer = await asyncio.open_connection(host, port)
    framing = {"Transfer-Encoding": "chunked"} if chunked else {"Content-Length": str(total_bytes)}
    started = time.perf_counter()
    writer.write(head({**headers, **framing}))
    answer = asyncio.create_task(_answer(reader))
    sent = 0
    chunk = b"x" * chunk_bytes
    try:
        while sent < total_bytes and not answer.done():
            piece = chunk[: total_bytes - sent]
            writer.write(b"%x\r\n%s\r\n" % (len(piece), piece) if chunked else piece)
            sent += len(piece)
            await writer.drain()
        if chunked and not answer.done():
            writer.write(b"0\r\n\r\n")
            await writer.drain()
    except ConnectionError:
        pass
    status, arrived = await answer
    writer.close()
    return StreamResult(status, arrived - started, sent)
