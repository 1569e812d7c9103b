"""Request bodies are read whole, up to a cap and a deadline, before any route sees them.

The cap is checked on `Content-Length` before a byte of the body is read, and
again while it streams in (chunked bodies declare no length): past it the
answer is 413 and the connection is closed, so the rest is never read. A body
that does not arrive within the deadline gets 408 the same way. A client that
hangs up mid-body gets no answer and leaves no trace. The routes inside then
receive the body as one message, already in memory.
"""

from __future__ import annotations

import asyncio

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from warroom.web.refusal import refuse

__all__ = ["MAX_BODY_BYTES", "BoundedBody", "replay"]

MAX_BODY_BYTES = 2 * 1024 * 1024
"""Slack's requests are a few kB. The largest it can send, a `message_changed` event for a
40,000-character message (its cap), carries the text four times (old and new, text and
rich-text blocks), at up to 6 bytes a character once Slack escapes it as JSON: about
1 MB. Twice that leaves room and still costs an attacker's bytes nothing to refuse."""


class _Refused(Exception):
    def __init__(self, status: int, error: str) -> None:
        super().__init__(error)
        self.status = status
        self.error = error


class _Disconnected(Exception):
    pass


class BoundedBody:
    def __init__(self, app: ASGIApp, *, max_bytes: int, read_timeout_s: float) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.read_timeout_s = read_timeout_s

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            self._check_declared_length(scope)
            async with asyncio.timeout(self.read_timeout_s):
                body = await self._read(receive)
        except _Refused as refused:
            await refuse(send, refused.status, refused.error)
            return
        except TimeoutError:
            await refuse(send, 408, "request body too slow")
            return
        except _Disconnected:
            return
        await self.app(scope, replay(body, receive), send)

    def _check_declared_length(self, scope: Scope) -> None:
        for name, value in scope["headers"]:
            if name == b"content-length":
                if not value.isdigit():
                    raise _Refused(400, "invalid content-length")
                if int(value) > self.max_bytes:
                    raise _Refused(413, "request body too large")

    async def _read(self, receive: Receive) -> bytes:
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise _Disconnected
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                raise _Refused(413, "request body too large")
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)


def replay(body: bytes, receive: Receive) -> Receive:
    """The body as one message, then whatever the server says next (a disconnect)."""
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replayed
