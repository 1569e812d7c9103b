"""FakeSlack as a server: auth, recording, wait_for, faults, response_url."""

from __future__ import annotations

import asyncio
import json

import aiohttp
import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_interval_calculators import FixedValueRetryIntervalCalculator
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from fakeslack import FakeSlack

# -- lifecycle and auth ------------------------------------------------------


async def test_api_url_is_a_base_for_method_names(fake: FakeSlack) -> None:
    assert fake.api_url.startswith("http://127.0.0.1:")
    assert fake.api_url.endswith("/api/")


async def test_auth_test_identifies_the_bot(client: AsyncWebClient, fake: FakeSlack) -> None:
    response = await client.auth_test()
    assert response["ok"] is True
    assert response["user_id"] == fake.bot_user_id == "UWARROOMBOT"
    assert response["team_id"] == "T0WARROOM"
    assert response["bot_id"].startswith("B")
    assert response["url"].startswith("https://")
    assert response["team"] and response["user"]


async def test_custom_identity() -> None:
    async with FakeSlack(token="xoxb-other", team_id="T1", bot_user_id="UBOT1") as other:
        client = AsyncWebClient(token="xoxb-other", base_url=other.api_url)
        response = await client.auth_test()
    assert (response["team_id"], response["user_id"]) == ("T1", "UBOT1")


async def test_missing_token_is_not_authed(fake: FakeSlack) -> None:
    with pytest.raises(SlackApiError) as raised:
        await AsyncWebClient(base_url=fake.api_url).auth_test()
    assert raised.value.response["error"] == "not_authed"


async def test_wrong_token_is_invalid_auth(fake: FakeSlack) -> None:
    with pytest.raises(SlackApiError) as raised:
        await AsyncWebClient(token="xoxb-wrong", base_url=fake.api_url).auth_test()
    assert raised.value.response["error"] == "invalid_auth"


async def test_token_in_form_body_is_accepted(fake: FakeSlack) -> None:
    async with (
        aiohttp.ClientSession() as session,
        session.post(fake.api_url + "auth.test", data={"token": fake.token}) as response,
    ):
        body = await response.json()
    assert body["ok"] is True
    assert "token" not in fake.calls[-1].args


async def test_unknown_method(client: AsyncWebClient) -> None:
    with pytest.raises(SlackApiError) as raised:
        await client.api_call("incidents.declare")
    assert raised.value.response["error"] == "unknown_method"


# -- recording ---------------------------------------------------------------


async def test_calls_are_recorded_with_args_status_and_timing(
    client: AsyncWebClient, fake: FakeSlack
) -> None:
    channel = fake.add_channel("ops", members=[fake.bot_user_id])
    await client.chat_postMessage(channel=channel, text="hello")
    [call] = fake.calls
    assert call.method == "chat.postMessage"
    assert call.args == {"channel": channel, "text": "hello"}
    assert call.status == 200 and call.ok
    assert call.response["ts"] == fake.messages(channel)[0]["ts"]
    assert call.started <= call.finished
    assert call.headers["Authorization"] == f"Bearer {fake.token}"


async def test_form_encoded_json_fields_are_decoded(
    client: AsyncWebClient, fake: FakeSlack
) -> None:
    channel = fake.add_channel("ops", members=[fake.bot_user_id])
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "*hi*"}}]
    await client.api_call(
        "chat.postMessage",
        data={"channel": channel, "text": "hi", "blocks": json.dumps(blocks)},
    )
    assert fake.calls[-1].args["blocks"] == blocks
    assert fake.messages(channel)[0]["blocks"] == blocks
    await client.conversations_invite(channel=channel, users=["U1", "U2"])
    assert fake.calls[-1].args["users"] == ["U1", "U2"]


async def test_calls_to_and_reset(client: AsyncWebClient, fake: FakeSlack) -> None:
    await client.auth_test()
    await client.users_info(user="U1")
    await client.auth_test()
    assert [c.method for c in fake.calls_to("auth.test")] == ["auth.test", "auth.test"]
    fake.reset_calls()
    assert fake.calls == []


async def test_wait_for_wakes_when_calls_arrive(client: AsyncWebClient, fake: FakeSlack) -> None:
    async def later() -> None:
        await client.auth_test()
        await client.auth_test()

    task = asyncio.create_task(later())
    calls = await fake.wait_for("auth.test", count=2, timeout=5)
    await task
    assert len(calls) == 2


async def test_wait_for_returns_at_once_when_already_there(
    client: AsyncWebClient, fake: FakeSlack
) -> None:
    await client.auth_test()
    assert len(await fake.wait_for("auth.test", timeout=0.01)) == 1


async def test_wait_for_timeout_lists_recorded_methods(
    client: AsyncWebClient, fake: FakeSlack
) -> None:
    await client.auth_test()
    with pytest.raises(AssertionError, match=r"chat\.postMessage.*auth\.test"):
        await fake.wait_for("chat.postMessage", timeout=0.01)


async def test_latency_is_added_to_every_call() -> None:
    async with FakeSlack(latency=0.02) as slow:
        await AsyncWebClient(token=slow.token, base_url=slow.api_url).auth_test()
        [call] = slow.calls
    assert call.finished - call.started >= 0.02


