"""Alerts in, end to end: Alertmanager's captured requests posted over HTTP to the real
app, the triage card in the Slack stand-in, and a person's choice on it."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from fakeslack import block_actions
from tests.harness import REPORTER, TEAM_ID, Clock, Harness, start_harness

CAPTURED = Path(__file__).parent / "data" / "alerts" / "alertmanager-0.25.0-captured"
TOKEN = "am-token-for-tests"


@pytest.fixture
async def harness(database_url: str, clock: Clock) -> AsyncIterator[Harness]:
    async with start_harness(database_url, clock, alertmanager_token=TOKEN) as running:
        yield running


async def _send(harness: Harness, name: str, token: str = TOKEN) -> tuple[int, dict[str, Any]]:
    url = harness.url.removesuffix("/slack/events") + "/alerts/alertmanager"
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    async with (
        aiohttp.ClientSession() as http,
        http.post(url, data=(CAPTURED / name).read_bytes(), headers=headers) as response,
    ):
        return response.status, await response.json()


def _cards(harness: Harness) -> list[dict[str, Any]]:
    return [
        m
        for m in harness.slack.messages(harness.broadcast_channel)
        if any(str(b.get("block_id", "")).startswith("alert_card:") for b in m.get("blocks", []))
    ]


async def _click(harness: Harness, card: dict[str, Any], action_id: str) -> None:
    for block in card["blocks"]:
        for element in block.get("elements", []):
            if element.get("action_id") == action_id:
                body, content_type = block_actions(
                    action_id,
                    element.get("value"),
                    user_id=REPORTER,
                    team_id=TEAM_ID,
                    channel_id=harness.broadcast_channel,
                    message_ts=card["ts"],
                    block_id=block["block_id"],
                    action_type=element["type"],
                    message=card,
                    response_url=harness.new_response_url(),
                )
                status, _ = await harness.post(body, content_type)
                assert status == 200
                return
    raise AssertionError(f"no {action_id} on the card")


@pytest.mark.both_databases
async def test_alertmanager_to_a_triage_card_and_dismissed(harness: Harness) -> None:
    status, answer = await _send(harness, "02-firing-grouped-3-alerts.json")
    assert (status, answer) == (200, {"ok": True, "alerts": 3, "duplicate": False})
    status, answer = await _send(harness, "02-firing-grouped-3-alerts.json")
    assert answer["duplicate"] is True
    await harness.settle()
    await harness.tick()
    (card,) = _cards(harness)
    assert "3 firing" in card["text"]
    await _click(harness, card, "alert_dismiss")
    await harness.settle()
    (card,) = _cards(harness)
    assert f"Dismissed (by <@{REPORTER}>)" in json.dumps(card["blocks"])
    assert not [b for b in card["blocks"] if b["type"] == "actions"]


async def test_a_wrong_token_is_refused_before_anything_is_stored(harness: Harness) -> None:
    status, _ = await _send(harness, "01-firing-single.json", token="nope")
    assert status == 401
    await harness.settle()
    await harness.tick()
    assert _cards(harness) == []
