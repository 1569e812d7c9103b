"""Issue 14, "Warroom says that it heard you": the 📌 answered with a reaction, a role's
duties by DM and `/incident duties`, and the note in the channel an incident was declared
from. Each use case called directly, with what it asked Slack to do."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from tests.services.conftest import REPORTER, TEAM, World
from tests.services.gateway_double import BOT_USER
from warroom.domain.declaration import Declaration
from warroom.domain.incident import Incident
from warroom.domain.timeline import SlackMessage, slack_time
from warroom.services.declare import ProvisionResult
from warroom.services.roles import RoleChange
from warroom.services.timeline import RECORDED_REACTION
from warroom.slack.errors import SlackFailure
from warroom.slack.gateway import MessageRef
from warroom.slack.message import Message

ALICE, BOB = "UALICE0001", "UBOB000002"

# -- the 📌 and Warroom's reaction ---------------------------------------------------------


async def _pin(world: World, channel: str, ts: str, user: str, *, on: bool, after_s: int) -> bool:
    marked = await world.runtime.timeline.mark(
        channel,
        ts,
        source=f"reaction:{user}",
        user_id=user,
        active=on,
        at=slack_time(ts) + timedelta(seconds=after_s),
        author_id=ALICE,
    )
    assert marked is not None
    return marked.highlighted


async def test_a_pushpin_is_acknowledged_once_and_unacknowledged_with_the_last(
    world: World,
) -> None:
    incident = await world.declare(responders=(ALICE, BOB))
    room = incident.channel_id or ""
    ts = "1800000100.000100"
    await world.runtime.timeline.record_message(
        SlackMessage(room, ts, "message", ALICE, "Root cause: TTL 0")
    )
    timeline, slack = world.runtime.timeline, world.slack

    assert await _pin(world, room, ts, BOB, on=True, after_s=1)
    await timeline.acknowledge(room, ts, recorded=True)
    await timeline.acknowledge(room, ts, recorded=True)  # the same 📌 delivered again
    assert slack.reactions == {(room, ts, RECORDED_REACTION)}

    assert await _pin(world, room, ts, REPORTER, on=True, after_s=2)
    assert await _pin(world, room, ts, BOB, on=False, after_s=3)  # the reporter's stays
    await timeline.acknowledge(room, ts, recorded=False)
    assert slack.reactions == {(room, ts, RECORDED_REACTION)}

    assert not await _pin(world, room, ts, REPORTER, on=False, after_s=4)
    await timeline.acknowledge(room, ts, recorded=False)
    assert slack.reactions == set()
    assert slack.methods().count("reactions.remove") == 1


async def test_an_acknowledgement_that_no_longer_holds_is_not_sent(world: World) -> None:
    """A 📌 added then removed before the reaction went out: nothing is added."""
    incident = await world.declare()
    room = incident.channel_id or ""
    ts = "1800000200.000100"
    assert await _pin(world, room, ts, BOB, on=True, after_s=1)
    assert not await _pin(world, room, ts, BOB, on=False, after_s=2)

    await world.runtime.timeline.acknowledge(room, ts, recorded=True)

    assert "reactions.add" not in world.slack.methods()


async def test_slack_refusing_the_reaction_keeps_the_highlight(world: World) -> None:
    incident = await world.declare()
    room = incident.channel_id or ""
    ts = "1800000300.000100"
    world.slack.fail("reactions.add", "message_not_found")

    assert await _pin(world, room, ts, BOB, on=True, after_s=1)
    await world.runtime.timeline.acknowledge(room, ts, recorded=True)  # logged, not raised

    page = await world.runtime.timeline.key_page(incident.id)
    assert [item.highlighted for item in page.items if item.kind == "pending"] == [True]
    assert world.slack.reactions == set()


# -- a role's duties -----------------------------------------------------------------------


async def test_a_new_holder_gets_the_duties_by_dm(world: World) -> None:
    incident = await world.declare(responders=(ALICE,))
    change = await world.runtime.roles.assign(incident.id, "ic", ALICE, by=REPORTER)
    assert isinstance(change, RoleChange)

    assert await world.runtime.roles.publish(change) == []

    (dm,) = world.slack.messages_in(ALICE)  # a user ID: the app's Messages tab
    assert "*Incident Commander*" in dm.text and f"<@{REPORTER}> gave you this role" in dm.text
    assert world.runtime.policy.commander_role.duties[:20] in dm.text
    assert "/incident duties" in dm.text
    assert all(note.user != ALICE for note in world.slack.notes)  # no ephemeral copy


async def test_duties_go_privately_in_the_room_when_slack_refuses_the_dm(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    incident = await world.declare(responders=(ALICE,))
    change = await world.runtime.roles.take(incident.id, "scribe", ALICE)
    assert isinstance(change, RoleChange)

    async def refused(user_id: str, message: Message) -> MessageRef:
        raise SlackFailure("chat.postMessage", "cannot_dm_bot")

    monkeypatch.setattr(world.slack, "dm", refused)

    assert await world.runtime.roles.publish(change) == []
    assert any(n.user == ALICE and "*Scribe*" in n.text for n in world.slack.notes)


# -- the note in the channel it was declared from ------------------------------------------


async def _declare_from(world: World, origin: str | None, **details: object) -> Incident:
    declaration = Declaration(
        title=str(details.get("title", "Checkout <b>returns</b> 500s & more")),
        severity="SEV2",
        impact="EU checkouts fail",
        started_at=None,
        private=bool(details.get("private", False)),
        responders=(),
    )
    incident = await world.runtime.declare.record(
        team_id=TEAM,
        reporter_id=REPORTER,
        declaration=declaration,
        declare_key=f"view:origin-{origin}-{declaration.private}-{details.get('key', 0)}",
        origin_channel=origin,
    )
    result = await world.runtime.declare.provision(incident.id, response_url="urn:reporter")
    assert result is ProvisionResult.READY
    return await world.runtime.rooms.incident(incident.id)


async def test_the_origin_channel_gets_one_line_linking_the_room(world: World) -> None:
    general = world.slack.add_channel("general", members=[BOT_USER, REPORTER])

    incident = await _declare_from(world, general)

    (note,) = world.slack.messages_in(general)
    assert note.text == (
        f"🚨 <@{REPORTER}> declared *{incident.reference}* (SEV2): "
        f"Checkout &lt;b&gt;returns&lt;/b&gt; 500s &amp; more → <#{incident.channel_id}>"
    )
    assert note.blocks[0]["block_id"] == f"origin_note:{incident.reference}"


async def test_a_resumed_setup_does_not_post_the_note_twice(world: World) -> None:
    general = world.slack.add_channel("general", members=[BOT_USER])
    world.slack.fail("pins.add", "invalid_auth")  # the first run dies after round two
    declaration = Declaration("DB down", "SEV2", "All", None, False, ())
    incident = await world.runtime.declare.record(
        team_id=TEAM,
        reporter_id=REPORTER,
        declaration=declaration,
        declare_key="view:resumed",
        origin_channel=general,
    )
    first = await world.runtime.declare.provision(incident.id, response_url="urn:r")
    assert first is ProvisionResult.FAILED
    assert len(world.slack.messages_in(general)) == 1

    again = await world.runtime.declare.provision(incident.id, response_url="urn:r")

    assert again is ProvisionResult.READY
    assert len(world.slack.messages_in(general)) == 1
    assert ("conversations.history", general) in [
        (c.method, c.args.get("channel")) for c in world.slack.calls
    ]


async def test_no_note_for_a_private_incident(world: World) -> None:
    general = world.slack.add_channel("general", members=[BOT_USER])

    await _declare_from(world, general, private=True)

    assert world.slack.messages_in(general) == []
    assert general not in [c.args.get("channel") for c in world.slack.calls]


async def test_no_note_when_the_policy_says_so(world: World) -> None:
    general = world.slack.add_channel("general", members=[BOT_USER])
    declare = world.runtime.declare
    declare.policy = replace(declare.policy, announce_in_origin_channel=False)

    await _declare_from(world, general)

    assert world.slack.messages_in(general) == []


async def test_no_note_in_the_broadcast_channel_or_a_war_room(world: World) -> None:
    first = await _declare_from(world, world.broadcast, key=1)
    room = first.channel_id or ""
    posted_in_room = len(world.slack.messages_in(room))

    await _declare_from(world, room, key=2)

    assert len(world.slack.messages_in(world.broadcast)) == 2  # the two announcements
    assert len(world.slack.messages_in(room)) == posted_in_room


async def test_warroom_not_in_the_origin_channel_leaves_the_declaration_fine(
    world: World,
) -> None:
    general = world.slack.add_channel("general", members=[REPORTER])  # no Warroom

    incident = await _declare_from(world, general)

    assert incident.provisioned_at is not None and incident.provision_error is None
    assert world.slack.messages_in(general) == []
    refused = [c for c in world.slack.calls if c.args.get("channel") == general]
    assert [c.method for c in refused] == ["chat.postMessage"]
