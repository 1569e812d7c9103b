"""`/incident declare`, end to end: signed requests in, Slack calls out, both databases."""

from __future__ import annotations

import asyncio
import json
import re
from datetime import timedelta
from typing import Any

import aiohttp
import pytest

from fakeslack import block_problems
from fakeslack.timing import sequential_rounds
from tests.harness import DEFAULT_ANSWERS, REPORTER, WAIT_S, Harness
from tests.payloads import mrkdwn_texts


def card_of(harness: Harness, channel_id: str) -> dict[str, Any]:
    (card,) = [
        call.args
        for call in harness.slack.calls_to("chat.postMessage")
        if call.args["channel"] == channel_id
    ]
    return card


async def test_declare_builds_the_war_room(harness: Harness) -> None:
    incident = await harness.declare(
        title="Checkout returns 500s", severity="SEV1", responders=["UALICE", "UBOB"]
    )
    slack = harness.slack
    assert incident.reference == "INC-1" and incident.severity == "SEV1"
    assert incident.status == "investigating"
    assert incident.provisioned_at is not None and incident.provision_error is None

    channel = slack.channel(incident.channel_id or "")
    assert channel is not None and not channel.is_private
    assert channel.name == incident.channel_name == "inc-1-checkout-returns-500s"
    assert {REPORTER, "UALICE", "UBOB"} <= channel.members

    card = card_of(harness, channel.id)
    assert block_problems(card["blocks"], surface="message") == []
    actions = [b["accessory"]["action_id"] for b in card["blocks"] if "accessory" in b]
    assert actions == [
        "role_take:commander",
        "role_take:ops_lead",
        "role_take:comms_lead",
        "role_take:scribe",
    ]
    assert incident.card_ts in channel.pins
    assert channel.topic.startswith("SEV1 · Investigating · IC: unassigned")

    (announced,) = slack.messages(harness.broadcast_channel)
    assert (incident.announcement_channel_id, incident.announcement_ts) == (
        harness.broadcast_channel,
        announced["ts"],
    )
    assert f"<#{channel.id}>" in json.dumps(announced["blocks"])

    (told,) = harness.told()
    assert f"<#{channel.id}>" in told["text"] and told["response_type"] == "ephemeral"

    (entry,) = await harness.timeline(incident.id)
    assert entry.kind == "declared" and entry.author_id == REPORTER
    assert entry.occurred_at == harness.clock()


async def test_declare_war_room_is_three_sequential_rounds(harness: Harness) -> None:
    await harness.declare(title="First")
    harness.slack.latency = 0.05  # so concurrent calls overlap measurably
    before = len(harness.slack.calls)
    await harness.declare(title="Second")
    build = [
        c for c in harness.slack.calls[before:] if c.method not in {"views.open", "response_url"}
    ]
    assert sequential_rounds(build) == 3


async def test_command_text_prefills_title(harness: Harness) -> None:
    opened = await harness.open_declare("DB &amp; cache &lt;down&gt;")
    assert opened.view["blocks"][0]["element"]["initial_value"] == "DB & cache <down>"
    assert opened.view["callback_id"] == "declare_incident"


async def errors_for(harness: Harness, **answers: Any) -> dict[str, str]:
    opened = await harness.open_declare()
    status, text = await harness.submit(opened, {**DEFAULT_ANSWERS, **answers})
    assert status == 200
    body = json.loads(text)
    assert body["response_action"] == "errors"
    assert await harness.incidents() == []
    assert harness.slack.calls_to("conversations.create") == []
    errors: dict[str, str] = body["errors"]
    return errors


async def test_blank_title_is_refused_on_the_title_field(harness: Harness) -> None:
    assert set(await errors_for(harness, title="   ")) == {"title"}


async def test_overlong_title_is_refused(harness: Harness) -> None:
    errors = await errors_for(harness, title="x" * 121)
    assert set(errors) == {"title"} and "120" in errors["title"]


async def test_future_start_is_refused(harness: Harness) -> None:
    errors = await errors_for(harness, started_at=harness.clock() + timedelta(hours=2))
    assert set(errors) == {"started_at"}


