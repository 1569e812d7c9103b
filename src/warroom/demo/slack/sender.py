"""Signing and sending Slack→app requests the way Slack does."""

from __future__ import annotations

import hashlib
import hmac
import time
from types import TracebackType
from typing import Self

import aiohttp

__all__ = ["USER_AGENT", "SlackSender", "sign"]

USER_AGENT = "Slackbot 1.0 (+https://api.slack.com/robots)"
IDLE_CONNECTION_S = 2.0
"""How long an idle connection is kept for the next request: below the app's 5 s
keep-alive (the rule README gives a proxy), else a request can go out on a
connection the app is closing at that moment and meet a reset."""


def sign(signing_secret: str, body: bytes, timestamp: int) -> dict[str, str]:
    """Slack's v0 request signature headers for `body` sent at `timestamp`."""
    base = b"v0:" + str(timestamp).encode() + b":" + body
    digest = hmac.new(signing_secret.encode(), base, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": str(timestamp), "X-Slack-Signature": f"v0={digest}"}


class SlackSender:
    """POSTs built requests to the app with Slack's headers and signature."""

    def __init__(self, session: aiohttp.ClientSession | None = None) -> None:
        self._session = session
        self._owned = session is None

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def close(self) -> None:
        if self._owned and self._session is not None:
            await self._session.close()
            self._session = None

    async def post(
        self,
        url: str,
        body: bytes,
        content_type: str,
        *,
        signing_secret: str,
        timestamp: int | None = None,
        retry_num: int | None = None,
        retry_reason: str = "http_timeout",
        signature: str | None = None,
    ) -> tuple[int, str]:
        """Send like Slack; `signature` overrides the computed one (for tamper tests)."""
        if self._session is None:
            connector = aiohttp.TCPConnector(keepalive_timeout=IDLE_CONNECTION_S)
            self._session = aiohttp.ClientSession(connector=connector)
            self._owned = True
        ts = int(time.time()) if timestamp is None else timestamp
        headers = {"Content-Type": content_type, "User-Agent": USER_AGENT}
        headers.update(sign(signing_secret, body, ts))
        if signature is not None:
            headers["X-Slack-Signature"] = signature
        if retry_num is not None:
            headers["X-Slack-Retry-Num"] = str(retry_num)
            headers["X-Slack-Retry-Reason"] = retry_reason
        async with self._session.post(url, data=body, headers=headers) as response:
            return response.status, await response.text()