# -- faults ------------------------------------------------------------------


async def test_fail_answers_ok_false_then_recovers(client: AsyncWebClient, fake: FakeSlack) -> None:
    fake.fail("auth.test", "account_inactive")
    with pytest.raises(SlackApiError) as raised:
        await client.auth_test()
    assert raised.value.response.status_code == 200
    assert raised.value.response["error"] == "account_inactive"
    assert (await client.auth_test())["ok"] is True


async def test_fail_forever_until_cleared(client: AsyncWebClient, fake: FakeSlack) -> None:
    fake.fail("auth.test", "fatal_error", times=None)
    for _ in range(3):
        with pytest.raises(SlackApiError):
            await client.auth_test()
    fake.clear_faults()
    assert (await client.auth_test())["ok"] is True


async def test_faults_are_per_method(client: AsyncWebClient, fake: FakeSlack) -> None:
    fake.fail("users.info", "user_not_visible", times=2)
    assert (await client.auth_test())["ok"] is True
    with pytest.raises(SlackApiError):
        await client.users_info(user="U1")


async def test_rate_limit_answers_429_with_retry_after(
    client: AsyncWebClient, fake: FakeSlack
) -> None:
    fake.rate_limit("chat.postMessage", retry_after=7)
    with pytest.raises(SlackApiError) as raised:
        await client.chat_postMessage(channel="C1", text="x")
    assert raised.value.response.status_code == 429
    assert raised.value.response.headers["Retry-After"] == "7"
    assert raised.value.response["error"] == "ratelimited"


@pytest.mark.usefixtures("no_retry_jitter")
async def test_rate_limit_retry_handler_retries_then_succeeds(fake: FakeSlack) -> None:
    client = AsyncWebClient(
        token=fake.token,
        base_url=fake.api_url,
        retry_handlers=[AsyncRateLimitErrorRetryHandler(max_retry_count=3)],
    )
    fake.rate_limit("auth.test", retry_after=0, times=2)
    assert (await client.auth_test())["ok"] is True
    assert [c.status for c in fake.calls_to("auth.test")] == [429, 429, 200]


async def test_server_error_then_server_error_handler_recovers(fake: FakeSlack) -> None:
    handler = AsyncServerErrorRetryHandler(
        max_retry_count=1, interval_calculator=FixedValueRetryIntervalCalculator(0.0)
    )
    client = AsyncWebClient(token=fake.token, base_url=fake.api_url, retry_handlers=[handler])
    fake.server_error("auth.test", status=503)
    assert (await client.auth_test())["ok"] is True
    assert [c.status for c in fake.calls_to("auth.test")] == [503, 200]


async def test_server_error_without_retries_raises(client: AsyncWebClient, fake: FakeSlack) -> None:
    fake.server_error("auth.test", times=2)
    for _ in range(2):
        with pytest.raises(SlackApiError) as raised:
            await client.auth_test()
        assert raised.value.response.status_code == 500
    assert (await client.auth_test())["ok"] is True


# -- response_url ------------------------------------------------------------


async def test_response_url_posts_are_recorded(fake: FakeSlack) -> None:
    webhook = AsyncWebhookClient(fake.response_url("cmd-1"))
    response = await webhook.send(text="on it", response_type="ephemeral")
    assert response.status_code == 200
    [call] = await fake.wait_for("response_url")
    assert call.args == {"key": "cmd-1", "text": "on it", "response_type": "ephemeral"}


async def test_response_url_bound_to_a_message_edits_and_posts(fake: FakeSlack) -> None:
    channel = fake.add_channel("inc-1", members=[fake.bot_user_id, "U1"])
    ts = fake.add_message(channel, "Declare?", user=fake.bot_user_id)
    url = fake.response_url("act-1", channel_id=channel, message_ts=ts)
    webhook = AsyncWebhookClient(url)
    await webhook.send(text="Declared", replace_original=True)
    assert fake.message(channel, ts) is not None
    assert fake.message(channel, ts)["text"] == "Declared"  # type: ignore[index]
    await webhook.send(text="Everyone: incident declared", response_type="in_channel")
    assert [m["text"] for m in fake.messages(channel)] == [
        "Declared",
        "Everyone: incident declared",
    ]
    await webhook.send(delete_original=True)
    assert fake.message(channel, ts) is None


async def test_response_url_rejects_empty_bad_blocks_and_sixth_use(fake: FakeSlack) -> None:
    webhook = AsyncWebhookClient(fake.response_url("k"))
    assert (await webhook.send_dict({"response_type": "ephemeral"})).status_code == 400
    bad = [{"type": "header", "text": {"type": "mrkdwn", "text": "x"}}]
    assert (await webhook.send(blocks=bad)).status_code == 400
    for _ in range(3):
        assert (await webhook.send(text="ok")).status_code == 200
    assert (await webhook.send(text="too many")).status_code == 404
    assert [c.status for c in fake.calls_to("response_url")] == [400, 400, 200, 200, 200, 404]
