"""Slack→app request builders: shapes match Slack's samples and Bolt accepts them."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest
import pytest_asyncio
from aiohttp import web
from slack_bolt.app.async_app import AsyncApp
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient

from fakeslack import (
    FakeSlack,
    SlackSender,
    block_actions,
    event_callback,
    new_trigger_id,
    sign,
    slash_command,
    url_verification,
    view_submission,
)

SAMPLES = Path("/work/shared/slack/samples")
SECRET = "test-signing-secret"


def sample(name: str) -> dict[str, Any]:
    path = SAMPLES / name
    if not path.exists():
        pytest.skip(f"Slack samples not available at {path}")
    data: dict[str, Any] = json.loads(path.read_text())
    return data


def form(body: bytes) -> dict[str, str]:
    return {
        key: values[0] for key, values in parse_qs(body.decode(), keep_blank_values=True).items()
    }


def payload(body: bytes) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(form(body)["payload"])
    return data


# -- signing ------------------------------------------------------------------


def test_sign_matches_slacks_documented_example() -> None:
    body = (
        b"token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow"
        b"&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner"
        b"&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2F"
        b"commands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN"
        b"&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
    )
    headers = sign("8f742231b10e8888abcd99yyyzzz85a5", body, 1531420618)
    assert headers == {
        "X-Slack-Request-Timestamp": "1531420618",
        "X-Slack-Signature": "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503",
    }


def test_sign_is_what_slack_sdk_verifies() -> None:
    body, _ = slash_command("declare db is down")
    now = int(time.time())
    headers = sign(SECRET, body, now)
    verifier = SignatureVerifier(SECRET)
    assert verifier.is_valid(
        body, headers["X-Slack-Request-Timestamp"], headers["X-Slack-Signature"]
    )
    assert not verifier.is_valid(body + b"x", str(now), headers["X-Slack-Signature"])


# -- shapes -------------------------------------------------------------------


def test_slash_command_sends_every_field_slack_sends() -> None:
    body, content_type = slash_command(
        "declare SEV1 db down", user_id="U1", channel_id="C1", response_url="https://r/1"
    )
    assert content_type == "application/x-www-form-urlencoded"
    fields = form(body)
    expected = set(sample("app-backend/SlashCommandPayload.json")) - {
        "enterprise_id",
        "enterprise_name",
    }
    assert set(fields) == expected
    assert fields["command"] == "/incident" and fields["text"] == "declare SEV1 db down"
    assert (fields["user_id"], fields["channel_id"]) == ("U1", "C1")
    assert fields["response_url"] == "https://r/1"
    assert fields["trigger_id"].count(".") == 2


def test_trigger_ids_have_slacks_shape_and_are_unique() -> None:
    first, second = new_trigger_id(), new_trigger_id()
    assert first != second
    a, b, c = first.split(".")
    assert a.isdigit() and b.isdigit() and int(c, 16) >= 0


def test_block_actions_button_in_a_message() -> None:
    body, content_type = block_actions(
        "incident_ack", "42", user_id="U1", channel_id="C1", message_ts="1.000100", block_id="b"
    )
    assert content_type == "application/x-www-form-urlencoded"
    data = payload(body)
    reference = sample("app-backend/BlockActionPayload.json")
    assert set(data) <= set(reference)
    assert data["type"] == "block_actions"
    assert data["container"] == {
        "type": "message",
        "message_ts": "1.000100",
        "channel_id": "C1",
        "is_ephemeral": False,
    }
    assert data["channel"]["id"] == "C1" and data["message"]["ts"] == "1.000100"
    assert data["response_url"].startswith("https://hooks.slack.com/actions/")
    [action] = data["actions"]
    assert set(action) <= set(reference["actions"][0])
    assert (action["action_id"], action["value"], action["type"]) == (
        "incident_ack",
        "42",
        "button",
    )


def test_block_actions_selects_and_modal_container() -> None:
    select = payload(block_actions("sev", "sev1", action_type="static_select")[0])
    assert select["actions"][0]["selected_option"]["value"] == "sev1"
    user = payload(block_actions("ic", None, action_type="users_select", selected_user="U9")[0])
    assert user["actions"][0]["selected_user"] == "U9"
    in_modal = payload(block_actions("add", "x", view={"id": "V1", "type": "modal"})[0])
    assert in_modal["container"] == {"type": "view", "view_id": "V1"}
    assert "response_url" not in in_modal and in_modal["view"]["id"] == "V1"


def test_view_submission_shape() -> None:
    values = {"title": {"value": {"type": "plain_text_input", "value": "DB down"}}}
    body, _ = view_submission("declare", values, user_id="U1", private_metadata='{"c":"C1"}')
    data = payload(body)
    reference = sample("app-backend/ViewSubmissionPayload.json")
    assert set(data) <= set(reference) | {"response_urls"}
    assert set(data["view"]) <= set(reference["view"]) | {"blocks"}
    assert data["view"]["callback_id"] == "declare"
    assert data["view"]["state"] == {"values": values}
    assert data["view"]["private_metadata"] == '{"c":"C1"}'
    assert data["user"]["id"] == "U1"


def test_event_callback_shape() -> None:
    event = {"type": "reaction_added", "user": "U1", "reaction": "eyes"}
    body, content_type = event_callback(event, event_id="Ev1", event_time=123)
    assert content_type == "application/json"
    data = json.loads(body)
    reference = sample("events/ReactionAddedPayload.json")
    assert set(data) <= set(reference) | {"context_team_id", "context_enterprise_id"}
    assert (data["type"], data["event_id"], data["event_time"]) == ("event_callback", "Ev1", 123)
    assert data["event"]["reaction"] == "eyes" and data["event"]["event_ts"]
    assert data["authorizations"][0]["is_bot"] is True
    assert json.loads(url_verification("c0ffee")[0])["challenge"] == "c0ffee"


# -- through Bolt ---------------------------------------------------------------


@pytest_asyncio.fixture
async def bolt(fake: FakeSlack) -> AsyncIterator[tuple[str, dict[str, Any]]]:
    seen: dict[str, Any] = {"event_seen": asyncio.Event()}
    app = AsyncApp(
        client=AsyncWebClient(token=fake.token, base_url=fake.api_url),
        signing_secret=SECRET,
    )

    @app.command("/incident")
    async def command(ack: Any, body: dict[str, Any], respond: Any, client: Any) -> None:
        await ack()
        seen["command"] = body
        await respond(text="Declaring…")
        await client.views_open(
            trigger_id=body["trigger_id"],
            view={
                "type": "modal",
                "title": {"type": "plain_text", "text": "Declare"},
                "blocks": [],
            },
        )

    @app.action("incident_ack")
    async def action(ack: Any, body: dict[str, Any]) -> None:
        await ack()
        seen["action"] = body

    @app.view("declare")
    async def submission(ack: Any, view: dict[str, Any]) -> None:
        await ack()
        seen["view"] = view

    @app.event("reaction_added")
    async def reaction(event: dict[str, Any], request: Any) -> None:
        seen["event"] = event
        seen["retry"] = (
            request.headers.get("x-slack-retry-num"),
            request.headers.get("x-slack-retry-reason"),
        )
        seen["event_seen"].set()

    runner = web.AppRunner(app.web_app())
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    try:
        yield f"http://{host}:{port}/slack/events", seen
    finally:
        await runner.cleanup()


async def test_bolt_accepts_every_builder(
    bolt: tuple[str, dict[str, Any]], fake: FakeSlack
) -> None:
    url, seen = bolt
    async with SlackSender() as sender:
        command = slash_command("declare", response_url=fake.response_url("cmd"))
        assert (await sender.post(url, *command, signing_secret=SECRET))[0] == 200
        await fake.wait_for("views.open")
        assert fake.calls_to("views.open")[0].ok
        [reply] = await fake.wait_for("response_url")
        assert reply.args["text"] == "Declaring…"

        clicked = block_actions("incident_ack", "7", channel_id="C1", message_ts="1.000001")
        assert (await sender.post(url, *clicked, signing_secret=SECRET))[0] == 200
        assert seen["action"]["actions"][0]["value"] == "7"

        values = {"t": {"v": {"type": "plain_text_input", "value": "DB"}}}
        submitted = view_submission("declare", values)
        assert (await sender.post(url, *submitted, signing_secret=SECRET))[0] == 200
        assert seen["view"]["state"]["values"] == values

        event = event_callback({"type": "reaction_added", "user": "U1", "reaction": "eyes"})
        status, _ = await sender.post(url, *event, signing_secret=SECRET, retry_num=1)
        assert status == 200
        await asyncio.wait_for(seen["event_seen"].wait(), 5)
    assert seen["command"]["text"] == "declare"
    assert seen["event"]["reaction"] == "eyes"
    assert seen["retry"] == (["1"], ["http_timeout"])


async def test_bolt_rejects_bad_or_stale_signatures(bolt: tuple[str, dict[str, Any]]) -> None:
    url, seen = bolt
    body = slash_command("declare")
    async with SlackSender() as sender:
        forged = await sender.post(url, *body, signing_secret=SECRET, signature="v0=00")
        stale = await sender.post(
            url, *body, signing_secret=SECRET, timestamp=int(time.time()) - 301
        )
        wrong = await sender.post(url, *body, signing_secret="not-the-secret")
    assert [forged[0], stale[0], wrong[0]] == [401, 401, 401]
    assert "command" not in seen


async def test_sender_headers() -> None:
    received: list[tuple[dict[str, str], bytes]] = []

    async def echo(request: web.Request) -> web.Response:
        received.append((dict(request.headers), await request.read()))
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_post("/", echo)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    host, port = runner.addresses[0][:2]
    body = event_callback({"type": "app_mention", "text": "hi"})
    try:
        async with SlackSender() as sender:
            status, text = await sender.post(
                f"http://{host}:{port}/", *body, signing_secret=SECRET, timestamp=1700000000
            )
            await sender.post(
                f"http://{host}:{port}/",
                *body,
                signing_secret=SECRET,
                retry_num=2,
                retry_reason="http_error",
            )
    finally:
        await runner.cleanup()
    assert (status, text) == (200, "ok")
    (first, sent), (second, _) = received
    assert sent == body[0]
    assert first["Content-Type"] == "application/json"
    assert first["User-Agent"].startswith("Slackbot 1.0")
    assert first["X-Slack-Request-Timestamp"] == "1700000000"
    assert first["X-Slack-Signature"] == sign(SECRET, sent, 1700000000)["X-Slack-Signature"]
    assert "X-Slack-Retry-Num" not in first
    assert (second["X-Slack-Retry-Num"], second["X-Slack-Retry-Reason"]) == ("2", "http_error")
