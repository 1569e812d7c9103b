"""Socket Mode as Slack speaks it, on the stand-in's own aiohttp server.

`apps.connections.open` (app-level `xapp-` token only) hands out a one-use
`ws://127.0.0.1:<port>/socket/<ticket>` URL. On connect the app gets `hello`;
each request then travels as an envelope and the app acknowledges it by
sending `{"envelope_id": ..., "payload": {...}}` back on the socket. Slack's
`disconnect` message asks the app to fetch a new URL and reconnect.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import WSCloseCode, WSMsgType, web

from warroom.demo.slack.inbound import JSON

__all__ = [
    "ENVELOPE_TYPES",
    "OPEN_METHOD",
    "SOCKET_ROUTE",
    "SocketModeHub",
    "SocketModeMethods",
    "accepts_response_payload",
    "socket_payload",
]

Json = dict[str, Any]
_log = logging.getLogger(__name__)

OPEN_METHOD = "apps.connections.open"
SOCKET_ROUTE = "/socket/{ticket}"
ENVELOPE_TYPES = ("slash_commands", "interactive", "events_api")
# Interactions whose ack may carry a response (modal errors/updates, select options).
_ANSWERED_INTERACTIONS = {"view_submission", "block_suggestion"}
_DEBUG_INFO: Json = {"host": "applink-fake", "build_number": 1}


def accepts_response_payload(envelope_type: str, payload: Json) -> bool:
    """Whether Slack would let the app answer this envelope with a payload in its ack."""
    if envelope_type == "slash_commands":
        return True
    return envelope_type == "interactive" and payload.get("type") in _ANSWERED_INTERACTIONS


def socket_payload(body: bytes, content_type: str) -> tuple[str, Json]:
    """`(envelope type, payload)` Socket Mode carries for a request an `inbound` builder made.

    E.g. `await fake.socket_request(*socket_payload(*slash_command("help")))`.
    """
    if content_type.startswith(JSON):
        data = json.loads(body)
        if not isinstance(data, dict) or data.get("type") != "event_callback":
            raise ValueError("only event_callback requests travel over Socket Mode")
        return "events_api", data
    fields = dict(parse_qsl(body.decode(), keep_blank_values=True))
    if set(fields) == {"payload"}:
        payload = json.loads(fields["payload"])
        if not isinstance(payload, dict):
            raise ValueError("an interactivity payload must be a JSON object")
        return "interactive", payload
    return "slash_commands", fields


@dataclass(eq=False)
class _Connection:
    ticket: str
    socket: web.WebSocketResponse
    draining: bool = False
    """Told to `disconnect` (other than a warning): Slack sends it no more envelopes."""


class SocketModeHub:
    """The Socket Mode side of FakeSlack: tickets, open sockets and envelopes awaiting acks."""

    def __init__(self, *, app_id: str) -> None:
        self.app_id = app_id
        self.acks: list[Json] = []
        """Every acknowledgement the app sent, in order (unmatched ones too)."""
        self._tickets: set[str] = set()
        self._open: list[_Connection] = []
        self._pending: dict[str, asyncio.Future[Json]] = {}
        self._changed: asyncio.Condition | None = None

    # -- apps.connections.open ------------------------------------------------

    def answer_open(
        self, method: str, token: str, *, app_token: str, bot_token: str, base_url: str
    ) -> Json:
        """The Web API answer to `method` called with `token`, when either is Socket Mode's.

        Only the app-level token opens connections, and it is refused everywhere else.
        """
        if token == bot_token:
            return {"ok": False, "error": "not_allowed_token_type"}
        if token != app_token:
            return {"ok": False, "error": "invalid_auth"}
        if method != OPEN_METHOD:
            return {"ok": False, "error": "not_allowed_token_type"}
        ticket = secrets.token_hex(16)
        self._tickets.add(ticket)
        ws_base = "ws://" + base_url.removeprefix("http://")
        return {"ok": True, "url": f"{ws_base}{SOCKET_ROUTE.format(ticket=ticket)}"}

    # -- the socket -----------------------------------------------------------

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """GET /socket/{ticket}: a ticket opens one connection, once."""
        ticket = request.match_info["ticket"]
        if ticket not in self._tickets:
            return web.json_response({"ok": False, "error": "invalid_ticket"}, status=401)
        socket = web.WebSocketResponse(autoping=True)  # answers the SDK's pings
        if not socket.can_prepare(request).ok:
            return web.json_response({"ok": False, "error": "not_a_websocket"}, status=400)
        self._tickets.discard(ticket)
        await socket.prepare(request)
        connection = _Connection(ticket, socket)
        await socket.send_json(
            {
                "type": "hello",
                "num_connections": len(self._live()) + 1,
                "debug_info": {**_DEBUG_INFO, "approximate_connection_time": 18060},
                "connection_info": {"app_id": self.app_id},
            }
        )
        await self._changing(lambda: self._open.append(connection))
        try:
            async for message in socket:
                if message.type == WSMsgType.TEXT:
                    self._receive(str(message.data))
        finally:
            await self._changing(lambda: self._open.remove(connection))
        return socket

    def _receive(self, text: str) -> None:
        try:
            message = json.loads(text)
        except ValueError:
            _log.warning("FakeSlack Socket Mode: the app sent non-JSON %r", text)
            return
        if not isinstance(message, dict) or not isinstance(message.get("envelope_id"), str):
            _log.warning("FakeSlack Socket Mode: the app sent %r, not an ack", message)
            return
        self.acks.append(message)
        waiting = self._pending.get(message["envelope_id"])
        if waiting is None or waiting.done():
            _log.warning("FakeSlack Socket Mode: ack for no pending envelope: %r", message)
            return
        waiting.set_result(message)

    async def close_all(self, _app: web.Application | None = None) -> None:
        """Close every socket (FakeSlack stopping) so aiohttp's shutdown is not kept waiting."""
        for waiting in self._pending.values():
            if not waiting.done():
                waiting.set_exception(AssertionError("FakeSlack stopped before the app acked"))
        for connection in list(self._open):
            await connection.socket.close(code=WSCloseCode.GOING_AWAY, message=b"server stopping")

    # -- what tests use -------------------------------------------------------

    @property
    def connection_count(self) -> int:
        """Sockets open now, including ones told to disconnect that the app has not closed."""
        return len(self._open)

    async def connected(self, timeout: float) -> None:  # noqa: ASYNC109 -- a test deadline
        changed = self._condition()
        async with changed:
            try:
                async with asyncio.timeout(timeout):
                    await changed.wait_for(lambda: bool(self._live()))
            except TimeoutError:
                raise AssertionError(
                    f"no Socket Mode connection within {timeout}s "
                    f"({len(self._tickets)} URL(s) issued but unused)"
                ) from None

    async def request(
        self,
        envelope_type: str,
        payload: Json,
        *,
        timeout: float,  # noqa: ASYNC109 -- a test deadline
        retry_attempt: int = 0,
        retry_reason: str = "",
    ) -> Json:
        """Send one envelope on the newest live connection; the app's ack message."""
        if envelope_type not in ENVELOPE_TYPES:
            raise ValueError(
                f"envelope_type must be one of {ENVELOPE_TYPES}, not {envelope_type!r}"
            )
        envelope_id = str(uuid.uuid4())
        envelope: Json = {
            "envelope_id": envelope_id,
            "payload": payload,
            "type": envelope_type,
            "accepts_response_payload": accepts_response_payload(envelope_type, payload),
        }
        if envelope_type == "events_api":
            envelope.update(retry_attempt=retry_attempt, retry_reason=retry_reason)
        waiting: asyncio.Future[Json] = asyncio.get_running_loop().create_future()
        self._pending[envelope_id] = waiting
        sent = False
        try:
            async with asyncio.timeout(timeout):
                await self.connected(timeout)
                await self._live()[-1].socket.send_json(envelope)
                sent = True
                return await waiting
        except TimeoutError:
            if not sent:
                raise AssertionError(f"no Socket Mode connection within {timeout}s") from None
            raise AssertionError(
                f"the app did not ack {envelope_type} envelope {envelope_id} within {timeout}s"
            ) from None
        finally:
            del self._pending[envelope_id]

    async def disconnect(self, reason: str) -> int:
        """Send Slack's `disconnect` to every live connection; how many were told."""
        told = 0
        for connection in self._live():
            if reason != "warning":
                connection.draining = True
            with contextlib.suppress(ConnectionError):
                await connection.socket.send_json(
                    {"type": "disconnect", "reason": reason, "debug_info": dict(_DEBUG_INFO)}
                )
                told += 1
        return told

    # -- internals ------------------------------------------------------------

    def _live(self) -> list[_Connection]:
        return [c for c in self._open if not c.draining and not c.socket.closed]

    def _condition(self) -> asyncio.Condition:
        if self._changed is None:
            self._changed = asyncio.Condition()
        return self._changed

    async def _changing(self, change: Callable[[], None]) -> None:
        changed = self._condition()
        async with changed:
            change()
            changed.notify_all()


