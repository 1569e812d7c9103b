"""Issue 14, "Warroom says that it heard you", through the real app: a role's duties by
DM and `/incident duties`, and the line in the channel an incident was declared from.
(The 📌 answered with a reaction: tests/timeline/test_highlights.py.)"""

from __future__ import annotations

import json
from typing import Any

from fakeslack import slash_command
from tests.harness import DEFAULT_ANSWERS, REPORTER, TEAM_ID, WAIT_S, Harness, OpenedView
from warroom.domain.incident import Incident

ALICE, BOB = "UALICE0001", "UBOB00002"


def posts_to(harness: Harness, channel: str) -> list[Any]:
    return [c for c in harness.slack.calls_to("chat.postMessage") if c.args["channel"] == channel]


# -- duties ------------------------------------------------------------------------------


async def test_taking_a_role_dms_the_duties_and_duties_shows_them_again(
    harness: Harness,
) -> None:
    incident = await harness.declare(responders=[ALICE, BOB])
    room = incident.channel_id or ""

    assert await harness.press(incident, "role_take:commander", user=ALICE) == (200, "")
    await harness.settle()

    (dm,) = [c for c in posts_to(harness, ALICE) if c.ok]  # a user ID: the Messages tab
    assert "You are *Incident Commander* for *INC-1*" in dm.args["text"]
    assert "Does not debug" in dm.args["text"]
    channel = harness.slack.channel(dm.response["channel"])
    assert channel is not None and channel.is_im
    confirmed = harness.told()[-1]["text"]  # one private word to who pressed
    assert confirmed.startswith("✅ You are now *Incident Commander* for *INC-1*")
    assert harness.slack.ephemerals(room) == []  # no second copy in the room

    status, body = await harness.command("duties", user=ALICE, channel=room)
    held = json.loads(body)
    assert status == 200 and held.get("response_type", "ephemeral") == "ephemeral"
    assert "Your duties in INC-1" in held["text"] and "Does not debug" in held["text"]
    assert "Ops lead" not in held["text"]

    status, body = await harness.command("duties", user=BOB, channel=room)
    none = json.loads(body)["text"]
    assert "You hold no role in *INC-1*" in none
    assert f"*Incident Commander* (<@{ALICE}>)" in none
    assert "*Ops lead* (_unassigned_)" in none


async def test_assigning_a_role_dms_the_holder_and_confirms_to_the_giver(
    harness: Harness,
) -> None:
    incident = await harness.declare(responders=[ALICE])
    room = incident.channel_id or ""

    status, _ = await harness.command(f"role ops <@{ALICE}|alice>", channel=room)
    assert status == 200
    await harness.settle()

    (dm,) = [c for c in posts_to(harness, ALICE) if c.ok]
    assert f"<@{REPORTER}> gave you this role" in dm.args["text"]
    assert harness.told()[-1]["text"].startswith(f"✅ <@{ALICE}> is now *Ops lead*")


async def test_duties_and_help_outside_a_war_room(harness: Harness) -> None:
    status, body = await harness.command("help")
    assert status == 200 and "/incident duties" in json.loads(body)["text"]
    status, body = await harness.command("duties")
    assert status == 200 and "works inside an incident's war-room channel" in body


# -- the line in the channel it was declared from -----------------------------------------


async def declare_in(
    harness: Harness, channel_id: str, channel_name: str, **answers: Any
) -> Incident:
    """`/incident declare` typed in a channel Slack names `channel_name`, then the form."""
    opened_before = len(harness.slack.calls_to("views.open"))
    told = len(harness.slack.calls_to("response_url"))
    body, content_type = slash_command(
        "declare",
        user_id=REPORTER,
        team_id=TEAM_ID,
        channel_id=channel_id,
        channel_name=channel_name,
        response_url=harness.new_response_url(),
    )
    assert (await harness.post(body, content_type))[0] == 200
    call = (await harness.slack.wait_for("views.open", count=opened_before + 1))[opened_before]
    view = call.response["view"]
    opened = OpenedView(call.args["view"], view["id"], view["hash"])
    assert await harness.submit(opened, {**DEFAULT_ANSWERS, **answers}) == (200, "")
    await harness.slack.wait_for("response_url", count=told + 1, timeout=WAIT_S)
    await harness.settle()
    (incident,) = [i for i in await harness.incidents() if i.title == answers["title"]]
    return incident


async def test_declaring_in_a_public_channel_links_the_room_there(harness: Harness) -> None:
    general = harness.command_channel
    harness.slack.add_member(general, harness.slack.bot_user_id)

    incident = await declare_in(harness, general, "general", title="Checkout <b>down</b>")

    (note,) = harness.slack.messages(general)
    assert note["text"] == (
        f"🚨 <@{REPORTER}> declared *INC-1* (SEV2): Checkout &lt;b&gt;down&lt;/b&gt; "
        f"→ <#{incident.channel_id}>"
    )
    assert incident.provisioned_at is not None


async def test_no_line_for_a_private_incident_a_dm_or_a_private_channel(
    harness: Harness,
) -> None:
    general = harness.command_channel
    harness.slack.add_member(general, harness.slack.bot_user_id)
    secret = harness.slack.add_channel(
        "secret-ops", is_private=True, members=[REPORTER, harness.slack.bot_user_id]
    )

    await declare_in(harness, general, "general", title="Hush", private=["private"])
    await declare_in(harness, "D0REPORTER", "directmessage", title="From a DM")
    await declare_in(harness, secret, "privategroup", title="From a private channel")

    assert harness.slack.messages(general) == []
    assert harness.slack.messages(secret) == []
    assert posts_to(harness, "D0REPORTER") == []
    assert len(await harness.incidents()) == 3


async def test_warroom_not_in_the_channel_still_declares(harness: Harness) -> None:
    general = harness.command_channel  # Warroom was never invited here

    incident = await declare_in(harness, general, "general", title="DB down")

    assert incident.provisioned_at is not None and incident.provision_error is None
    (refused,) = posts_to(harness, general)
    assert refused.response.get("error") == "not_in_channel"
    assert "is open" in harness.told()[-1]["text"]