async def test_missing_severity_is_refused(harness: Harness) -> None:
    assert set(await errors_for(harness, severity=None)) == {"severity"}


async def test_name_taken_gets_an_unguessable_suffix(harness: Harness) -> None:
    harness.slack.add_channel("inc-1-checkout-returns-500s", archived=True)
    incident = await harness.declare()
    assert re.fullmatch(r"inc-1-checkout-returns-500s-[a-z0-9]{8}", incident.channel_name or "")


async def test_private_incident_is_not_announced(harness: Harness) -> None:
    incident = await harness.declare(private=["private"])
    channel = harness.slack.channel(incident.channel_id or "")
    assert channel is not None and channel.is_private
    assert harness.slack.messages(harness.broadcast_channel) == []
    assert incident.announcement_ts is None and incident.provisioned_at is not None
    assert "Private incident" in json.dumps(card_of(harness, channel.id)["blocks"])


async def test_emoji_only_title_still_gets_a_valid_unguessable_channel(harness: Harness) -> None:
    incident = await harness.declare(title="🔥🔥🔥")
    assert re.fullmatch(r"inc-1-[a-z0-9]{8}", incident.channel_name or "")


async def test_mentions_in_user_text_never_notify(harness: Harness) -> None:
    incident = await harness.declare(title="<!channel> down", impact="<!here> <@U1> & more")
    card = card_of(harness, incident.channel_id or "")
    (announced,) = harness.slack.messages(harness.broadcast_channel)
    for payload in (card, announced):
        flat = json.dumps([payload["text"], *mrkdwn_texts(payload["blocks"])])
        assert "<!channel>" not in flat and "<!here>" not in flat and "<@U1>" not in flat
        assert "&lt;!channel&gt;" in flat
    for call in harness.slack.calls_to("chat.postMessage"):
        assert call.args.get("link_names") in (None, False, "0", "false")
        assert call.args.get("parse") != "full"


@pytest.mark.both_databases
async def test_concurrent_declares_get_distinct_numbers(harness: Harness) -> None:
    opened = [await harness.open_declare() for _ in range(8)]
    results = await asyncio.gather(
        *(
            harness.submit(view, {**DEFAULT_ANSWERS, "title": f"Outage {n}"})
            for n, view in enumerate(opened)
        )
    )
    assert all(result == (200, "") for result in results)
    await harness.slack.wait_for("response_url", count=8, timeout=WAIT_S)
    found = await harness.incidents()
    assert sorted(i.number for i in found) == list(range(1, 9))
    assert len({i.channel_id for i in found}) == 8


async def test_slack_retry_of_a_submission_does_nothing_new(harness: Harness) -> None:
    opened = await harness.open_declare()
    body, content_type = harness.submission(opened, DEFAULT_ANSWERS)
    assert await harness.post(body, content_type) == (200, "")
    await harness.slack.wait_for("response_url", timeout=WAIT_S)
    for retry in (1, 2):
        assert await harness.post(body, content_type, retry_num=retry) == (200, "")
    assert len(await harness.incidents()) == 1
    assert len(harness.slack.calls_to("conversations.create")) == 1
    assert len(harness.told()) == 1


@pytest.mark.both_databases
async def test_double_submit_of_one_modal_makes_one_incident(harness: Harness) -> None:
    opened = await harness.open_declare()
    first, second = await asyncio.gather(
        harness.submit(opened, DEFAULT_ANSWERS), harness.submit(opened, DEFAULT_ANSWERS)
    )
    assert first == second == (200, "")
    await harness.slack.wait_for("response_url", timeout=WAIT_S)
    await harness.settle()
    (incident,) = await harness.incidents()
    assert len(harness.slack.calls_to("conversations.create")) == 1
    assert len(await harness.timeline(incident.id)) == 1
    assert len(harness.told()) == 1, "the second submission is the same delivery: answered once"