class SocketModeMethods:
    """FakeSlack's Socket Mode methods (a mixin, so server.py stays about the Web API)."""

    _sockets: SocketModeHub

    async def socket_connected(self, timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Wait until the app holds a live Socket Mode connection; AssertionError on timeout."""
        await self._sockets.connected(timeout)

    async def socket_request(
        self,
        envelope_type: str,
        payload: dict[str, Any],
        *,
        timeout: float = 5.0,  # noqa: ASYNC109 -- a test helper's deadline
        retry_attempt: int = 0,
        retry_reason: str = "",
    ) -> dict[str, Any]:
        """Deliver `payload` in a `slash_commands`/`interactive`/`events_api` envelope.

        Returns the app's ack message (`{"envelope_id": ..., "payload": {...}?}`);
        AssertionError if there is no connection or no ack within `timeout`.
        Retry fields are sent on `events_api` envelopes only, as Slack does.
        """
        return await self._sockets.request(
            envelope_type,
            payload,
            timeout=timeout,
            retry_attempt=retry_attempt,
            retry_reason=retry_reason,
        )

    async def socket_disconnect(self, reason: str = "refresh_requested") -> int:
        """Send Slack's `disconnect`; live connections told (they then get no envelopes)."""
        return await self._sockets.disconnect(reason)

    @property
    def socket_connections(self) -> int:
        """Socket Mode connections open now."""
        return self._sockets.connection_count

    @property
    def socket_acks(self) -> list[dict[str, Any]]:
        """Every ack the app sent over Socket Mode, oldest first."""
        return list(self._sockets.acks)
