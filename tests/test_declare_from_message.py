"""Declaring from a message, and similar open incidents at declare time, end to end:
signed requests through the real ASGI app, Slack calls read off the stand-in."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from tests.harness import REPORTER, TEAM_ID, WAIT_S, Harness, OpenedView
from tests.timeline.room import message_shortcut
from warroom.demo.slack.inbound import block_actions
from warroom.services.declare import ORIGIN_MESSAGE

CAROL = "UCAROL0003"
SAID = (
    "*Checkout is failing* for <@UALICE0001|alice>, see <#C0OPS0001|ops> "
    "and <https://grafana.example/d/1|the dashboard>\nCustomers get 502s when paying since 10:02"
)


async def _shortcut(harness: Harness, channel: str, ts: str, text: str, **extra: Any) -> OpenedView:
    message = {"type": "message", "user": CAROL, "text": text, "ts": ts, **extra}
    before = len(harness.slack.calls_to("views.open"))
    body, content_type = message_shortcut(
        message,
        channel_id=channel,
        user_id=REPORTER,
        response_url=harness.new_response_url(),
        callback_id="declare_from_message",
    )
    assert await harness.post(body, content_type) == (200, "")
    call = (await harness.slack.wait_for("views.open", count=before + 1, timeout=WAIT_S))[before]
    assert call.response.get("ok"), call.response
    opened = call.response["view"]
    return OpenedView(view=call.args["view"], view_id=opened["id"], view_hash=opened["hash"])


def _field(view: dict[str, Any], block_id: str) -> dict[str, Any]:
    (block,) = [b for b in view["blocks"] if b.get("block_id") == block_id]
    element: dict[str, Any] = block["element"]
    return element


async def test_a_message_becomes_an_incident_linked_and_answered_in_its_thread(
    harness: Harness,
) -> None:
    slack = harness.slack
    support = slack.add_channel("support", members=[slack.bot_user_id, CAROL, REPORTER])
    ts = slack.add_message(support, SAID, user=CAROL)

    opened = await _shortcut(harness, support, ts, SAID)

    title = _field(opened.view, "title")["initial_value"]
    impact = _field(opened.view, "impact")["initial_value"]
    assert (
        title
        == "Checkout is failing for @alice, see #ops and the dashboard (https://grafana.example/d/1)"[
            :120
        ]
    )
    assert impact.endswith("Customers get 502s when paying since 10:02") and "<@" not in impact
    metadata = json.loads(opened.view["private_metadata"])
    assert metadata["message"]["channel"] == support and metadata["message"]["ts"] == ts
    assert metadata["message"]["permalink"].startswith("https://")

    told = len(slack.calls_to("response_url"))
    status, text = await harness.submit(opened, {"title": "Checkout failing", "severity": "SEV2"})
    assert (status, text) == (200, "")
    await slack.wait_for("response_url", count=told + 1, timeout=WAIT_S)
    await harness.settle()
    (incident,) = await harness.incidents()

    replies = [m for m in slack.messages(support) if m.get("thread_ts") == ts and m["ts"] != ts]
    assert [m["text"] for m in replies] == [f"🚨 Declared *INC-1*: <#{incident.channel_id}>"]
    room = slack.messages(incident.channel_id or "")
    links = [m["text"] for m in room if "Declared from" in m["text"]]
    assert links == [
        f"🧵 Declared from <{metadata['message']['permalink']}|this message> in <#{support}>."
    ]
    (declared, *_) = await harness.timeline(incident.id)
    assert declared.data[ORIGIN_MESSAGE]["ts"] == ts

    # Retry of a setup already done: still one reply in the thread.
    await harness.runtime.declare.provision(incident.id, response_url=None)
    again = [m for m in slack.messages(support) if m.get("thread_ts") == ts and m["ts"] != ts]
    assert len(again) == 1


async def test_views_open_failing_is_explained_to_the_person(harness: Harness) -> None:
    slack = harness.slack
    support = slack.add_channel("support", members=[slack.bot_user_id, CAROL])
    ts = slack.add_message(support, "DB is on fire", user=CAROL)
    slack.fail("views.open", "expired_trigger_id")
    told = len(slack.calls_to("response_url"))
    body, content_type = message_shortcut(
        {"type": "message", "user": CAROL, "text": "DB is on fire", "ts": ts},
        channel_id=support,
        user_id=REPORTER,
        response_url=harness.new_response_url(),
        callback_id="declare_from_message",
    )

    assert await harness.post(body, content_type) == (200, "")

    (answer,) = [c.args for c in await slack.wait_for("response_url", told + 1)][told:]
    assert answer["response_type"] == "ephemeral"
    assert (
        "couldn't open the declare form" in answer["text"]
        and "expired_trigger_id" in answer["text"]
    )


async def test_a_similar_open_incident_is_offered_and_join_brings_you_in(
    harness: Harness,
) -> None:
    slack = harness.slack
    first = await harness.declare(title="Checkout returns 500s")
    support = slack.add_channel("support", members=[slack.bot_user_id, CAROL])
    ts = slack.add_message(support, "checkout returns 500s again", user=CAROL)

    opened = await _shortcut(harness, support, ts, "checkout returns 500s again")

    assert opened.view["submit"]["text"] == "Declare anyway"
    (offer,) = [b for b in opened.view["blocks"] if b.get("block_id") == f"similar:{first.id}"]
    assert offer["accessory"]["text"]["text"] == "Join INC-1 instead"

    view = {**opened.view, "id": opened.view_id, "hash": opened.view_hash}
    body, content_type = block_actions(
        "declare_join_similar", str(first.id), user_id=CAROL, team_id=TEAM_ID, view=view
    )
    assert (await harness.post(body, content_type))[0] == 200
    await harness.settle()

    room = slack.channel(first.channel_id or "")
    assert room is not None and CAROL in room.members
    shown = slack.view(opened.view_id)
    assert shown is not None and shown["callback_id"] == "declare_joined"
    assert f"<#{first.channel_id}>" in json.dumps(shown["blocks"])
    assert len(await harness.incidents()) == 1


async def test_the_typed_form_offers_similar_incidents_once_then_declares_anyway(
    harness: Harness,
) -> None:
    await harness.declare(title="Checkout returns 500s")
    opened = await harness.open_declare()
    answers = {"title": "Checkout 500s", "severity": "SEV1", "impact": "EU cannot pay"}

    status, text = await harness.submit(opened, answers)

    offered = json.loads(text)
    assert status == 200 and offered["response_action"] == "update"
    view = offered["view"]
    assert view["submit"]["text"] == "Declare anyway"
    assert _field(view, "title")["initial_value"] == "Checkout 500s"
    assert _field(view, "severity")["initial_option"]["value"] == "SEV1"
    assert len(await harness.incidents()) == 1

    updated = replace(opened, view=view, view_hash=f"{opened.view_hash}.1")
    assert await harness.submit(updated, answers) == (200, "")
    await harness.settle()
    assert [i.title for i in await harness.incidents()] == [
        "Checkout returns 500s",
        "Checkout 500s",
    ]
