"""What each kind of Slack request is answered while the database is down, and the
store's own part: an outage fails fast as `DatabaseUnavailable`, a bug stays a bug.

The outage is a private PostgreSQL cluster stopped under a running app (never the
shared server); the unanswering database is a socket that accepts and says nothing.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Iterator

import aiohttp
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from fakeslack.serve_process import free_port
from tests.faults.pg_cluster import PrivateCluster, private_cluster
from tests.harness import DEFAULT_ANSWERS, REPORTER, TEAM_ID, Clock, Harness, start_harness
from warroom.demo.slack.driver import fill_view
from warroom.demo.slack.inbound import event_callback, view_submission
from warroom.domain.incident import Incident
from warroom.store.engine import PG_CONNECT_TIMEOUT_S, DatabaseUnavailable, Store, create_engine
from warroom.store.migrations import upgrade

UNAVAILABLE = "database is unavailable"


@pytest.fixture
def private_pg() -> Iterator[PrivateCluster]:
    with private_cluster() as cluster:
        yield cluster


@pytest.fixture
async def silent_port() -> AsyncIterator[int]:
    """A port that accepts connections and never answers, like a host cut off mid-path."""
    held: list[asyncio.StreamWriter] = []

    async def hold(_: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        held.append(writer)

    server = await asyncio.start_server(hold, "127.0.0.1", 0)
    yield server.sockets[0].getsockname()[1]
    for writer in held:
        writer.close()
    server.close()


async def _fails_fast_as_unavailable(url: str) -> float:
    store = Store(create_engine(url))
    started = time.monotonic()
    try:
        async with asyncio.timeout(PG_CONNECT_TIMEOUT_S + 3):
            with pytest.raises(DatabaseUnavailable):
                async with store.transaction() as session:
                    await session.execute(text("SELECT 1"))
    finally:
        await store.dispose()
    return time.monotonic() - started


async def test_a_database_that_never_answers_fails_within_slacks_three_seconds(
    silent_port: int,
) -> None:
    took = await _fails_fast_as_unavailable(
        f"postgresql+asyncpg://postgres@127.0.0.1:{silent_port}/warroom"
    )
    assert took < 3.0


async def test_a_refused_connection_is_unavailable_at_once() -> None:
    took = await _fails_fast_as_unavailable(
        f"postgresql+asyncpg://postgres@127.0.0.1:{free_port()}/warroom"
    )
    assert took < 1.0


async def test_a_bad_statement_is_a_bug_not_an_outage(database_url: str) -> None:
    store = Store(create_engine(database_url))
    try:
        with pytest.raises(DBAPIError) as raised:
            async with store.transaction() as session:
                await session.execute(text("SELECT * FROM no_such_table"))
        assert not isinstance(raised.value, DatabaseUnavailable)
    finally:
        await store.dispose()


async def _open_update_form(harness: Harness, incident: Incident) -> tuple[bytes, str]:
    """The status-update form opened from the card, filled in, ready to submit."""
    before = len(harness.slack.calls_to("views.open"))
    assert await harness.press(incident, "update_open") == (200, "")
    call = (await harness.slack.wait_for("views.open", count=before + 1, timeout=5))[before]
    view, view_id = call.args["view"], call.response["view"]["id"]
    answers = {"happening": "Cache cold", "impact": "Slow pages", "doing": "Warming it"}
    return view_submission(
        view["callback_id"],
        fill_view(view, answers),
        user_id=REPORTER,
        team_id=TEAM_ID,
        private_metadata=view["private_metadata"],
        view_id=view_id,
        view=harness.slack.view(view_id),
    )


@pytest.fixture
async def harness_on_private_pg(private_pg: PrivateCluster, clock: Clock) -> AsyncIterator[Harness]:
    await asyncio.to_thread(upgrade, private_pg.url)
    async with start_harness(private_pg.url, clock) as running:
        yield running


async def test_every_request_kind_gets_a_clear_answer_while_postgres_is_down(
    harness_on_private_pg: Harness, private_pg: PrivateCluster
) -> None:
    harness = harness_on_private_pg
    incident = await harness.declare()
    opened = await harness.open_declare("Second outage")
    update_form = await _open_update_form(harness, incident)
    health = harness.url.replace("/slack/events", "/healthz")
    await asyncio.to_thread(private_pg.stop, "immediate")

    event = {"type": "message", "channel": incident.channel_id, "user": "UWRITER", "text": "hi"}
    body, content_type = event_callback({**event, "ts": "1700000001.000100"})
    assert (await harness.post(body, content_type))[0] == 503

    status, answer = await harness.command("note the cache is cold", channel=incident.channel_id)
    assert status == 200
    assert json.loads(answer)["response_type"] == "ephemeral"
    assert UNAVAILABLE in json.loads(answer)["text"]

    status, answer = await harness.submit(opened, {**DEFAULT_ANSWERS, "title": "Second outage"})
    assert status == 200
    errors = json.loads(answer)
    assert errors["response_action"] == "errors"
    assert "again" in next(iter(errors["errors"].values())), errors

    status, answer = await harness.post(*update_form)
    assert status == 200
    errors = json.loads(answer)
    assert errors["response_action"] == "errors"
    assert UNAVAILABLE in next(iter(errors["errors"].values())), errors

    told = len(harness.told())
    assert await harness.press(incident, "role_take:scribe") == (200, "")
    await harness.slack.wait_for("response_url", count=told + 1, timeout=5)
    assert UNAVAILABLE in harness.told()[-1]["text"]

    async with aiohttp.ClientSession() as http, http.get(health) as response:
        assert response.status == 503

    await asyncio.to_thread(private_pg.start)
    assert (await harness.post(body, content_type, retry_num=1))[0] == 200
    status, answer = await harness.command("note the cache is cold", channel=incident.channel_id)
    assert status == 200 and json.loads(answer)["response_type"] == "in_channel"
    assert (await harness.submit(opened, {**DEFAULT_ANSWERS, "title": "Second outage"})) == (
        200,
        "",
    )
    assert (await harness.post(*update_form))[0] == 200
    await harness.settle()
    entries = await harness.timeline(incident.id)
    assert [e.text for e in entries if e.kind == "note"] == ["the cache is cold"]
    assert len([e for e in entries if e.kind == "status_update"]) == 1
    async with aiohttp.ClientSession() as http, http.get(health) as response:
        assert response.status == 200
