"""SlackStandIn: a real HTTP server for Slack's Web API and response_url endpoints.

The core the demo runs on. The test kit's FakeSlack subclasses it and plugs in
what only tests need through the hooks marked below: injected failures,
interceptors, held calls, Socket Mode and Slack's payload limits; and, through
`methods`, the Web API methods tests call that the demo never does.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import Any, ClassVar, Self

from aiohttp import web

from warroom.demo.slack.api_chat import CHAT_METHODS
from warroom.demo.slack.api_conversations import CONVERSATION_METHODS
from warroom.demo.slack.api_files import (
    FILE_METHODS,
    UPLOAD_METHOD,
    UPLOAD_ROUTE,
    receive_upload,
)
from warroom.demo.slack.api_users import USER_METHODS
from warroom.demo.slack.api_views import VIEW_METHODS
from warroom.demo.slack.checks import Checks
from warroom.demo.slack.oidc import (
    AUTHORIZE_METHOD,
    AUTHORIZE_ROUTE,
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    OIDC_METHODS,
    OidcMethods,
    OidcProvider,
)
from warroom.demo.slack.params import normalize_args, read_body
from warroom.demo.slack.recorded import RecordedCall
from warroom.demo.slack.responses import (
    RESPONSE_URL_METHOD,
    answer_response_url,
    response_url_args,
)
from warroom.demo.slack.state import ApiError, Workspace
from warroom.demo.slack.workspace_methods import WorkspaceMethods

__all__ = ["METHODS", "Handler", "SlackStandIn"]

Json = dict[str, Any]
Handler = Callable[[Workspace, Json], Json]
_log = logging.getLogger(__name__)
METHODS: dict[str, Handler] = {
    **CONVERSATION_METHODS,
    **CHAT_METHODS,
    **VIEW_METHODS,
    **FILE_METHODS,
    **USER_METHODS,
}


class SlackStandIn(OidcMethods, WorkspaceMethods):
    """Serves the Web API on 127.0.0.1 for `AsyncWebClient(base_url=slack.api_url)`.

    On a free port unless `port` is given (for a server started by hand to talk to).
    `checks` decides which payloads are refused as Slack would (none by default).
    Answers the Web API methods `warroom demo` calls (`METHODS`) and `methods`;
    any other is `unknown_method`. Also Sign in with Slack (`warroom.demo.slack.oidc`):
    the authorize page at `oidc_authorize_url` signs in whoever `sign_in_as` chose, for
    the app with `client_id` and `client_secret`.
    """

    call_type: ClassVar[type[RecordedCall]] = RecordedCall
    """Hook: the record kept of each answered call (the test kit's also holds a fault)."""
    workspace_type: ClassVar[type[Workspace]] = Workspace
    """Hook: the state served (the test kit's also holds what only its methods use)."""

    def __init__(
        self,
        *,
        token: str = "xoxb-fake-token",
        team_id: str = "T0WARROOM",
        bot_user_id: str = "UWARROOMBOT",
        latency: float = 0.0,
        port: int = 0,
        checks: Checks | None = None,
        methods: Mapping[str, Handler] | None = None,
        client_id: str = DEFAULT_CLIENT_ID,
        client_secret: str = DEFAULT_CLIENT_SECRET,
    ) -> None:
        self.token = token
        self.team_id = team_id
        self.bot_user_id = bot_user_id
        self.latency = latency
        self.port = port
        self.calls: list[RecordedCall] = []
        self.methods: dict[str, Handler] = {**METHODS, **(methods or {})}
        """The Web API methods answered: the demo's own, plus `methods` (the test kit's)."""
        self._ws = self.workspace_type(team_id=team_id, bot_user_id=bot_user_id, checks=checks)
        self._acting_as: dict[str, str] = {}
        self._oidc = OidcProvider(client_id=client_id, client_secret=client_secret)
        self._changed: asyncio.Condition | None = None
        self._runner: web.AppRunner | None = None
        self._base = ""

    # -- hooks (the test kit's FakeSlack overrides them) ----------------------

    def _add_routes(self, app: web.Application) -> None:
        """More routes on the server (Socket Mode's); none here."""

    async def _on_arrival(self, method: str, request: web.Request) -> web.StreamResponse | None:
        """Before a Web API call is read: an answer that ends it (a held call), or None."""
        return None

    async def _injected(
        self, request: web.Request, method: str, args: Json, started: float
    ) -> web.StreamResponse | None:
        """Before a call is carried out: an injected failure answered instead, or None."""
        return None

    def intercepted(self, phase: str, method: str, args: Json) -> bool:
        """Around a call ("before"/"after" Slack acts); True before drops it unanswered."""
        return False

    def _other_token(self, method: str, token: str) -> Json | None:
        """The answer to a token that is neither the bot's nor a `token_for` one, or None
        (Socket Mode's app-level token)."""
        return None

    # -- lifecycle ----------------------------------------------------------

    async def start(self) -> None:
        if self._runner is not None:
            return
        app = web.Application(client_max_size=8 * 1024 * 1024)
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/response_url/{key}", self._response_url)
        app.router.add_post(UPLOAD_ROUTE, self._upload)
        app.router.add_get(AUTHORIZE_ROUTE, self._authorize)
        self._add_routes(app)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", self.port)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self._base = self._ws.base_url = f"http://{host}:{port}"

    async def stop(self) -> None:
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
            raise RuntimeError(f"{type(self).__name__} is not started")
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
    ) -> None:
        finished = time.monotonic()
        headers = dict(request.headers)
        await self._record(self.call_type(method, args, started, finished, status, body, headers))

    # -- HTTP ---------------------------------------------------------------

    async def _api(self, request: web.Request) -> web.StreamResponse:
        started = time.monotonic()
        method = request.match_info["method"]
        if self.latency > 0:
            await asyncio.sleep(self.latency)
        held = await self._on_arrival(method, request)
        if held is not None:
            return held
        raw: dict[str, Any] = dict(request.query)
        try:
            raw.update(await read_body(request))
        except ApiError as exc:
            body: Json = {"ok": False, "error": exc.error}
            await self._record_http(request, method, raw, started, 200, body)
            return web.json_response(body)
        token = raw.pop("token", None)
        args = normalize_args(raw)
        failed = await self._injected(request, method, args, started)
        if failed is not None:
            return failed
        if self.intercepted("before", method, args):
            return web.Response(status=503)
        status, body = self._dispatch(method, args, request, token)
        self.intercepted("after", method, args)
        await self._record_http(request, method, args, started, status, body)
        return web.json_response(body, status=status)

    def _dispatch(
        self, method: str, args: Json, request: web.Request, body_token: Any
    ) -> tuple[int, Json]:
        if method in OIDC_METHODS:  # client credentials or a person's token, not the bot's
            return 200, self._oidc_dispatch(method, args, request, body_token)
        auth = request.headers.get("Authorization", "")
        token = auth.removeprefix("Bearer ").strip() if auth.startswith("Bearer ") else None
        token = token or (body_token if isinstance(body_token, str) else None)
        if not token:
            return 200, {"ok": False, "error": "not_authed"}
        other = self._other_token(method, token)
        if other is not None:
            return 200, other
        acting = self.bot_user_id if token == self.token else self._acting_as.get(token)
        if acting is None:
            return 200, {"ok": False, "error": "invalid_auth"}
        handler = self.methods.get(method)
        if handler is None:
            return 200, {"ok": False, "error": "unknown_method", "req_method": method}
        self._ws.acting = acting
        try:
            return 200, handler(self._ws, args)
        except ApiError as exc:
            return 200, {"ok": False, "error": exc.error, **exc.extra}
        except Exception as exc:  # a bug in the fake: answer (and record) it loudly
            _log.exception("%s: %s failed on %r", type(self).__name__, method, args)
            return 500, {"ok": False, "error": "fake_slack_bug", "detail": repr(exc)}
        finally:
            self._ws.acting = self.bot_user_id

    async def _authorize(self, request: web.Request) -> web.StreamResponse:
        """Slack's authorize page, recorded as AUTHORIZE_METHOD with its query."""
        started = time.monotonic()
        query = dict(request.query)
        status, answer = self._oidc.authorize(query)
        body: Json = {"location": answer} if status == 302 else {"error": answer}
        await self._record_http(request, AUTHORIZE_METHOD, query, started, status, body)
        if status == 302:
            return web.Response(status=302, headers={"Location": answer})
        return web.Response(status=status, text=answer)

    async def _response_url(self, request: web.Request) -> web.StreamResponse:
        started = time.monotonic()
        key = request.match_info["key"]
        if self.latency > 0:
            await asyncio.sleep(self.latency)
        text = await request.text()
        failed = await self._injected(
            request, RESPONSE_URL_METHOD, response_url_args(key, text), started
        )
        if failed is not None:
            return failed
        if self.intercepted("before", RESPONSE_URL_METHOD, {"key": key, "body": text}):
            return web.Response(status=503)
        status, body, args = answer_response_url(self._ws, key, text)
        self.intercepted("after", RESPONSE_URL_METHOD, args)
        await self._record_http(request, RESPONSE_URL_METHOD, args, started, status, body)
        return web.json_response(body, status=status)

    async def _upload(self, request: web.Request) -> web.StreamResponse:
        """files.getUploadURLExternal's upload_url; recorded as "file_upload"."""
        started = time.monotonic()
        if self.latency > 0:
            await asyncio.sleep(self.latency)
        args = {"file_id": request.match_info["file_id"]}
        failed = await self._injected(request, UPLOAD_METHOD, args, started)
        if failed is not None:
            return failed
        status, args, body = await receive_upload(self._ws, request)
        await self._record_http(request, UPLOAD_METHOD, args, started, status, body)
        return web.Response(text=str(body["body"]), status=status)
