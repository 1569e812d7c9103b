"""uvicorn's HTTP/1.1 protocol (httptools), with the two limits uvicorn does not set.

uvicorn cuts a connection that sits idle *between* requests, but once a
request's first byte has arrived it waits for the rest of its headers forever,
and keeps however many header bytes come. A client that never finishes its
headers held a file descriptor and a few kB for as long as it liked; enough
of them and the process ran out of descriptors, and every new connection was
refused. Here a request's headers must be complete within `header_timeout_s`
of the connection opening (or, on a kept-alive connection, of the request's
first byte), and may not exceed `max_header_bytes`; otherwise the connection
is closed (431 for headers that are too large). The body's own deadline is
`BoundedBody`'s.

A connection closed while its request is still arriving (a 413 before the rest
of a too-large body, a 431, a 408) is closed lingering: our side is shut at once,
reading stops (the client's TCP window fills, so it stops sending), and the
socket closes a moment later. Closed outright with bytes still arriving, the kernel answers the
client with a reset, which can throw away the refusal before the client reads it.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, cast

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

__all__ = ["MAX_HEADER_BYTES", "guarded_protocol"]

MAX_HEADER_BYTES = 64 * 1024
"""Slack sends under 2 kB of headers; nginx's and Caddy's defaults are larger, not needed."""

log = logging.getLogger(__name__)

_LINGER_S = 1.0

_TOO_LARGE = (
    b"HTTP/1.1 431 Request Header Fields Too Large\r\n"
    b"content-type: text/plain; charset=utf-8\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
)


class _LingeringTransport:
    """The transport as uvicorn's request cycle sees it; only `close` differs."""

    def __init__(self, transport: asyncio.Transport, protocol: _GuardedProtocol) -> None:
        self._transport, self._protocol = transport, protocol
        self._closing = False

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)

    def is_closing(self) -> bool:
        return self._closing or self._transport.is_closing()

    def close(self) -> None:
        if not self._closing:
            self._closing = True
            self._protocol.close_lingering()


class _GuardedProtocol(HttpToolsProtocol):
    header_timeout_s: float
    max_header_bytes: int
    _header_deadline: asyncio.TimerHandle | None = None
    _header_bytes: int = 0
    _awaiting_headers: bool = True
    _refused: bool = False
    _linger: asyncio.TimerHandle | None = None
    _reading_request: bool = False
    _socket: asyncio.Transport

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._socket = transport
        self.transport = cast(asyncio.Transport, _LingeringTransport(transport, self))
        self._start_header_clock()

    def close_lingering(self) -> None:
        """Close now if the request has been read to its end, else shut our side, drop
        what still arrives, and close after `_LINGER_S`."""
        if not self._reading_request or self._socket.is_closing():
            self._socket.close()
            return
        self._refused = True
        self._stop_header_clock()
        if self._socket.can_write_eof():
            self._socket.write_eof()
        if self._socket.is_reading():
            self._socket.pause_reading()  # the client's window fills and it stops sending
        self._linger = self.loop.call_later(_LINGER_S, self._socket.close)

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_header_clock()
        if self._linger is not None:
            self._linger.cancel()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._refused:
            return  # the rest of what it sends after a refusal is dropped unread
        super().data_received(data)
        if self._awaiting_headers and not self.transport.is_closing():
            # Counted only when the headers are still incomplete after this chunk, so
            # body bytes that arrive with the headers' end never count.
            self._header_bytes += len(data)
            if self._header_bytes > self.max_header_bytes:
                log.warning("refused request headers longer than %d bytes", self.max_header_bytes)
                self._refuse_too_large()

    def _refuse_too_large(self) -> None:
        self._socket.write(_TOO_LARGE)
        self._reading_request = True
        self.close_lingering()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._reading_request = True
        self._awaiting_headers = True
        self._header_bytes = 0
        if self._header_deadline is None:
            self._start_header_clock()

    def on_message_complete(self) -> None:
        self._reading_request = False
        super().on_message_complete()

    def on_headers_complete(self) -> None:
        self._awaiting_headers = False
        self._stop_header_clock()
        super().on_headers_complete()

    def _start_header_clock(self) -> None:
        self._header_deadline = self.loop.call_later(self.header_timeout_s, self._headers_too_slow)

    def _stop_header_clock(self) -> None:
        if self._header_deadline is not None:
            self._header_deadline.cancel()
            self._header_deadline = None

    def _headers_too_slow(self) -> None:
        self._header_deadline = None
        if self._awaiting_headers and not self._socket.is_closing():
            self._socket.close()  # a client this slow is not waiting for an answer


def guarded_protocol(*, header_timeout_s: float, max_header_bytes: int) -> type[HttpToolsProtocol]:
    """A protocol class for `uvicorn.Config(http=...)` with these limits."""

    class GuardedHttpToolsProtocol(_GuardedProtocol):
        pass

    GuardedHttpToolsProtocol.header_timeout_s = header_timeout_s
    GuardedHttpToolsProtocol.max_header_bytes = max_header_bytes
    return GuardedHttpToolsProtocol
