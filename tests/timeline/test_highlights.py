"""Key entries: the highlight reaction, pins and the "Add to incident timeline" shortcut."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from fakeslack import view_submission
from tests.harness import WAIT_S, Harness
from tests.timeline.room import ALICE, BOB, CAROL, OUR_BOT_ID, OUR_BOT_USER, Room, message_shortcut
from warroom.demo.slack.driver import fill_view
from warroom.domain.timeline import slack_time
from warroom.services.timeline import RECORDED_REACTION


async def test_reaction_highlights_and_removing_it_unhighlights(room: Room) -> None:
    ts = await room.say("Found it: the cache TTL is 0")
    assert await room.send(room.reaction(ts, user=BOB)) == 200
    entry = await room.entry(ts)
    assert entry is not None and entry.highlighted and entry.occurred_at == slack_time(ts)
    assert await room.send(room.reaction(ts, user=BOB, added=False)) == 200
    entry = await room.entry(ts)
    assert entry is not None and not entry.highlighted


async def test_other_emoji_do_nothing(room: Room) -> None:
    ts = await room.say("Thanks all")
    for emoji in ("eyes", "pushpin2", "tada"):
        assert await room.send(room.reaction(ts, emoji=emoji)) == 200
    entry = await room.entry(ts)
    assert entry is not None and not entry.highlighted


async def test_one_removal_keeps_what_other_sources_still_mark(room: Room) -> None:
    message = room.message("Mitigation: traffic shifted to us-east")
    assert await room.send(message) == 200
    ts = message["ts"]
    for event in (room.reaction(ts, user=BOB), room.reaction(ts, user=CAROL), room.pin(message)):
        assert await room.send(event) == 200
    assert await room.send(room.reaction(ts, user=BOB, added=False)) == 200
    assert await room.send(room.pin(message, added=False)) == 200
    entry = await room.entry(ts)
    assert entry is not None and entry.highlighted  # Carol's reaction still marks it
    assert await room.sources(entry.id) == {
        f"reaction:{BOB}": False,
        f"reaction:{CAROL}": True,
        "pin": False,
    }
    assert await room.send(room.reaction(ts, user=CAROL, added=False)) == 200
    entry = await room.entry(ts)
    assert entry is not None and not entry.highlighted


async def test_reaction_before_the_message_leaves_a_placeholder_it_fills(room: Room) -> None:
    message = room.message("Root cause: config push at 09:12")
    assert await room.send(room.reaction(message["ts"], user=BOB)) == 200
    entry = await room.entry(message["ts"])
    assert entry is not None and entry.kind == "pending" and entry.highlighted
    assert entry.author_id == ALICE
    assert await room.send(message) == 200
    (entry,) = await room.entries()
    assert entry.kind == "message" and entry.highlighted
    assert entry.text == "Root cause: config push at 09:12"


async def test_unpin_arriving_before_its_pin_leaves_it_unmarked(room: Room) -> None:
    message = room.message("Status page updated")
    assert await room.send(message) == 200
    pinned, unpinned = room.pin(message), room.pin(message, added=False)
    assert await room.send(unpinned) == 200
    assert await room.send(pinned) == 200
    entry = await room.entry(message["ts"])
    assert entry is not None and not entry.highlighted


async def test_pin_highlights_and_unpin_unhighlights(room: Room) -> None:
    message = room.message("Customer comms sent")
    assert await room.send(room.pin(message)) == 200  # the pin carries the message itself
    entry = await room.entry(message["ts"])
    assert entry is not None and entry.highlighted and entry.text == "Customer comms sent"
    assert await room.send(room.pin(message, added=False)) == 200
    entry = await room.entry(message["ts"])
    assert entry is not None and not entry.highlighted


async def test_highlights_on_warrooms_own_messages_are_ignored(room: Room) -> None:
    card_ts = room.incident.card_ts
    assert card_ts is not None
    card = room.message("INC-1", user=OUR_BOT_USER, ts=card_ts, bot_id=OUR_BOT_ID)
    assert await room.send(room.reaction(card_ts, user=BOB, item_user=OUR_BOT_USER)) == 200
    assert await room.send(room.reaction(card_ts, user=BOB, item_user="")) == 200
    assert await room.send(room.pin(card, user=BOB)) == 200
    assert await room.entries() == []


@pytest.mark.both_databases
async def test_concurrent_reactions_agree_with_their_sources(room: Room) -> None:
    ts = await room.say("Everyone: is this the cause?")
    people = [f"UPERSON{n:03d}" for n in range(8)]
    added = [room.reaction(ts, user=p) for p in people]
    removed = [room.reaction(ts, user=p, added=False) for p in people]
    assert set(await asyncio.gather(*(room.send(e) for e in added))) == {200}
    assert set(await asyncio.gather(*(room.send(e) for e in removed[:-1]))) == {200}
    entry = await room.entry(ts)
    assert entry is not None and entry.highlighted
    assert await room.send(removed[-1]) == 200
    entry = await room.entry(ts)
    assert entry is not None and not entry.highlighted


async def shortcut(
    room: Room, message: dict[str, Any], *, channel: str, user: str = BOB
) -> tuple[int, str]:
    body, content_type = message_shortcut(
        message, channel_id=channel, user_id=user, response_url=room.harness.new_response_url()
    )
    return await room.harness.post(body, content_type)


async def test_shortcut_in_the_war_room_highlights_there(room: Room) -> None:
    message = room.message("Blast radius: EU only")
    assert await room.send(message) == 200
    told = len(room.harness.told())
    assert await shortcut(room, message, channel=room.channel) == (200, "")
    entry = await room.entry(message["ts"])
    assert entry is not None and entry.highlighted
    assert (await room.sources(entry.id)) == {f"shortcut:{BOB}": True}
    (answer,) = [c.args for c in await room.harness.slack.wait_for("response_url", told + 1)][told:]
    assert answer["response_type"] == "ephemeral" and "INC-1" in answer["text"]
    assert len(room.harness.slack.calls_to("views.open")) == 1  # the declare form only


async def test_shortcut_elsewhere_picks_an_incident_in_a_modal(room: Room) -> None:
    harness = room.harness
    elsewhere = harness.command_channel
    text = "From #support: customers in FR can't pay <!channel>"
    message = {"type": "message", "user": CAROL, "text": text, "ts": room.ts(-600)}
    opened = len(harness.slack.calls_to("views.open"))
    assert await shortcut(room, message, channel=elsewhere) == (200, "")
    call = (await harness.slack.wait_for("views.open", opened + 1, timeout=WAIT_S))[opened]
    assert call.response["ok"], call.response
    view = call.args["view"]
    assert view["callback_id"] == "add_to_timeline_pick"
    assert "<!channel>" not in json.dumps(view["blocks"])
    assert await room.entry(message["ts"], elsewhere) is None  # nothing stored until picked

    told = len(harness.told())
    body, content_type = view_submission(
        view["callback_id"],
        fill_view(view, {"incident": str(room.incident.id)}),
        user_id=BOB,
        private_metadata=view["private_metadata"],
        view_id=call.response["view"]["id"],
    )
    assert await harness.post(body, content_type) == (200, "")
    entry = await room.entry(message["ts"], elsewhere)
    assert entry is not None and entry.incident_id == room.incident.id and entry.highlighted
    assert entry.text == text and entry.author_id == CAROL
    assert entry.occurred_at == slack_time(message["ts"])
    (answer,) = [c.args for c in await harness.slack.wait_for("response_url", told + 1)][told:]
    assert "INC-1" in answer["text"] and answer["response_type"] == "ephemeral"


async def test_shortcut_pick_without_a_choice_asks_again(room: Room) -> None:
    harness = room.harness
    message = {"type": "message", "user": CAROL, "text": "hm", "ts": room.ts()}
    opened = len(harness.slack.calls_to("views.open"))
    assert await shortcut(room, message, channel=harness.command_channel) == (200, "")
    call = (await harness.slack.wait_for("views.open", opened + 1, timeout=WAIT_S))[-1]
    view = call.args["view"]
    values = fill_view(view, {})
    values["incident"]["incident"]["selected_option"] = None
    body, content_type = view_submission(
        view["callback_id"], values, user_id=BOB, private_metadata=view["private_metadata"]
    )
    status, answer = await harness.post(body, content_type)
    assert status == 200 and json.loads(answer)["response_action"] == "errors"
    assert "incident" in json.loads(answer)["errors"]


async def test_shortcut_on_warrooms_own_message_says_so(room: Room) -> None:
    card = {"type": "message", "user": OUR_BOT_USER, "bot_id": OUR_BOT_ID, "text": "card"}
    card["ts"] = room.incident.card_ts or ""
    told = len(room.harness.told())
    assert await shortcut(room, card, channel=room.channel) == (200, "")
    (answer,) = [c.args for c in await room.harness.slack.wait_for("response_url", told + 1)][told:]
    assert "Warroom's own message" in answer["text"]
    assert await room.entries() == []


async def test_shortcut_with_no_open_incident_says_so(harness: Harness) -> None:
    message = {"type": "message", "user": CAROL, "text": "is prod down?", "ts": "1700000000.000100"}
    body, content_type = message_shortcut(
        message,
        channel_id=harness.command_channel,
        user_id=BOB,
        response_url=harness.new_response_url(),
    )
    assert await harness.post(body, content_type) == (200, "")
    (answer,) = [c.args for c in await harness.slack.wait_for("response_url", timeout=WAIT_S)]
    assert "no open incident" in answer["text"] and answer["response_type"] == "ephemeral"
    assert harness.slack.calls_to("views.open") == []


async def test_private_incidents_are_offered_only_to_their_people(harness: Harness) -> None:
    await harness.declare(title="Public one")
    await harness.declare(title="Secret one", private=["private"], responders=[ALICE])
    message = {"type": "message", "user": CAROL, "text": "see this", "ts": "1700000000.000200"}
    offered = {}
    for user in (ALICE, BOB):
        before = len(harness.slack.calls_to("views.open"))
        body, content_type = message_shortcut(
            message,
            channel_id=harness.command_channel,
            user_id=user,
            response_url=harness.new_response_url(),
        )
        assert await harness.post(body, content_type) == (200, "")
        call = (await harness.slack.wait_for("views.open", before + 1, timeout=WAIT_S))[before]
        (select,) = [b for b in call.args["view"]["blocks"] if b["type"] == "input"]
        offered[user] = {o["text"]["text"] for o in select["element"]["options"]}
    assert offered[ALICE] == {"INC-1: Public one", "INC-2: Secret one"}
    assert offered[BOB] == {"INC-1: Public one"}


async def test_picker_that_cannot_open_is_explained(room: Room) -> None:
    harness = room.harness
    harness.slack.fail("views.open", "expired_trigger_id")
    message = {"type": "message", "user": CAROL, "text": "look", "ts": room.ts()}
    told = len(harness.told())
    assert await shortcut(room, message, channel=harness.command_channel) == (200, "")
    (answer,) = [c.args for c in await harness.slack.wait_for("response_url", told + 1)][told:]
    assert "expired_trigger_id" in answer["text"] and answer["response_type"] == "ephemeral"


# -- Warroom says it heard the 📌 -------------------------------------------------------


async def said_in_slack(room: Room, text: str) -> str:
    """A message that is in Slack (so it can be reacted to) and on the timeline."""
    ts = room.harness.slack.add_message(room.channel, text, user=ALICE)
    assert await room.send(room.message(text, ts=ts)) == 200
    return ts


def our_reactions(room: Room, ts: str) -> list[str]:
    message = room.harness.slack.message(room.channel, ts)
    assert message is not None
    return [r["name"] for r in message.get("reactions", []) if OUR_BOT_USER in r["users"]]


async def test_a_pushpin_is_answered_with_warrooms_reaction_until_the_last_goes(
    room: Room,
) -> None:
    ts = await said_in_slack(room, "Found it: the cache TTL is 0")
    slack = room.harness.slack

    assert await room.send(room.reaction(ts, user=BOB)) == 200
    await room.harness.settle()
    assert our_reactions(room, ts) == [RECORDED_REACTION]

    # A second 📌, and Bob's delivered twice: still one reaction, no error shown anywhere.
    assert await room.send(room.reaction(ts, user=CAROL)) == 200
    assert await room.send(room.reaction(ts, user=BOB)) == 200
    await room.harness.settle()
    assert our_reactions(room, ts) == [RECORDED_REACTION]
    assert [c.response.get("error") for c in slack.calls_to("reactions.add") if not c.ok] in (
        [],
        ["already_reacted"],
        ["already_reacted", "already_reacted"],
    )

    assert await room.send(room.reaction(ts, user=BOB, added=False)) == 200
    await room.harness.settle()
    assert our_reactions(room, ts) == [RECORDED_REACTION]  # Carol's 📌 still marks it

    assert await room.send(room.reaction(ts, user=CAROL, added=False)) == 200
    await room.harness.settle()
    assert our_reactions(room, ts) == []
    entry = await room.entry(ts)
    assert entry is not None and not entry.highlighted
    assert [c.args["name"] for c in slack.calls_to("reactions.remove")] == [RECORDED_REACTION]


async def test_removing_a_pushpin_never_acknowledged_is_no_failure(room: Room) -> None:
    ts = await said_in_slack(room, "Rollback started")
    room.harness.slack.fail("reactions.add", "internal_error", times=5)

    assert await room.send(room.reaction(ts, user=BOB)) == 200
    await room.harness.settle()
    entry = await room.entry(ts)
    assert entry is not None and entry.highlighted  # Slack refusing never loses it
    assert our_reactions(room, ts) == []

    assert await room.send(room.reaction(ts, user=BOB, added=False)) == 200
    await room.harness.settle()
    (removal,) = room.harness.slack.calls_to("reactions.remove")
    assert removal.response.get("error") == "no_reaction"  # and that is success
    entry = await room.entry(ts)
    assert entry is not None and not entry.highlighted


async def test_warrooms_own_reaction_is_not_a_highlight(room: Room) -> None:
    ts = await said_in_slack(room, "Thanks all")
    event = room.reaction(ts, user=OUR_BOT_USER, emoji="pushpin")
    assert await room.send(event) == 200
    await room.harness.settle()
    entry = await room.entry(ts)
    assert entry is not None and not entry.highlighted
    assert room.harness.slack.calls_to("reactions.add") == []


async def test_a_pin_alone_is_not_answered_with_a_reaction(room: Room) -> None:
    ts = await said_in_slack(room, "Customer comms sent")
    message = room.message("Customer comms sent", ts=ts)
    assert await room.send(room.pin(message)) == 200
    assert await room.send(room.pin(message, added=False)) == 200
    await room.harness.settle()
    slack = room.harness.slack
    assert slack.calls_to("reactions.add") == [] and slack.calls_to("reactions.remove") == []
