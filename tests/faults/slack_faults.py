"""Helpers for driving Warroom while the Slack stand-in fails a share of calls.

What a person was told is read off the stand-in: response_url posts, DMs and
ephemerals that Slack accepted. A reminder is what Slack shows in a channel.
"""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

from sqlalchemy import select

from fakeslack import FakeSlack, RandomFaults, RecordedCall
from tests.faults.reminder_texts import reminder_kind
from tests.harness import Clock, Harness, start_harness
from warroom.store import jobs
from warroom.store.models import DueJobRow

CLIENT_TIMEOUT_S = 1
HOLD_S = 1.5
"""The stand-in holds a timed-out call longer than Warroom's client waits for it."""


@contextlib.asynccontextmanager
async def faulty_harness(database_url: str, clock: Clock) -> AsyncIterator[Harness]:
    async with start_harness(database_url, clock, slack_timeout=CLIENT_TIMEOUT_S) as harness:
        harness.slack.hold_s = HOLD_S
        yield harness


def fail_randomly(harness: Harness, seed: int, *, share: float = 0.3, **options: Any) -> None:
    harness.slack.fail_randomly(RandomFaults(share=share, seed=seed, **options))


def _private_attempts(slack: FakeSlack, user: str, since: int) -> list[RecordedCall]:
    """Every try to reach `user` privately since call number `since`, failed or not."""
    attempts = []
    for call in slack.calls[since:]:
        if (
            call.method == "response_url"
            or (call.method == "chat.postMessage" and call.args.get("channel") == user)
            or (call.method == "chat.postEphemeral" and call.args.get("user") == user)
        ):
            attempts.append(call)
    return attempts


def told(slack: FakeSlack, user: str, since: int) -> list[str]:
    """What `user` was shown privately since call number `since` (Slack accepted it)."""
    return [
        str(call.args.get("text", ""))
        for call in _private_attempts(slack, user, since)
        if call.fault is None and call.status == 200
    ]


def could_not_tell(slack: FakeSlack, user: str, since: int) -> bool:
    """Warroom tried to reach `user` and Slack failed every one of those tries."""
    attempts = _private_attempts(slack, user, since)
    return bool(attempts) and all(call.fault is not None for call in attempts)


def reminders_shown(slack: FakeSlack) -> Counter[tuple[str, str]]:
    """(incident reference, reminder kind) → how many such messages Slack shows."""
    shown: Counter[tuple[str, str]] = Counter()
    for channel in slack.channels():
        for message in slack.messages(channel.id):
            if found := reminder_kind(message.get("text", "")):
                shown[found] += 1
    return shown


async def pending_jobs(harness: Harness, incident_id: int) -> list[jobs.Job]:
    async with harness.runtime.store.transaction() as session:
        return await jobs.pending(session, incident_id)


async def failed_jobs(harness: Harness) -> list[tuple[int | None, str, str | None]]:
    """(incident id, kind, last error) of each job the scheduler gave up on."""
    async with harness.runtime.store.transaction() as session:
        rows = await session.execute(
            select(DueJobRow.incident_id, DueJobRow.kind, DueJobRow.last_error).where(
                DueJobRow.state == jobs.FAILED
            )
        )
        return [(incident_id, kind, error) for incident_id, kind, error in rows]
