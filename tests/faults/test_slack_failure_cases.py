"""One Slack failure at a time, at the places the random fault runs found wanting."""

from __future__ import annotations

import json

from tests.faults.slack_faults import faulty_harness, told
from tests.harness import REPORTER, Clock, Harness
from tests.test_lifecycle import resolve
from warroom.demo.slack.api_files import UPLOAD_METHOD
from warroom.domain.incident import Incident
from warroom.slack.blocks.card import incident_card

ALICE, BOB = "UALICE0001", "UBOB00002"


async def fresh(harness: Harness, incident: Incident) -> Incident:
    (found,) = [i for i in await harness.incidents() if i.id == incident.id]
    return found


async def test_the_first_request_goes_ahead_while_slack_fails_auth_test(
    database_url: str, clock: Clock
) -> None:
    async with faulty_harness(database_url, clock) as harness:
        harness.slack.time_out("auth.test")
        incident = await harness.declare(title="Checkout down")
        assert incident.channel_id is not None
        harness.slack.fail("auth.test", "internal_error")
        status, body = await harness.command("help")
        assert status == 200 and "install" not in body.lower()


async def test_an_assignment_whose_invite_slack_refuses_is_reported(harness: Harness) -> None:
    incident = await harness.declare()
    await harness.command(f"role ic <@{ALICE}>", channel=incident.channel_id)
    await harness.settle()
    harness.slack.fail("conversations.invite", "fatal_error")
    since = len(harness.slack.calls)
    status, _ = await harness.command(f"role comms <@{BOB}>", channel=incident.channel_id)
    await harness.settle()
    assert status == 200
    assert (await fresh(harness, incident)).holder("comms_lead") == BOB
    (note,) = told(harness.slack, REPORTER, since)
    assert "⚠️" in note and "`conversations.invite` (`fatal_error`)" in note
    card = harness.card(await fresh(harness, incident))
    assert f"<@{BOB}>" in json.dumps(card["blocks"])


async def test_a_card_slack_failed_to_update_is_brought_up_to_date(harness: Harness) -> None:
    incident = await harness.declare()
    harness.slack.fail("chat.update", "service_unavailable", times=2)
    since = len(harness.slack.calls)
    await harness.press(incident, "severity_select", choose="SEV1")
    await harness.settle()
    (note,) = told(harness.slack, REPORTER, since)
    assert "will bring the card, topic and announcement up to date by itself" in note
    now = await fresh(harness, incident)
    assert harness.card(now)["text"] != incident_card(now, harness.runtime.policy).text
    await harness.tick(seconds=30)
    assert harness.card(now)["text"] == incident_card(now, harness.runtime.policy).text


async def test_a_retried_postmortem_draft_is_posted_once(harness: Harness) -> None:
    incident = await harness.declare()
    assert await resolve(harness, incident, "Rolled back") == (200, "")
    harness.slack.fail("files.completeUploadExternal", "internal_error")
    await harness.tick()
    await harness.tick(minutes=1)
    room = harness.slack.messages(incident.channel_id or "")
    summaries = [m for m in room if m["text"].startswith("Postmortem draft for")]
    assert len(summaries) == 1
    shared = [c for c in harness.slack.calls_to("files.completeUploadExternal") if c.ok]
    assert len(shared) == 1 and shared[0].args["thread_ts"] == summaries[0]["ts"]
    assert len([c for c in harness.slack.calls_to(UPLOAD_METHOD) if c.ok]) == 2


async def test_an_upload_slack_keeps_refusing_is_retried_by_the_scheduler(
    harness: Harness,
) -> None:
    incident = await harness.declare()
    assert await resolve(harness, incident, "Rolled back") == (200, "")
    harness.slack.server_error(UPLOAD_METHOD, status=503, times=3)
    report = await harness.tick()
    assert report.retried == 1
    await harness.tick(minutes=1)
    shared = [c for c in harness.slack.calls_to("files.completeUploadExternal") if c.ok]
    assert len(shared) == 1
