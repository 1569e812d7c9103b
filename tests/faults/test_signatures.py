"""Requests Slack did not sign (or signed for another time or body) are refused with 401
and change nothing: no row in the store, no call to Slack.

Each kind of request is one Warroom would act on if it were genuine: a typed note
in a war room (command), Take IC on the card (interaction), a message in the room
(event).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import aiohttp
import pytest
from sqlalchemy import select

from fakeslack import block_actions, event_callback, sign, slash_command
from tests.harness import SIGNING_SECRET, TEAM_ID, Harness
from tests.timeline.room import ALICE, Room
from warroom.demo.slack.sender import USER_AGENT
from warroom.domain.incident import Incident
from warroom.store.models import (
    DueJobRow,
    IncidentRow,
    ProcessedRequestRow,
    RoleAssignmentRow,
    TimelineEntryRow,
)

Request = tuple[bytes, str]
WINDOW_S = 5 * 60
TABLES = (IncidentRow, TimelineEntryRow, ProcessedRequestRow, DueJobRow, RoleAssignmentRow)


def _command(harness: Harness, incident: Incident) -> Request:
    return slash_command(
        "note unsigned words",
        user_id=ALICE,
        team_id=TEAM_ID,
        channel_id=incident.channel_id or "",
        response_url=harness.new_response_url(),
    )


def _interaction(harness: Harness, incident: Incident) -> Request:
    card = harness.card(incident)
    return block_actions(
        "role_take:commander",
        str(incident.id),
        user_id=ALICE,
        team_id=TEAM_ID,
        channel_id=incident.channel_id or "",
        message_ts=incident.card_ts or "",
        block_id="roles",
        message=card,
        response_url=harness.new_response_url(),
    )


def _event(harness: Harness, incident: Incident) -> Request:
    return event_callback(Room(harness, incident).message("an unsigned message"))


KINDS: dict[str, Callable[[Harness, Incident], Request]] = {
    "command": _command,
    "interaction": _interaction,
    "event": _event,
}


def _headers(content_type: str, **extra: str) -> dict[str, str]:
    return {"Content-Type": content_type, "User-Agent": USER_AGENT, **extra}


def forged(body: bytes, content_type: str) -> dict[str, tuple[bytes, dict[str, str]]]:
    """Each way a request can fail Slack's v0 check: (body sent, headers sent)."""
    now = int(time.time())
    good = sign(SIGNING_SECRET, body, now)
    stale_at = now - WINDOW_S - 60
    stale = sign(SIGNING_SECRET, body, stale_at)
    other = sign(SIGNING_SECRET, body + b"&extra=1", now)
    wrong = sign("not-the-signing-secret-at-all!!!", body, now)
    return {
        "missing headers": (body, _headers(content_type)),
        "missing signature": (
            body,
            _headers(content_type, **{"X-Slack-Request-Timestamp": str(now)}),
        ),
        "missing timestamp": (
            body,
            _headers(content_type, **{"X-Slack-Signature": good["X-Slack-Signature"]}),
        ),
        "wrong secret": (body, _headers(content_type, **wrong)),
        "stale timestamp": (body, _headers(content_type, **stale)),
        "future timestamp": (
            body,
            _headers(content_type, **sign(SIGNING_SECRET, body, now + WINDOW_S + 60)),
        ),
        "v1 prefix": (
            body,
            _headers(
                content_type,
                **{**good, "X-Slack-Signature": good["X-Slack-Signature"].replace("v0=", "v1=")},
            ),
        ),
        "non-numeric timestamp": (
            body,
            _headers(
                content_type,
                **{**good, "X-Slack-Request-Timestamp": "yesterday"},
            ),
        ),
        "signed another body": (body, _headers(content_type, **other)),
        "garbage signature": (
            body,
            _headers(content_type, **{**good, "X-Slack-Signature": "v0=" + "0" * 64}),
        ),
    }


async def _snapshot(harness: Harness) -> dict[str, list[Any]]:
    async with harness.runtime.store.transaction() as session:
        return {
            model.__tablename__: [
                sorted(vars(row).items(), key=lambda kv: kv[0])[1:]
                for row in (await session.execute(select(model))).scalars()
            ]
            for model in TABLES
        }


async def _post_raw(harness: Harness, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
    async with (
        aiohttp.ClientSession() as session,
        session.post(harness.url, data=body, headers=headers) as response,
    ):
        return response.status, await response.text()


async def _unchanged_after(
    harness: Harness, attempts: dict[str, tuple[bytes, dict[str, str]]]
) -> None:
    await harness.settle()
    before, calls = await _snapshot(harness), len(harness.slack.calls)
    for case, (body, headers) in attempts.items():
        status, text = await _post_raw(harness, body, headers)
        assert status == 401, (case, status, text)
    await harness.settle()
    assert await _snapshot(harness) == before
    assert harness.slack.calls[calls:] == []


@pytest.mark.parametrize("kind", list(KINDS))
async def test_unsigned_or_misigned_requests_get_401_and_change_nothing(
    harness: Harness, kind: str
) -> None:
    incident = await harness.declare()
    body, content_type = KINDS[kind](harness, incident)
    await _unchanged_after(harness, forged(body, content_type))
    status, _ = await harness.post(body, content_type)
    assert status == 200, "the same request, signed, is taken (so the 401s were the signature)"
    await harness.settle()
    assert len(await harness.timeline(incident.id)) > 1


async def test_a_captured_request_replayed_after_the_window_is_refused(harness: Harness) -> None:
    """Sent genuinely 298 s after signing, then replayed byte for byte once 5 min have passed."""
    incident = await harness.declare()
    signed_at = int(time.time()) - WINDOW_S + 2
    captured: dict[str, tuple[bytes, dict[str, str]]] = {}
    for kind, build in KINDS.items():
        body, content_type = build(harness, incident)
        headers = _headers(content_type, **sign(SIGNING_SECRET, body, signed_at))
        captured[kind] = (body, headers)
        status, text = await _post_raw(harness, body, headers)
        assert status == 200, (kind, status, text)
    await asyncio.sleep(max(0.0, signed_at + WINDOW_S + 1.1 - time.time()))
    await _unchanged_after(harness, captured)