async def test_retried_command_opens_no_second_modal(harness: Harness) -> None:
    from fakeslack import slash_command

    body, content_type = slash_command(
        "declare",
        user_id=REPORTER,
        team_id="T0WARROOM",
        channel_id=harness.command_channel,
        response_url=harness.new_response_url(),
    )
    assert (await harness.post(body, content_type))[0] == 200
    await harness.slack.wait_for("views.open", timeout=WAIT_S)
    assert (await harness.post(body, content_type, retry_num=1))[0] == 200
    assert len(harness.slack.calls_to("views.open")) == 1


async def test_forged_stale_and_unsigned_requests_get_401_and_write_nothing(
    harness: Harness,
) -> None:
    opened = await harness.open_declare()
    body, content_type = harness.submission(opened, DEFAULT_ANSWERS)
    forged = await harness.post(body, content_type, signature="v0=" + "0" * 64)
    stale = await harness.post(body, content_type, timestamp=int(harness.clock().timestamp()) - 301)
    async with (
        aiohttp.ClientSession() as session,
        session.post(harness.url, data=body, headers={"Content-Type": content_type}) as response,
    ):
        unsigned = response.status
    assert (forged[0], stale[0], unsigned) == (401, 401, 401)
    assert await harness.incidents() == []
    assert harness.slack.calls_to("conversations.create") == []


async def test_help_and_unknown_subcommands(harness: Harness) -> None:
    for text in ("", "help", "HELP"):
        status, body = await harness.command(text)
        assert status == 200 and "/incident declare" in json.loads(body)["text"]
    status, body = await harness.command("decalre db down")
    answer = json.loads(body)
    assert status == 200 and "`decalre`" in answer["text"] and "/incident declare" in answer["text"]
    assert answer.get("response_type", "ephemeral") == "ephemeral"
    assert harness.slack.calls_to("views.open") == []


async def test_modal_that_cannot_open_is_explained(harness: Harness) -> None:
    harness.slack.fail("views.open", "expired_trigger_id")
    status, _ = await harness.command("declare")
    assert status == 200
    (told,) = [c.args for c in await harness.slack.wait_for("response_url", timeout=WAIT_S)]
    assert "expired_trigger_id" in told["text"] and "3 seconds" in told["text"]


async def test_refused_channel_is_explained_and_retry_finishes_the_same_incident(
    harness: Harness,
) -> None:
    harness.slack.fail("conversations.create", "restricted_action")
    incident = await harness.declare()
    assert incident.channel_id is None and incident.provisioned_at is None
    assert "restricted_action" in (incident.provision_error or "")
    (failed,) = harness.told()
    assert "restricted_action" in failed["text"] and "admin" in failed["text"]
    retry = failed["blocks"][-1]["elements"][0]
    assert retry["action_id"] == "declare_retry"

    status, _ = await harness.click(retry["action_id"], retry["value"])
    assert status == 200
    await harness.slack.wait_for("response_url", count=2, timeout=WAIT_S)
    (done,) = await harness.incidents()
    assert done.id == incident.id and done.channel_id and done.provisioned_at
    assert done.provision_error is None
    ready = harness.told()[-1]
    assert ready["replace_original"] is True and f"<#{done.channel_id}>" in ready["text"]
    rooms = [c for c in harness.slack.channels() if c.name.startswith("inc-")]
    assert [c.id for c in rooms] == [done.channel_id]


async def test_failure_after_the_channel_resumes_without_a_second_channel(
    harness: Harness,
) -> None:
    harness.slack.fail("pins.add", "invalid_auth")
    incident = await harness.declare()
    assert incident.channel_id and incident.card_ts and incident.provisioned_at is None
    failed = harness.told()[-1]
    assert "invalid_auth" in failed["text"] and "SLACK_BOT_TOKEN" in failed["text"]
    retry = failed["blocks"][-1]["elements"][0]
    await harness.click(retry["action_id"], retry["value"])
    await harness.slack.wait_for("response_url", count=2, timeout=WAIT_S)
    (done,) = await harness.incidents()
    assert done.provisioned_at is not None
    assert len(harness.slack.calls_to("conversations.create")) == 1
    assert len([c for c in harness.slack.calls_to("chat.postMessage") if c.ok]) == 2
    channel = harness.slack.channel(done.channel_id or "")
    assert channel is not None and done.card_ts in channel.pins


