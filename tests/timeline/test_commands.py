"""`/incident note|symptom|hypothesis|action|result` and `/incident timeline`."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import delete

from fakeslack import block_problems
from tests.harness import WAIT_S, Harness
from tests.payloads import mrkdwn_texts
from tests.timeline.room import ALICE, BOB, Room
from warroom.domain.timeline import TYPED_KINDS
from warroom.store.models import TimelineEntryRow


@pytest.mark.parametrize("kind", [k for k in TYPED_KINDS if k != "action"])
async def test_typed_entry_is_stored_and_posted_in_the_room(room: Room, kind: str) -> None:
    status, answer = await room.command(f"{kind} p99 at 4s &lt;see graph&gt; <@{BOB}|bob>")
    assert status == 200 and answer["response_type"] == "in_channel"
    assert f"<@{ALICE}>" in answer["text"] and answer["text"].endswith("@bob")
    assert f"<@{BOB}" not in answer["text"]
    assert block_problems(answer["blocks"], surface="message") == []
    entry = (await room.harness.timeline(room.incident.id))[-1]
    assert (entry.kind, entry.author_id) == (kind, ALICE)
    assert entry.text == f"p99 at 4s &lt;see graph&gt; <@{BOB}|bob>"
    assert entry.occurred_at == room.harness.clock()


@pytest.mark.parametrize(
    "text", ["payload too large from the edge", "payload={}", 'payload={"type":"block_actions"}']
)
async def test_text_that_mentions_payload_is_still_a_command(room: Room, text: str) -> None:
    """Bolt takes any form body containing "payload" for an interaction."""
    status, answer = await room.command(f"note {text}")
    assert status == 200 and answer["response_type"] == "in_channel"
    entry = (await room.harness.timeline(room.incident.id))[-1]
    assert (entry.kind, entry.text) == ("note", text)


async def test_action_is_a_tracked_item_that_also_lands_on_the_timeline(room: Room) -> None:
    """`/incident action` creates an action item (issue 5); it is logged as an `action` entry."""
    status, _ = await room.command(f"action add a pool-size alert <@{BOB}|bob>")
    assert status == 200
    await room.harness.settle()
    entry = (await room.harness.timeline(room.incident.id))[-1]
    assert (entry.kind, entry.author_id) == ("action", ALICE)
    assert entry.text == "add a pool-size alert" and entry.data["owner"] == BOB


async def test_typed_entry_never_broadcasts(room: Room) -> None:
    status, answer = await room.command("note <!channel> <!subteam^S1|@oncall> look")
    assert status == 200
    flat = json.dumps([answer["text"], *mrkdwn_texts(answer["blocks"])])
    assert "<!channel>" not in flat and "<!subteam" not in flat and "@oncall" in flat


async def test_typed_entry_without_text_explains_itself(room: Room) -> None:
    before = len(await room.harness.timeline(room.incident.id))
    status, answer = await room.command("hypothesis   ")
    assert status == 200 and answer.get("response_type", "ephemeral") == "ephemeral"
    assert "/incident hypothesis" in answer["text"]
    assert len(await room.harness.timeline(room.incident.id)) == before


@pytest.mark.parametrize("text", ["note the DB is slow", "timeline"])
async def test_incident_commands_outside_a_war_room(room: Room, text: str) -> None:
    status, answer = await room.command(text, channel=room.harness.command_channel)
    assert status == 200 and answer.get("response_type", "ephemeral") == "ephemeral"
    assert "war-room channel" in answer["text"] and f"<#{room.channel}>" in answer["text"]
    assert len(await room.harness.timeline(room.incident.id)) == 1


def entry_texts(message: dict[str, Any]) -> list[str]:
    return [b["text"]["text"] for b in message["blocks"][1:] if b["type"] == "section"]


def earlier_button(message: dict[str, Any]) -> str | None:
    for block in message["blocks"]:
        if block["type"] == "actions":
            (button,) = block["elements"]
            assert button["action_id"] == "timeline_show_earlier"
            return str(button["value"])
    return None


async def show_earlier(harness: Harness, room: Room, value: str) -> dict[str, Any]:
    told = len(harness.told())
    status, _ = await harness.click(
        "timeline_show_earlier", value, user=ALICE, channel_id=room.channel
    )
    assert status == 200
    calls = await harness.slack.wait_for("response_url", told + 1, timeout=WAIT_S)
    answer = calls[told].args
    assert answer["replace_original"] is True and answer["response_type"] == "ephemeral"
    return answer


async def test_timeline_pages_key_entries_newest_last(room: Room) -> None:
    harness = room.harness
    chatter = await room.say("just chatter, not key")
    for n in range(1, 45):
        harness.clock.advance(seconds=1)
        if n % 4 == 0:
            ts = await room.say(f"key message {n}", ts=room.ts(n))
            assert await room.send(room.reaction(ts)) == 200
        else:
            assert (await room.command(f"note step {n}"))[0] == 200
    status, first = await room.command("timeline", user=BOB)
    assert status == 200 and first.get("response_type", "ephemeral") == "ephemeral"
    assert block_problems(first["blocks"], surface="message") == []
    assert "entries 26-45 of 45" in first["text"]
    texts = entry_texts(first)
    assert len(texts) == 20 and "step 43" in texts[-2] and "key message 44" in texts[-1]
    assert all("<!date^" in t for t in texts) and not any("chatter" in t for t in texts)
    value = earlier_button(first)
    assert value is not None

    second = await show_earlier(harness, room, value)
    assert block_problems(second["blocks"], surface="message") == []
    texts = entry_texts(second)
    assert len(texts) == 20 and "step 5" in texts[0] and "key message 24" in texts[-1]
    value = earlier_button(second)
    assert value is not None

    third = await show_earlier(harness, room, value)
    texts = entry_texts(third)
    assert len(texts) == 5 and "Declared" in texts[0] and "key message 4" in texts[-1]
    assert earlier_button(third) is None and "entries 1-5 of 45" in third["text"]
    assert (await room.entry(chatter)) is not None


async def test_empty_key_timeline_says_how_to_fill_it(room: Room) -> None:
    async with room.harness.runtime.store.transaction() as session:
        await session.execute(delete(TimelineEntryRow))
    status, answer = await room.command("timeline")
    assert status == 200 and ":pushpin:" in answer["text"] + json.dumps(answer["blocks"])
