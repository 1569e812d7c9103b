"""The fault mode: a seeded random share of calls fails, each failure recorded on its call."""

from __future__ import annotations

import aiohttp
import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from fakeslack import FakeSlack
from fakeslack.faults import COMMON_ERRORS, KINDS, METHOD_ERRORS, RandomFaults


async def _answers(
    client: AsyncWebClient, calls: int, method: str = "auth.test"
) -> list[tuple[str, object]]:
    seen: list[tuple[str, object]] = []
    for _ in range(calls):
        try:
            await client.api_call(method)
            seen.append(("ok", 200))
        except SlackApiError as exc:
            seen.append((str(exc.response["error"]), exc.response.status_code))
        except (aiohttp.ClientError, TimeoutError) as exc:
            seen.append((type(exc).__name__, 0))
    return seen


HOLD_S = 1.0
CLIENT_TIMEOUT_S = 0.5
"""The client gives up after 0.5 s and a held call answers after 1 s: a call that is
not held is answered well inside 0.5 s even on a busy machine (with 0.1 s, a call could
time out before the stand-in had read it, and go unrecorded)."""


def _failing(fake: FakeSlack, faults: RandomFaults) -> AsyncWebClient:
    """A client without retries against `fake`, which now fails as `faults` say."""
    fake.hold_s = HOLD_S
    fake.fail_randomly(faults)
    return AsyncWebClient(
        token=fake.token, base_url=fake.api_url, retry_handlers=[], timeout=CLIENT_TIMEOUT_S
    )


async def _run(seed: int) -> tuple[list[tuple[str, object]], list[str]]:
    async with FakeSlack() as fake:
        client = _failing(fake, RandomFaults(share=0.5, seed=seed))
        seen = await _answers(client, 40)
        return seen, [str(call.fault) for call in fake.calls]


async def test_a_seed_fails_the_same_calls_the_same_way_every_run() -> None:
    first, recorded = await _run(seed=3)
    again, recorded_again = await _run(seed=3)
    other, _ = await _run(seed=4)
    assert first == again and recorded == recorded_again
    assert first != other
    failed = [answer for answer in first if answer != ("ok", 200)]
    assert 10 <= len(failed) <= 30, first


async def test_every_kind_looks_like_slack_and_is_recorded() -> None:
    async with FakeSlack() as fake:
        client = _failing(fake, RandomFaults(share=1.0, seed=1))
        seen = await _answers(client, 60, "chat.postMessage")
        assert len(fake.faulted_calls()) == 60 == len(fake.calls)
        kinds = {call.fault.kind for call in fake.calls if call.fault is not None}
        assert kinds == set(KINDS)
        documented = {*COMMON_ERRORS, *METHOD_ERRORS["chat.postMessage"]}
        for call, (answer, status) in zip(fake.calls, seen, strict=True):
            fault = call.fault
            assert fault is not None
            if fault.kind == "rate_limit":
                assert (answer, status) == ("ratelimited", 429)
                assert fault.retry_after in (0, 1)
            elif fault.kind == "server_error":
                assert status in (500, 503)
            elif fault.kind == "error":
                assert status == 200 and answer == fault.error and answer in documented
            elif fault.kind == "timeout":
                assert answer == "TimeoutError"
            else:
                assert answer == "ServerDisconnectedError"


async def test_only_the_chosen_methods_fail_and_clearing_stops_it() -> None:
    async with FakeSlack() as fake:
        fake.fail_randomly(
            RandomFaults(share=1.0, seed=2, methods={"users.info"}, kinds=("error",))
        )
        client = AsyncWebClient(token=fake.token, base_url=fake.api_url, retry_handlers=[])
        assert await _answers(client, 3) == [("ok", 200)] * 3
        assert all(answer != "ok" for answer, _ in await _answers(client, 3, "users.info"))
        fake.clear_faults()
        await _answers(client, 2, "users.info")
        assert len(fake.faulted_calls()) == 3 and len(fake.calls) == 8


async def test_transient_only_errors_when_permanent_is_off() -> None:
    faults = RandomFaults(share=1.0, seed=5, kinds=("error",), permanent=False)
    errors = {fault.error for fault in (faults.draw("pins.add") for _ in range(200)) if fault}
    assert errors == {*COMMON_ERRORS, "request_timeout"}


async def test_response_url_posts_fail_too_and_are_not_carried_out() -> None:
    async with FakeSlack() as fake:
        channel = fake.add_channel("room")
        url = fake.response_url("r1", channel_id=channel)
        fake.fail_randomly(RandomFaults(share=1.0, seed=9, kinds=("error", "server_error")))
        async with aiohttp.ClientSession() as session:
            for _ in range(4):
                payload = {"text": "hi", "response_type": "in_channel"}
                async with session.post(url, json=payload) as response:
                    assert response.status in (404, 500, 503)
        assert fake.messages(channel) == []
        calls = fake.calls_to("response_url")
        assert [call.args["text"] for call in calls] == ["hi"] * 4
        assert all(call.fault is not None for call in calls)


def test_a_share_outside_zero_to_one_or_an_unknown_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="share"):
        RandomFaults(share=1.5, seed=1)
    with pytest.raises(ValueError, match="kinds"):
        RandomFaults(share=0.5, seed=1, kinds=("meteor",))
