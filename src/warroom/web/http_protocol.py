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
"""

from __future__ import annotations

import asyncio
import logging

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


class _GuardedProtocol(HttpToolsProtocol):
    header_timeout_s: float
    max_header_bytes: int
    _header_deadline: asyncio.TimerHandle | None = None
    _header_bytes: int = 0
    _awaiting_headers: bool = True
    _refused: bool = False
    _linger: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._start_header_clock()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_header_clock()
        if self._linger is not None:
            self._linger.cancel()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._refused:
            return  # the rest of what it sends after a 431 is dropped unread
        super().data_received(data)
        if self._awaiting_headers and not self.transport.is_closing():
            # Counted only when the headers are still incomplete after this chunk, so
            # body bytes that arrive with the headers' end never count.
            self._header_bytes += len(data)
            if self._header_bytes > self.max_header_bytes:
                log.warning("refused request headers longer than %d bytes", self.max_header_bytes)
                self._refuse_too_large()

    def _refuse_too_large(self) -> None:
        """431, then our side of the connection is shut and the client's bytes are dropped
        for a moment before it is closed: closed at once, with its bytes still arriving,
        the client would get a reset and might never read the 431."""
        self._refused = True
        self._stop_header_clock()
        self.transport.write(_TOO_LARGE)
        if self.transport.can_write_eof():
            self.transport.write_eof()
        self._linger = self.loop.call_later(_LINGER_S, self.transport.close)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._awaiting_headers = True
        self._header_bytes = 0
        if self._header_deadline is None:
            self._start_header_clock()

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
        if self._awaiting_headers and not self.transport.is_closing():
            self.transport.close()


def guarded_protocol(*, header_timeout_s: float, max_header_bytes: int) -> type[HttpToolsProtocol]:
    """A protocol class for `uvicorn.Config(http=...)` with these limits."""

    class GuardedHttpToolsProtocol(_GuardedProtocol):
        pass

    GuardedHttpToolsProtocol.header_timeout_s = header_timeout_s
    GuardedHttpToolsProtocol.max_header_bytes = max_header_bytes
    return GuardedHttpToolsProtocol
