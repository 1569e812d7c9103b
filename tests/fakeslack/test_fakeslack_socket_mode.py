"""FakeSlack's Socket Mode: apps.connections.open, the socket, envelopes and acks."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import aiohttp
import pytest
import pytest_asyncio
from slack_sdk.errors import SlackApiError
from slack_sdk.socket_mode.aiohttp import SocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse
from slack_sdk.web.async_client import AsyncWebClient

from fakeslack import (
    FakeSlack,
    block_actions,
    event_callback,
    slash_command,
    socket_payload,
    url_verification,
    view_submission,
)

Json = dict[str, Any]


@pytest_asyncio.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as opened:
        yield opened


async def open_url(fake: FakeSlack) -> str:
    client = AsyncWebClient(base_url=fake.api_url, retry_handlers=[])
    response = await client.apps_connections_open(app_token=fake.app_token)
    return str(response["url"])


async def receive(socket: aiohttp.ClientWebSocketResponse) -> Json:
    message: Json = await asyncio.wait_for(socket.receive_json(), 5)
    return message


# -- apps.connections.open -----------------------------------------------------


async def test_open_hands_out_a_websocket_url_and_is_recorded(fake: FakeSlack) -> None:
    assert fake.app_token == "xapp-fake-token"
    url = await open_url(fake)
    host_port = fake.base_url.removeprefix("http://")
    assert url.startswith(f"ws://{host_port}/socket/")
    (call,) = fake.calls_to("apps.connections.open")
    assert call.ok and call.response == {"ok": True, "url": url}
    assert call.headers["Authorization"] == f"Bearer {fake.app_token}"
    assert await open_url(fake) != url  # a fresh URL each time


@pytest.mark.parametrize(
    ("token", "error"),
    [
        (None, "not_authed"),
        ("xapp-wrong", "invalid_auth"),
        ("xoxb-someone-else", "invalid_auth"),
        ("xoxb-fake-token", "not_allowed_token_type"),
    ],
)
async def test_open_needs_the_app_level_token(
    fake: FakeSlack, token: str | None, error: str
) -> None:
    client = AsyncWebClient(token=token, base_url=fake.api_url, retry_handlers=[])
    with pytest.raises(SlackApiError) as raised:
        await client.api_call("apps.connections.open", http_verb="POST")
    assert raised.value.response["error"] == error
    assert [c.response["error"] for c in fake.calls_to("apps.connections.open")] == [error]


async def test_app_token_is_refused_by_other_methods(fake: FakeSlack) -> None:
    client = AsyncWebClient(token=fake.app_token, base_url=fake.api_url, retry_handlers=[])
    with pytest.raises(SlackApiError) as raised:
        await client.chat_postMessage(channel="C1", text="hi")
    assert raised.value.response["error"] == "not_allowed_token_type"


async def test_custom_app_token_and_faults() -> None:
    async with FakeSlack(app_token="xapp-1-other") as other:
        assert "/socket/" in await open_url(other)
        other.fail("apps.connections.open", "ratelimited")
        with pytest.raises(SlackApiError):
            await open_url(other)


# -- the socket ----------------------------------------------------------------


async def test_connecting_says_hello(fake: FakeSlack, session: aiohttp.ClientSession) -> None:
    async with session.ws_connect(await open_url(fake)) as socket:
        hello = await receive(socket)
        assert hello["type"] == "hello" and hello["num_connections"] == 1
        assert hello["connection_info"] == {"app_id": "A0WARROOMAPP"}
        await fake.socket_connected()
        assert fake.socket_connections == 1
    await asyncio.wait_for(_until(lambda: fake.socket_connections == 0), 5)


async def test_a_url_opens_one_connection(fake: FakeSlack, session: aiohttp.ClientSession) -> None:
    url = await open_url(fake)
    async with session.ws_connect(url) as socket:
        await receive(socket)
        with pytest.raises(aiohttp.WSServerHandshakeError) as raised:
            await session.ws_connect(url)
        assert raised.value.status == 401
    with pytest.raises(aiohttp.WSServerHandshakeError):
        await session.ws_connect(url.rsplit("/", 1)[0] + "/made-up")


async def test_envelopes_and_acks(fake: FakeSlack, session: aiohttp.ClientSession) -> None:
    async with session.ws_connect(await open_url(fake)) as socket:
        await receive(socket)
        command = {"command": "/incident", "text": "help"}
        asked = asyncio.create_task(fake.socket_request("slash_commands", command))
        envelope = await receive(socket)
        assert set(envelope) == {"envelope_id", "payload", "type", "accepts_response_payload"}
        assert envelope["type"] == "slash_commands" and envelope["payload"] == command
        assert envelope["accepts_response_payload"] is True
        ack = {"envelope_id": envelope["envelope_id"], "payload": {"text": "usage"}}
        await socket.send_json(ack)
        assert await asked == ack
        assert fake.socket_acks == [ack]

        event = {"type": "event_callback", "event": {"type": "app_mention"}}
        asked = asyncio.create_task(fake.socket_request("events_api", event, retry_attempt=1))
        envelope = await receive(socket)
        assert envelope["accepts_response_payload"] is False
        assert (envelope["retry_attempt"], envelope["retry_reason"]) == (1, "")
        await socket.send_json({"envelope_id": envelope["envelope_id"]})
        assert await asked == {"envelope_id": envelope["envelope_id"]}


@pytest.mark.parametrize(
    ("interaction", "accepts"),
    [("view_submission", True), ("block_suggestion", True), ("block_actions", False)],
)
async def test_interactive_accepts_a_payload_only_where_slack_reads_one(
    fake: FakeSlack, session: aiohttp.ClientSession, interaction: str, accepts: bool
) -> None:
    async with session.ws_connect(await open_url(fake)) as socket:
        await receive(socket)
        asked = asyncio.create_task(fake.socket_request("interactive", {"type": interaction}))
        envelope = await receive(socket)
        assert envelope["type"] == "interactive"
        assert envelope["accepts_response_payload"] is accepts
        assert "retry_attempt" not in envelope
        await socket.send_json({"envelope_id": envelope["envelope_id"]})
        await asked


async def test_no_ack_or_no_connection_is_an_assertion(
    fake: FakeSlack, session: aiohttp.ClientSession
) -> None:
    with pytest.raises(AssertionError, match="no Socket Mode connection"):
        await fake.socket_connected(timeout=0.05)
    with pytest.raises(AssertionError, match="no Socket Mode connection"):
        await fake.socket_request("slash_commands", {}, timeout=0.05)
    async with session.ws_connect(await open_url(fake)) as socket:
        await receive(socket)
        with pytest.raises(AssertionError, match="did not ack slash_commands"):
            await fake.socket_request("slash_commands", {}, timeout=0.1)
        await socket.send_json({"envelope_id": "late"})  # unmatched: recorded, ignored
        await asyncio.wait_for(_until(lambda: bool(fake.socket_acks)), 5)
    with pytest.raises(ValueError, match="envelope_type"):
        await fake.socket_request("hello", {})


async def test_disconnect_and_stop(fake: FakeSlack, session: aiohttp.ClientSession) -> None:
    socket = await session.ws_connect(await open_url(fake))
    await receive(socket)
    await fake.socket_connected()
    assert await fake.socket_disconnect("warning") == 1
    assert (await receive(socket))["reason"] == "warning"
    await fake.socket_connected(timeout=0.05)  # a warning leaves the connection in use
    assert await fake.socket_disconnect() == 1
    told = await receive(socket)
    assert told["type"] == "disconnect" and told["reason"] == "refresh_requested"
    with pytest.raises(AssertionError):  # told to go: no more envelopes on it
        await fake.socket_connected(timeout=0.05)
    await asyncio.wait_for(fake.stop(), 5)  # closes the socket rather than waiting on it
    closing = await socket.receive(timeout=5)
    assert closing.type in {aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED}
    await socket.close()


# -- the real slack_sdk client ---------------------------------------------------


async def test_slack_sdk_socket_mode_client_works_unchanged(fake: FakeSlack) -> None:
    web = AsyncWebClient(base_url=fake.api_url, retry_handlers=[])
    client = SocketModeClient(app_token=fake.app_token, web_client=web)

    async def answer(client: SocketModeClient, request: SocketModeRequest) -> None:
        payload = {"text": f"got {request.payload.get('text')}"}
        await client.send_socket_mode_response(SocketModeResponse(request.envelope_id, payload))

    client.socket_mode_request_listeners.append(answer)  # type: ignore[arg-type]
    try:
        await client.connect()  # type: ignore[no-untyped-call]
        await fake.socket_connected()
        ack = await fake.socket_request("slash_commands", {"text": "one"})
        assert ack["payload"] == {"text": "got one"}

        await fake.socket_disconnect()  # the client fetches a new URL and moves over
        await fake.wait_for("apps.connections.open", count=2)
        await fake.socket_connected()
        ack = await fake.socket_request("slash_commands", {"text": "two"})
        assert ack["payload"] == {"text": "got two"}
        await asyncio.wait_for(_until(lambda: fake.socket_connections == 1), 5)
    finally:
        await client.close()  # type: ignore[no-untyped-call]


# -- socket_payload ----------------------------------------------------------------


def test_socket_payload_unwraps_what_the_builders_make() -> None:
    kind, payload = socket_payload(*slash_command("help", channel_id="C1"))
    assert kind == "slash_commands"
    assert (payload["command"], payload["text"], payload["channel_id"]) == (
        "/incident",
        "help",
        "C1",
    )
    assert all(isinstance(value, str) for value in payload.values())

    kind, payload = socket_payload(*block_actions("role_take:scribe", "7"))
    assert kind == "interactive" and payload["type"] == "block_actions"
    assert payload["actions"][0]["action_id"] == "role_take:scribe"

    kind, payload = socket_payload(*view_submission("declare", {}))
    assert kind == "interactive" and payload["view"]["callback_id"] == "declare"

    kind, payload = socket_payload(*event_callback({"type": "app_mention", "text": "hi"}))
    assert kind == "events_api" and payload["event"]["text"] == "hi"

    with pytest.raises(ValueError, match="event_callback"):
        socket_payload(*url_verification("challenge"))
    assert json.loads(json.dumps(payload)) == payload


async def _until(condition: Callable[[], bool]) -> None:
    """Poll a condition the stand-in does not signal (sockets closing, acks arriving)."""
    while not condition():  # noqa: ASYNC110
        await asyncio.sleep(0.01)