async def test_rate_limit_is_waited_out(harness: Harness) -> None:
    harness.slack.rate_limit("conversations.create", retry_after=0, times=1)
    incident = await harness.declare()
    assert incident.provisioned_at is not None
    statuses = [c.status for c in harness.slack.calls_to("conversations.create")]
    assert statuses == [429, 200]


async def test_rate_limited_beyond_retries_is_explained(harness: Harness) -> None:
    harness.slack.rate_limit("conversations.create", retry_after=0, times=10)
    incident = await harness.declare()
    assert incident.channel_id is None
    assert "rate-limiting" in harness.told()[-1]["text"]


async def test_more_than_100_responders_are_invited_in_batches(harness: Harness) -> None:
    responders = [f"U{n:08d}" for n in range(150)]
    incident = await harness.declare(responders=responders)
    invites = harness.slack.calls_to("conversations.invite")
    assert all(len(str(c.args["users"]).split(",")) <= 100 for c in invites)
    channel = harness.slack.channel(incident.channel_id or "")
    assert channel is not None and set(responders) | {REPORTER} <= channel.members


async def test_healthz(harness: Harness) -> None:
    async with (
        aiohttp.ClientSession() as session,
        session.get(harness.url.replace("/slack/events", "/healthz")) as response,
    ):
        assert response.status == 200 and (await response.json())["ok"] is True


async def test_responder_who_cannot_be_invited_is_named_to_the_reporter(
    harness: Harness,
) -> None:
    incident = await harness.declare(responders=["UALICE", "XNOTAUSER"])
    assert incident.provisioned_at is not None
    (ready,) = harness.told()
    assert "<@XNOTAUSER>" in ready["text"] and "user_not_found" in ready["text"]
    channel = harness.slack.channel(incident.channel_id or "")
    assert channel is not None and "UALICE" in channel.members


async def test_store_failure_on_submit_is_shown_in_the_form(harness: Harness) -> None:
    opened = await harness.open_declare()
    async with harness.runtime.store.engine.begin() as conn:
        await conn.exec_driver_sql("ALTER TABLE timeline_entries RENAME TO timeline_away")
    try:
        status, text = await harness.submit(opened, DEFAULT_ANSWERS)
    finally:
        async with harness.runtime.store.engine.begin() as conn:
            await conn.exec_driver_sql("ALTER TABLE timeline_away RENAME TO timeline_entries")
    answer = json.loads(text)
    assert status == 200 and answer["response_action"] == "errors"
    assert "couldn't save" in answer["errors"]["title"]
    assert await harness.incidents() == []
    assert harness.slack.calls_to("conversations.create") == []


async def test_retry_while_setup_is_running_says_so(harness: Harness) -> None:
    harness.slack.fail("conversations.create", "restricted_action")
    incident = await harness.declare()
    async with harness.runtime.store.transaction() as session:
        from warroom.store import incidents

        assert await incidents.claim_provisioning(
            session, incident.id, harness.clock(), timedelta(minutes=3)
        )
    await harness.click("declare_retry", str(incident.id))
    await harness.slack.wait_for("response_url", count=2, timeout=WAIT_S)
    assert "being set up" in harness.told()[-1]["text"]
    assert len(harness.slack.calls_to("conversations.create")) == 1


async def test_url_verification_challenge_is_answered(harness: Harness) -> None:
    from fakeslack import url_verification

    status, text = await harness.post(
        *url_verification("3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P")
    )
    assert status == 200 and "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" in text


async def test_setup_failure_after_the_channel_links_the_room(harness: Harness) -> None:
    harness.slack.fail("conversations.setTopic", "too_long")
    incident = await harness.declare()
    failed = harness.told()[-1]
    assert f"<#{incident.channel_id}>" in failed["text"] and "too_long" in failed["text"]
