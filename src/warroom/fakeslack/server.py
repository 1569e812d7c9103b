"""FakeSlack: a real HTTP stand-in for Slack's Web API and response_url endpoints."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Iterable
from types import TracebackType
from typing import Any, Self

from aiohttp import web

from warroom.fakeslack.api_chat import CHAT_METHODS
from warroom.fakeslack.api_conversations import CONVERSATION_METHODS
from warroom.fakeslack.api_files import (
    FILE_METHODS,
    UPLOAD_METHOD,
    UPLOAD_ROUTE,
    file_view,
    receive_upload,
)
from warroom.fakeslack.api_users import USER_METHODS
from warroom.fakeslack.api_views import VIEW_METHODS
from warroom.fakeslack.faults import Fault, FaultMethods, Faults, Interceptor
from warroom.fakeslack.params import normalize_args, read_body
from warroom.fakeslack.recorded import RecordedCall
from warroom.fakeslack.responses import (
    RESPONSE_URL_METHOD,
    answer_response_url,
    response_url_args,
)
from warroom.fakeslack.socket_mode import (
    OPEN_METHOD,
    SOCKET_ROUTE,
    SocketModeHub,
    SocketModeMethods,
)
from warroom.fakeslack.stalls import Stalls
from warroom.fakeslack.state import ApiError, Channel, Workspace

__all__ = ["FakeSlack", "RecordedCall"]

Json = dict[str, Any]
_log = logging.getLogger(__name__)
METHODS = {
    **CONVERSATION_METHODS,
    **CHAT_METHODS,
    **VIEW_METHODS,
    **FILE_METHODS,
    **USER_METHODS,
}


class FakeSlack(SocketModeMethods, FaultMethods):
    """Serves the Web API on 127.0.0.1 for `AsyncWebClient(base_url=fake.api_url)`.

    On a free port unless `port` is given (for a server started by hand to talk to).

    Also Socket Mode: `apps.connections.open` with `app_token` hands the app a
    WebSocket URL here; `socket_request` then delivers envelopes over it.
    """

    def __init__(
        self,
        *,
        token: str = "xoxb-fake-token",
        app_token: str = "xapp-fake-token",
        team_id: str = "T0WARROOM",
        bot_user_id: str = "UWARROOMBOT",
        latency: float = 0.0,
        port: int = 0,
    ) -> None:
        self.token = token
        self.app_token = app_token
        self.team_id = team_id
        self.bot_user_id = bot_user_id
        self.latency = latency
        self.port = port
        self.calls: list[RecordedCall] = []
        self._ws = Workspace(team_id=team_id, bot_user_id=bot_user_id)
        self._acting_as: dict[str, str] = {}
        self.faults = Faults()
        self.hold_s = 1.0
        """How long a `timeout` fault keeps a request unanswered: longer than the client waits."""
        self._stopping = asyncio.Event()
        self.interceptors: list[Interceptor] = []
        self.stalls = Stalls()
        self._sockets: SocketModeHub = SocketModeHub(app_id=self._ws.app_id)
        self._changed: asyncio.Condition | None = None
        self._runner: web.AppRunner | None = None
        self._base = ""

    # -- lifecycle ----------------------------------------------------------

    async def start(self) -> None:
        if self._runner is not None:
            return
        app = web.Application(client_max_size=8 * 1024 * 1024)
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/response_url/{key}", self._response_url)
        app.router.add_post(UPLOAD_ROUTE, self._upload)
        app.router.add_get(SOCKET_ROUTE, self._sockets.handle)
        app.on_shutdown.append(self._sockets.close_all)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", self.port)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self._base = self._ws.base_url = f"http://{host}:{port}"

    async def stop(self) -> None:
        self._stopping.set()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        if not self._base:
            raise RuntimeError("FakeSlack is not started")
        return self._base

    @property
    def api_url(self) -> str:
        """Base URL for AsyncWebClient; method names are appended to it."""
        return f"{self.base_url}/api/"

    def response_url(
        self, key: str, *, channel_id: str | None = None, message_ts: str | None = None
    ) -> str:
        """A URL that takes response_url POSTs, recorded as method "response_url".

        Bound to `channel_id` (and the message at `message_ts`), replies change the
        workspace like Slack's do: `in_channel` posts, `replace_original` edits,
        `delete_original` removes. Unbound, they are only recorded.
        """
        if channel_id is not None:
            self._ws.response_url_targets[key] = (channel_id, message_ts)
        return f"{self.base_url}/response_url/{key}"

    # -- recording ----------------------------------------------------------

    def calls_to(self, method: str) -> list[RecordedCall]:
        return [call for call in self.calls if call.method == method]

    def reset_calls(self) -> None:
        self.calls.clear()

    async def wait_for(
        self,
        method: str,
        count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109 -- a test helper's deadline, not an I/O knob
    ) -> list[RecordedCall]:
        """Block until `count` answered calls to `method` exist; AssertionError on timeout."""
        changed = self._condition()
        async with changed:
            try:
                async with asyncio.timeout(timeout):
                    await changed.wait_for(lambda: len(self.calls_to(method)) >= count)
            except TimeoutError:
                seen = [call.method for call in self.calls]
                raise AssertionError(
                    f"waited {timeout}s for {count} call(s) to {method!r}, "
                    f"got {len(self.calls_to(method))}; recorded: {seen}"
                ) from None
        return self.calls_to(method)

    def _condition(self) -> asyncio.Condition:
        if self._changed is None:
            self._changed = asyncio.Condition()
        return self._changed

    async def _record(self, call: RecordedCall) -> None:
        changed = self._condition()
        async with changed:
            self.calls.append(call)
            changed.notify_all()

    async def _record_http(
        self,
        request: web.Request,
        method: str,
        args: Json,
        started: float,
        status: int,
        body: Json,
        fault: Fault | None = None,
    ) -> None:
        finished = time.monotonic()
        headers = dict(request.headers)
        call = RecordedCall(method, args, started, finished, status, body, headers, fault)
        await self._record(call)

    def faulted_calls(self) -> list[RecordedCall]:
        """Every call that got an injected failure, oldest first."""
        return [call for call in self.calls if call.fault is not None]

    # -- workspace setup and read-only views ---------------------------------

    def add_user(self, user_id: str, name: str) -> None:
        self._ws.users[user_id] = name

    def token_for(self, user_id: str, *, bot_id: str | None = None) -> str:
        """A token Slack answers as `user_id`: a person's, or with `bot_id` another app's
        bot. What it creates or posts is theirs (`creator`, a message's `user`/`bot_id`);
        conversations.create/invite, chat.postMessage, users.conversations, auth.test,
        conversations.info/history honour it."""
        token = f"xox{'b' if bot_id else 'p'}-fake-{user_id.lower()}"
        self._acting_as[token] = user_id
        if bot_id is not None:
            self._ws.bot_ids[user_id] = bot_id
        return token

    def set_usergroup(self, usergroup_id: str, users: Iterable[str]) -> None:
        """Create a user group, or replace its members (no recorded call)."""
        self._ws.usergroups[usergroup_id] = set(users)

    def add_channel(
        self,
        name: str,
        *,
        is_private: bool = False,
        members: Iterable[str] = (),
        archived: bool = False,
        creator: str | None = None,
        created: int | None = None,
    ) -> str:
        """Create a channel directly (no recorded call); the bot is a member only if listed.

        Made by `creator` (default: the first member, else the bot) at `created` (epoch
        seconds; default now)."""
        members = list(members)
        creator = creator or next(iter(members), self.bot_user_id)
        state = self._ws.add_channel(
            name, is_private=is_private, creator=creator, members=set(members), archived=archived
        )
        if created is not None:
            state.created = created
        return state.id

    def add_message(
        self, channel_id: str, text: str, *, user: str, thread_ts: str | None = None
    ) -> str:
        """Put a message from `user` into a channel (e.g. a human's); returns its ts."""
        state = self._ws.channels[channel_id]
        return str(self._ws.new_message(state, user=user, text=text, thread_ts=thread_ts)["ts"])

    def add_member(self, channel_id: str, user_id: str) -> None:
        """Someone joins, or is added to, a channel in Slack's own client (no recorded call).
        Send `member_joined_channel` to tell Warroom."""
        self._ws.channels[channel_id].members.add(user_id)

    def remove_member(self, channel_id: str, user_id: str) -> None:
        """Someone leaves, or is removed from, a channel in Slack's own client (no recorded
        call: Warroom never removes anyone). Send `member_left_channel` to tell Warroom."""
        self._ws.channels[channel_id].members.discard(user_id)

    def channel(self, channel_id: str) -> Channel | None:
        state = self._ws.channels.get(channel_id)
        return state.snapshot() if state is not None else None

    def channel_by_name(self, name: str) -> Channel | None:
        state = self._ws.by_name(name)
        return state.snapshot() if state is not None else None

    def channels(self) -> list[Channel]:
        return [state.snapshot() for state in self._ws.channels.values()]

    def messages(self, channel_id: str) -> list[dict[str, Any]]:
        """Copies of the channel's messages (thread replies included), oldest first."""
        return list(self._ws.copy_json(self._ws.messages.get(channel_id, [])))

    def message(self, channel_id: str, ts: str) -> dict[str, Any] | None:
        for message in self._ws.messages.get(channel_id, []):
            if message["ts"] == ts:
                return dict(self._ws.copy_json(message))
        return None

    def ephemerals(self, channel_id: str) -> list[dict[str, Any]]:
        """`{"to": user_id, "message": {...}}` for each chat.postEphemeral in the channel."""
        return list(self._ws.copy_json(self._ws.ephemerals.get(channel_id, [])))

    def dm_channel(self, user_id: str) -> str | None:
        return self._ws.dms.get(user_id)

    def view(self, view_id: str) -> dict[str, Any] | None:
        view = self._ws.views.get(view_id)
        return dict(self._ws.copy_json(view)) if view is not None else None

    def home_view(self, user_id: str) -> dict[str, Any] | None:
        view_id = self._ws.home_views.get(user_id)
        return self.view(view_id) if view_id is not None else None

    def file(self, file_id: str) -> dict[str, Any] | None:
        """name, title, `content` (text) / `data` (bytes), `channels` shared to; or None."""
        return file_view(self._ws, file_id)

    # -- HTTP ---------------------------------------------------------------

    async def _api(self, request: web.Request) -> web.StreamResponse:
        started = time.monotonic()
        method = request.match_info["method"]
        if self.latency > 0:
            await asyncio.sleep(self.latency)
        if await self.stalls.hold_if_armed(method) and request.transport is None:
            self.stalls.dropped += 1
            return web.Response(status=503)
        raw: dict[str, Any] = dict(request.query)
        try:
            raw.update(await read_body(request))
        except ApiError as exc:
            body: Json = {"ok": False, "error": exc.error}
            await self._record_http(request, method, raw, started, 200, body)
            return web.json_response(body)
        token = raw.pop("token", None)
        args = normalize_args(raw)
        fault = self.faults.take(method)
        if fault is not None:
            return await self._fail(request, method, args, started, fault)
        if self.intercepted("before", method, args):
            return web.Response(status=503)
        status, body = self._dispatch(method, args, request, token)
        self.intercepted("after", method, args)
        await self._record_http(request, method, args, started, status, body)
        return web.json_response(body, status=status)

    async def _fail(
        self, request: web.Request, method: str, args: Json, started: float, fault: Fault
    ) -> web.StreamResponse:
        """Answer with the injected failure (or none at all) and record it on the call."""
        status = 400 if method == UPLOAD_METHOD and fault.kind == "error" else fault.status
        body: Json = {"ok": False, "error": fault.error} if fault.error else {}
        await self._record_http(request, method, args, started, status, body, fault)
        if fault.kind in {"timeout", "drop"}:
            if fault.kind == "timeout":
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stopping.wait(), self.hold_s)
            if request.transport is not None:
                request.transport.close()
            return web.Response(status=fault.status or 500)  # written to a closed connection
        headers = {"Retry-After": str(fault.retry_after)} if fault.kind == "rate_limit" else {}
        if method == UPLOAD_METHOD:
            return web.Response(text=fault.error, status=status, headers=headers)
        return web.json_response(body, status=status, headers=headers)

    def _dispatch(
        self, method: str, args: Json, request: web.Request, body_token: Any
    ) -> tuple[int, Json]:
        auth = request.headers.get("Authorization", "")
        token = auth.removeprefix("Bearer ").strip() if auth.startswith("Bearer ") else None
        token = token or (body_token if isinstance(body_token, str) else None)
        if not token:
            return 200, {"ok": False, "error": "not_authed"}
        if method == OPEN_METHOD or token == self.app_token:
            answer = self._sockets.answer_open(
                method,
                token,
                app_token=self.app_token,
                bot_token=self.token,
                base_url=self.base_url,
            )
            return 200, answer
        acting = self.bot_user_id if token == self.token else self._acting_as.get(token)
        if acting is None:
            return 200, {"ok": False, "error": "invalid_auth"}
        handler = METHODS.get(method)
        if handler is None:
            return 200, {"ok": False, "error": "unknown_method", "req_method": method}
        self._ws.acting = acting
        try:
            return 200, handler(self._ws, args)
        except ApiError as exc:
            return 200, {"ok": False, "error": exc.error, **exc.extra}
        except Exception as exc:  # a bug in the fake: answer (and record) it loudly
            _log.exception("FakeSlack %s failed on %r", method, args)
            return 500, {"ok": False, "error": "fake_slack_bug", "detail": repr(exc)}
        finally:
            self._ws.acting = self.bot_user_id

    async def _response_url(self, request: web.Request) -> web.StreamResponse:
        started = time.monotonic()
        key = request.match_info["key"]
        if self.latency > 0:
            await asyncio.sleep(self.latency)
        text = await request.text()
        fault = self.faults.take(RESPONSE_URL_METHOD)
        if fault is not None:
            return await self._fail(
                request, RESPONSE_URL_METHOD, response_url_args(key, text), started, fault
            )
        if self.intercepted("before", RESPONSE_URL_METHOD, {"key": key, "body": text}):
            return web.Response(status=503)
        status, body, args = answer_response_url(self._ws, key, text)
        self.intercepted("after", RESPONSE_URL_METHOD, args)
        await self._record_http(request, RESPONSE_URL_METHOD, args, started, status, body)
        return web.json_response(body, status=status)

    async def _upload(self, request: web.Request) -> web.StreamResponse:
        """files.getUploadURLExternal's upload_url; recorded as "file_upload".

        Faults for "file_upload" answer text/plain (`fail` is HTTP 400).
        """
        started = time.monotonic()
        if self.latency > 0:
            await asyncio.sleep(self.latency)
        fault = self.faults.take(UPLOAD_METHOD)
        if fault is not None:
            args = {"file_id": request.match_info["file_id"]}
            return await self._fail(request, UPLOAD_METHOD, args, started, fault)
        status, args, body = await receive_upload(self._ws, request)
        await self._record_http(request, UPLOAD_METHOD, args, started, status, body)
        return web.Response(text=str(body["body"]), status=status)
