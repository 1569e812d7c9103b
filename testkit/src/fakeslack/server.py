"""FakeSlack: the demo's Slack stand-in, with what tests need plugged into its hooks.

Injected failures and interceptors (`faults`), held calls (`stalls`), Socket
Mode (`socket_mode`), Slack's Block Kit and naming limits (`limits`), and the Web
API methods tests call that `warroom demo` never does (`api_*`, on `workspace`).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Any, ClassVar

from aiohttp import web

from fakeslack import api_chat, api_conversations, api_files, api_views
from fakeslack.faults import Fault, FaultMethods, Faults, Interceptor
from fakeslack.limits import SlackLimits
from fakeslack.recorded import RecordedCall
from fakeslack.socket_mode import OPEN_METHOD, SOCKET_ROUTE, SocketModeHub, SocketModeMethods
from fakeslack.stalls import Stalls
from fakeslack.workspace import KitWorkspace, KitWorkspaceMethods
from warroom.demo.slack import recorded
from warroom.demo.slack.api_files import UPLOAD_METHOD
from warroom.demo.slack.oidc import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET
from warroom.demo.slack.server import Handler, SlackStandIn
from warroom.demo.slack.state import Workspace

__all__ = ["FakeSlack", "RecordedCall"]

Json = dict[str, Any]
TESTKIT_METHODS: dict[str, Handler] = {
    **api_chat.CHAT_METHODS,
    **api_conversations.CONVERSATION_METHODS,
    **api_files.FILE_METHODS,
    **api_views.VIEW_METHODS,
}
"""Answered on top of the demo's own methods (`warroom.demo.slack.server.METHODS`)."""


class FakeSlack(SocketModeMethods, FaultMethods, KitWorkspaceMethods, SlackStandIn):
    """Serves the Web API on 127.0.0.1 for `AsyncWebClient(base_url=fake.api_url)`.

    On a free port unless `port` is given (for a server started by hand to talk to).
    Refuses what Slack's limits refuse (`fakeslack.limits`).

    Also Socket Mode: `apps.connections.open` with `app_token` hands the app a
    WebSocket URL here; `socket_request` then delivers envelopes over it.

    Sign in with Slack is the stand-in's own (`warroom.demo.slack.oidc`): `sign_in_as`,
    `oidc_authorize_url`, `openid.connect.token` and `openid.connect.userInfo`; faults
    injected into the two methods apply as to any other.
    """

    call_type: ClassVar[type[recorded.RecordedCall]] = RecordedCall
    workspace_type: ClassVar[type[Workspace]] = KitWorkspace

    def __init__(
        self,
        *,
        token: str = "xoxb-fake-token",
        app_token: str = "xapp-fake-token",
        team_id: str = "T0WARROOM",
        bot_user_id: str = "UWARROOMBOT",
        latency: float = 0.0,
        port: int = 0,
        client_id: str = DEFAULT_CLIENT_ID,
        client_secret: str = DEFAULT_CLIENT_SECRET,
    ) -> None:
        super().__init__(
            token=token,
            team_id=team_id,
            bot_user_id=bot_user_id,
            latency=latency,
            port=port,
            checks=SlackLimits(),
            methods=TESTKIT_METHODS,
            client_id=client_id,
            client_secret=client_secret,
        )
        self.app_token = app_token
        self.faults = Faults()
        self.hold_s = 1.0
        """How long a `timeout` fault keeps a request unanswered: longer than the client waits."""
        self._stopping = asyncio.Event()
        self.interceptors: list[Interceptor] = []
        self.stalls = Stalls()
        self._sockets: SocketModeHub = SocketModeHub(app_id=self._ws.app_id)

    async def stop(self) -> None:
        self._stopping.set()
        await super().stop()

    def faulted_calls(self) -> list[RecordedCall]:
        """Every call that got an injected failure, oldest first."""
        return [
            call for call in self.calls if isinstance(call, RecordedCall) and call.fault is not None
        ]

    # -- SlackStandIn's hooks -----------------------------------------------

    def _add_routes(self, app: web.Application) -> None:
        app.router.add_get(SOCKET_ROUTE, self._sockets.handle)
        app.on_shutdown.append(self._sockets.close_all)

    async def _on_arrival(self, method: str, request: web.Request) -> web.StreamResponse | None:
        if await self.stalls.hold_if_armed(method) and request.transport is None:
            self.stalls.dropped += 1
            return web.Response(status=503)
        return None

    async def _injected(
        self, request: web.Request, method: str, args: Json, started: float
    ) -> web.StreamResponse | None:
        fault = self.faults.take(method)
        if fault is None:
            return None
        return await self._fail(request, method, args, started, fault)

    def _other_token(self, method: str, token: str) -> Json | None:
        if method != OPEN_METHOD and token != self.app_token:
            return None
        return self._sockets.answer_open(
            method, token, app_token=self.app_token, bot_token=self.token, base_url=self.base_url
        )

    async def _fail(
        self, request: web.Request, method: str, args: Json, started: float, fault: Fault
    ) -> web.StreamResponse:
        """Answer with the injected failure (or none at all) and record it on the call.

        Faults for "file_upload" answer text/plain (`fail` is HTTP 400).
        """
        status = 400 if method == UPLOAD_METHOD and fault.kind == "error" else fault.status
        body: Json = {"ok": False, "error": fault.error} if fault.error else {}
        headers = dict(request.headers)
        call = RecordedCall(method, args, started, time.monotonic(), status, body, headers, fault)
        await self._record(call)
        if fault.kind in {"timeout", "drop"}:
            if fault.kind == "timeout":
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stopping.wait(), self.hold_s)
            if request.transport is not None:
                request.transport.close()
            return web.Response(status=fault.status or 500)  # written to a closed connection
        answer_headers = (
            {"Retry-After": str(fault.retry_after)} if fault.kind == "rate_limit" else {}
        )
        if method == UPLOAD_METHOD:
            return web.Response(text=fault.error, status=status, headers=answer_headers)
        return web.json_response(body, status=status, headers=answer_headers)
