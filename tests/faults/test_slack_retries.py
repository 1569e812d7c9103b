"""Slack retries: every request kind delivered again with `X-Slack-Retry-Num` doubles nothing.

Slack re-sends a request when it did not get a 200 in time: the same body (same
trigger_id, view id and hash, event_id), marked `X-Slack-Retry-Num: 1`, then 2,
with an `X-Slack-Retry-Reason`. For each kind in `CASES`:

- answered: the first delivery worked; two retries change no row and make no
  Slack call (no incident, channel, entry, update, job, item, message or reply);
- unanswered, failed: the database refused the first delivery's writes (Slack got a 5xx or
  the form's error); the first retry does exactly what a normal delivery does, in
  another war room, and the second retry nothing;
- unanswered, racing: the first retry arrives while the first delivery is still being
  handled (Slack gave up waiting); between them they do the work once.

"Once" is measured against a clean delivery of the same kind in a second war room.
The three are one test per kind, on one Warroom and Slack stand-in, each part in a
war room of its own (starting Warroom per part cost more than the part). The test
is about delivery claims and concurrent handlers, so it runs on both databases.
"""

from __future__ import annotations

import asyncio
import json

import pytest

from tests.faults.db_faults import writes_fail
from tests.faults.retry_cases import CASES, Case
from tests.faults.retry_scene import Effect, Request, Scene, effect, kind_of, rows
from tests.harness import Harness

RETRIES = ((1, "http_timeout", 1), (2, "http_error", 5))
"""(X-Slack-Retry-Num, X-Slack-Retry-Reason, minutes later): Slack retries at once,
then after a minute, then after five."""

FAMILIES = {case.kind[0] for case in CASES}
FAST = {next(case.id for case in CASES if case.kind[0] == family) for family in FAMILIES}
"""The first kind of each family (command, block_actions, view_submission, message_action,
event) stays in the fast lane; the rest of the matrix is `slow`."""
cases = pytest.mark.parametrize(
    "case",
    [pytest.param(c, id=c.id, marks=[] if c.id in FAST else [pytest.mark.slow]) for c in CASES],
)


async def deliver(
    harness: Harness, *requests: tuple[Request, int | None]
) -> tuple[list[tuple[int, str]], Effect]:
    """Post the requests at once (each with its retry number), wait for what they set off;
    their answers, and what they changed together."""
    before, calls = await rows(harness), len(harness.slack.calls)
    answers = await asyncio.gather(
        *(
            harness.post(*request, retry_num=num, retry_reason=_reason(num))
            for request, num in requests
        )
    )
    await harness.settle()
    return list(answers), effect(before, await rows(harness), harness.slack.calls[calls:])


def _reason(num: int | None) -> str:
    return next((reason for n, reason, _ in RETRIES if n == num), "http_timeout")


async def first_delivery_answered(harness: Harness, case: Case) -> None:
    """The first delivery of `case` in this workspace works; Slack's two retries of it
    change nothing."""
    request = await case.prepare(Scene(harness))
    assert kind_of(request) == case.kind
    [(status, _)], _ = await deliver(harness, (request, None))
    assert status == 200
    await retried(harness, request)


async def clean_delivery(harness: Harness, case: Case) -> Effect:
    """What one delivery of `case` does in a war room of its own. The first one of a kind
    in a workspace may do more (join the broadcast channel, start the team's numbering),
    so this is measured on a later one."""
    request = await case.prepare(Scene(harness))
    assert kind_of(request) == case.kind
    [(status, _)], done = await deliver(harness, (request, None))
    assert status == 200
    return done


async def retried(harness: Harness, request: Request, *, after: int = 0) -> None:
    """Slack's retries from number `after + 1` on: each answered 200 and changing nothing."""
    for num, reason, minutes in RETRIES:
        if num <= after:
            continue
        harness.clock.advance(minutes=minutes)
        [(status, text)], done = await deliver(harness, (request, num))
        assert done.nothing, f"retry {num} ({reason}) did it again: {done}"
        assert (status, text) == (200, ""), f"retry {num} ({reason}) answered {status} {text!r}"


def refused(status: int, text: str) -> bool:
    """Slack will retry (a 5xx), or the user sees the form's error and submits again."""
    return status >= 500 or (text.startswith("{") and "errors" in json.loads(text).values())


@pytest.mark.both_databases
@cases
async def test_retries_of_answered_and_unanswered_deliveries_do_the_work_once(
    harness: Harness, case: Case
) -> None:
    await first_delivery_answered(harness, case)
    once = await clean_delivery(harness, case)

    # The database refused the first delivery's writes.
    request = await case.prepare(Scene(harness))
    async with writes_fail(harness.runtime.store, spare=["processed_requests"]):
        [(status, text)], first = await deliver(harness, (request, None))
    if refused(status, text):
        assert first.nothing, f"a refused delivery left {first}"
        [(status, text)], done = await deliver(harness, (request, 1))
        assert status == 200 and not refused(status, text), (status, text)
        assert done == once, "the retry of a refused delivery did not do the work once"
        await retried(harness, request, after=1)
    else:
        await retried(harness, request)  # answered 200: Slack will not retry; nothing to redo

    # Slack stopped waiting for the first delivery and retried while it still ran.
    request = await case.prepare(Scene(harness))
    answers, done = await deliver(harness, (request, None), (request, 1))
    assert [status for status, _ in answers] == [200, 200]
    assert done == once, "a delivery and its retry, side by side, did not do the work once"
    await retried(harness, request, after=1)
