"""One person cannot stall everyone: `/incident postmortem` on a long incident.

Requests for a draft are answered at once and coalesce: five at once, or one
right after resolving, make one draft. The draft reads a page at a time and
renders on a worker thread, so Warroom keeps answering meanwhile (measured by
`bench/healthz_during_postmortem.py`, never timed here).
"""

from __future__ import annotations

import asyncio
import threading
import time
from datetime import timedelta
from typing import Any

import aiohttp
import pytest
from sqlalchemy import insert

from tests.harness import Harness
from tests.test_lifecycle import resolve
from tests.test_postmortem_flow import stored, summaries
from warroom.domain.incident import Incident
from warroom.domain.postmortem import PostmortemInput
from warroom.services import postmortems
from warroom.store import jobs, postmortem_reads
from warroom.store.models import TimelineEntryRow

JOINED = "already on its way"
STARTED = "Drafting the postmortem"


def shared(harness: Harness) -> int:
    return len([c for c in harness.slack.calls_to("files.completeUploadExternal") if c.ok])


async def at_once(harness: Harness, incident: Incident, count: int) -> list[tuple[int, str]]:
    """`count` signed `/incident postmortem` requests sent together; each answer's ack
    time is printed (Slack wants one within 3 s), never asserted."""

    async def one() -> tuple[int, str, float]:
        started = time.perf_counter()
        status, body = await harness.command("postmortem", channel=incident.channel_id)
        return status, body, (time.perf_counter() - started) * 1000

    answers = await asyncio.gather(*(one() for _ in range(count)))
    print("ack ms:", [round(ms, 1) for _, _, ms in answers])
    return [(status, body) for status, body, _ in answers]


@pytest.mark.both_databases
async def test_five_requests_at_once_post_one_draft(harness: Harness) -> None:
    incident = await harness.declare()
    await resolve(harness, incident, "Rolled back")
    await harness.tick()
    room = incident.channel_id or ""
    assert len(summaries(harness, room)) == 1
    await harness.command("note support confirms recovery", channel=room)
    await harness.settle()
    files = shared(harness)
    harness.slack.stalls.arm("chat.postMessage")  # the draft's post waits: all five meet it

    answers = await at_once(harness, incident, 5)

    assert {status for status, _ in answers} == {200}
    assert sum(STARTED in body for _, body in answers) == 1
    assert sum(JOINED in body for _, body in answers) == 4
    harness.slack.stalls.release()
    await harness.settle()
    assert len(summaries(harness, room)) == 2
    assert shared(harness) == files + 1
    assert "support confirms recovery" in (await stored(harness, incident.id)).markdown
    assert (await harness.tick()).claimed == 0


async def test_requests_right_after_resolving_join_its_draft(harness: Harness) -> None:
    incident = await harness.declare()
    await resolve(harness, incident, "Rolled back")  # queues the draft; no tick yet

    answers = await at_once(harness, incident, 5)

    assert answers == [(200, answers[0][1])] * 5 and JOINED in answers[0][1]
    await harness.settle()  # one of them runs it now rather than at the next tick
    assert len(summaries(harness, incident.channel_id or "")) == 1
    assert shared(harness) == 1
    assert (await harness.tick()).claimed == 0


async def test_a_draft_resolving_replaced_is_not_posted(harness: Harness) -> None:
    """A draft asked for before resolving, still being written when the incident is
    resolved, gives way to the one resolving queues (which has the resolution)."""
    incident = await harness.declare()
    runtime = harness.runtime
    request = await runtime.postmortems.request(incident.id)
    async with runtime.store.transaction() as session:
        job = await jobs.claim_one(
            session, request.job_id, now=harness.clock(), lease=timedelta(minutes=2)
        )
    assert job is not None
    await resolve(harness, incident, "Rolled back the pool change")

    await runtime.postmortems.on_job(job)  # the old draft finishes writing
    assert summaries(harness, incident.channel_id or "") == []

    await harness.tick()
    (summary,) = summaries(harness, incident.channel_id or "")
    assert "Rolled back the pool change" in str(summary["blocks"])


async def add_entries(harness: Harness, incident: Incident, count: int) -> None:
    """`count` highlighted messages, written straight to the store (a long incident)."""
    now = harness.clock()
    rows = [
        {
            "incident_id": incident.id,
            "kind": "message",
            "author_id": "UALICE0001",
            "text": f"checked <https://grafana.example|dashboard> {n}: p99 *4s* &amp; rising",
            "occurred_at": now + timedelta(seconds=n),
            "recorded_at": now + timedelta(seconds=n),
            "highlighted": True,
            "data": {},
        }
        for n in range(count)
    ]
    async with harness.runtime.store.transaction() as session:
        await session.execute(insert(TimelineEntryRow), rows)


async def test_warroom_answers_while_a_long_postmortem_is_drafted(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While the draft reads its entries, and while it renders, `/healthz` is answered.

    Reading: pages of 50, and answers are counted between the first page and the last.
    Rendering: the render waits (on its own thread) until a `/healthz` has been answered
    after it began; on the event loop it would wait in vain (it gives up after 10 s,
    and the test fails)."""
    incident = await harness.declare()
    await add_entries(harness, incident, 2_000)
    monkeypatch.setattr(postmortem_reads, "PAGE", 50)
    answered = 0
    reading: list[int] = []
    rendering = threading.Event()
    answered_while_rendering = threading.Event()
    released_by_answer: list[bool] = []

    pages = postmortem_reads.shown_entries

    async def counted_pages(*args: Any, **kwargs: Any) -> Any:
        reading.append(answered)
        async for page in pages(*args, **kwargs):
            yield page
        reading.append(answered)

    write = postmortems.draft_postmortem

    def waiting_write(data: PostmortemInput) -> Any:
        rendering.set()
        released_by_answer.append(answered_while_rendering.wait(timeout=10))
        return write(data)

    monkeypatch.setattr(postmortem_reads, "shown_entries", counted_pages)
    monkeypatch.setattr(postmortems, "draft_postmortem", waiting_write)
    healthz = harness.url.removesuffix("/slack/events") + "/healthz"

    async def poll(http: aiohttp.ClientSession) -> None:
        nonlocal answered
        while True:
            async with http.get(healthz) as response:
                assert response.status == 200
            answered += 1
            if rendering.is_set():
                answered_while_rendering.set()
            await asyncio.sleep(0)

    async with aiohttp.ClientSession() as http:
        polling = asyncio.create_task(poll(http))
        status, body = await harness.command("postmortem", channel=incident.channel_id)
        assert status == 200 and STARTED in body
        await harness.settle()
        polling.cancel()
        with pytest.raises(asyncio.CancelledError):
            await polling

    first, last = reading
    assert last > first, "no /healthz was answered while the entries were read"
    assert released_by_answer == [True], "no /healthz was answered while the draft rendered"
    assert len(summaries(harness, incident.channel_id or "")) == 1
    markdown = (await stored(harness, incident.id)).markdown
    assert ") 0: p99" in markdown and ") 1999: p99" in markdown
