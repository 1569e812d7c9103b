"""Slack's v0 signature, checked on the raw bytes before anything parses them.

Only a request signed with the app's signing secret within the last five
minutes reaches the app inside; everything else gets 401 here, whatever its
body holds. This is the one signature check: Bolt's own is switched off (it ran
after Bolt had parsed the body, and logged the body of every request it refused).
Wrap it inside `BoundedBody`, which has already read the body, capped.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from slack_sdk.signature import Clock, SignatureVerifier
from starlette.types import ASGIApp, Receive, Scope, Send

from warroom.web.bounded_body import replay
from warroom.web.refusal import refuse

__all__ = ["SlackSignatureRequired"]

log = logging.getLogger(__name__)

_MAX_TIMESTAMP_DIGITS = 12


class SlackSignatureRequired:
    def __init__(self, app: ASGIApp, signing_secret: str, *, clock: Clock | None = None) -> None:
        self.app = app
        self._verifier = SignatureVerifier(signing_secret, clock or Clock())
        self._refusals = _RefusalCount()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        body = await _whole_body(receive)
        if not self._signed(scope, body):
            self._refusals.add()
            await refuse(send, 401, "invalid request")
            return
        await self.app(scope, replay(body, receive), send)

    def _signed(self, scope: Scope, body: bytes) -> bool:
        headers = dict(scope["headers"])
        timestamp = headers.get(b"x-slack-request-timestamp", b"")
        signature = headers.get(b"x-slack-signature", b"")
        if not (timestamp.isdigit() and len(timestamp) <= _MAX_TIMESTAMP_DIGITS):
            return False  # also keeps int() from reading "1_700_000_000" or " 17 "
        if not (signature.isascii() and signature.startswith(b"v0=")):
            return False  # compare_digest refuses non-ASCII str
        try:
            return self._verifier.is_valid(body, timestamp.decode(), signature.decode())
        except UnicodeDecodeError:  # the verifier reads the body as text; Slack's always is
            return False


async def _whole_body(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if message["type"] != "http.request" or not message.get("more_body", False):
            return b"".join(chunks)


class _RefusalCount:
    """One log line for the first refusal, then at most one a minute with the count: a
    wrong SLACK_SIGNING_SECRET shows at once, a flood of forgeries costs no log space."""

    def __init__(self, every_s: float = 60.0, now: Callable[[], float] = time.monotonic) -> None:
        self.every_s = every_s
        self.now = now
        self.count = 0
        self.logged_at: float | None = None

    def add(self) -> None:
        self.count += 1
        now = self.now()
        if self.logged_at is None or now - self.logged_at >= self.every_s:
            log.info(
                "refused %d Slack request(s) without a valid signature (wrong "
                "SLACK_SIGNING_SECRET, or not from Slack)",
                self.count,
            )
            self.count, self.logged_at = 0, now
