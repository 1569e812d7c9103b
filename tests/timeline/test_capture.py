"""Every message in a war room lands on the timeline once, whatever order Slack sends it in."""

from __future__ import annotations

import asyncio

import pytest

from tests.timeline.room import ALICE, BOB, OUR_BOT_ID, OUR_BOT_USER, Room, random_event_id
from warroom.domain.timeline import slack_time


async def test_message_is_stored_with_author_text_and_time(room: Room) -> None:
    ts = await room.say("Error rate is 40% &amp; climbing, <@UBOB000001> <!here>")
    entry = await room.entry(ts)
    assert entry is not None and entry.incident_id == room.incident.id
    assert (entry.kind, entry.author_id) == ("message", ALICE)
    assert entry.text == "Error rate is 40% &amp; climbing, <@UBOB000001> <!here>"
    assert entry.occurred_at == slack_time(ts) and entry.occurred_at.tzinfo is not None
    assert (entry.slack_channel_id, entry.slack_ts) == (room.channel, ts)
    assert not entry.highlighted and entry.edited_at is None and entry.deleted_at is None


async def test_thread_reply_keeps_its_thread(room: Room) -> None:
    parent = await room.say("Rolling back 4.2")
    reply = await room.say("Rollback done", user=BOB, thread_ts=parent, parent_user_id=ALICE)
    entry = await room.entry(reply)
    assert entry is not None and entry.kind == "message" and entry.data["thread_ts"] == parent
    broadcast = await room.say("Also in channel", thread_ts=parent, subtype="thread_broadcast")
    assert (await room.entry(broadcast)) is not None


async def test_file_share_records_file_names(room: Room) -> None:
    files = [{"id": "F1", "name": "grafana.png", "title": "Grafana"}, {"id": "F2", "name": "x.log"}]
    ts = await room.say("Dashboards", subtype="file_share", files=files, upload=False)
    entry = await room.entry(ts)
    assert entry is not None and entry.kind == "file_share"
    assert entry.data["files"] == ["grafana.png", "x.log"] and entry.text == "Dashboards"


async def test_other_bots_are_recorded_as_bot_messages_and_ours_are_not(room: Room) -> None:
    other = room.message("Deploy 4.2.1 finished", user="", subtype="bot_message")
    del other["user"]
    other.update(bot_id="BDEPLOYBOT", username="deploy-bot")
    assert await room.send(other) == 200
    entry = await room.entry(other["ts"])
    assert entry is not None and entry.kind == "bot_message"
    assert entry.author_id == "BDEPLOYBOT" and entry.data["username"] == "deploy-bot"

    app_bot = room.message("PagerDuty: acknowledged", user="UPAGERDUTY", bot_id="BPAGERDUTY")
    assert await room.send(app_bot) == 200
    assert (await room.entry(app_bot["ts"])).kind == "bot_message"  # type: ignore[union-attr]

    ours = room.message("card", user=OUR_BOT_USER, bot_id=OUR_BOT_ID)
    by_id = room.message("update", user="", subtype="bot_message", bot_id=OUR_BOT_ID)
    del by_id["user"]
    for event in (ours, by_id):
        assert await room.send(event) == 200
        assert await room.entry(event["ts"]) is None


async def test_channel_housekeeping_is_not_the_timeline(room: Room) -> None:
    for subtype in ("channel_join", "channel_topic", "channel_purpose", "pinned_item"):
        await room.say(f"<@{BOB}> did {subtype}", user=BOB, subtype=subtype)
    replied = {
        "type": "message",
        "subtype": "message_replied",
        "channel": room.channel,
        "hidden": True,
        "message": room.message("parent", thread_ts="1.000001", reply_count=1),
        "ts": room.ts(),
    }
    assert await room.send(replied) == 200
    assert await room.entries() == []


async def test_messages_elsewhere_are_ignored(room: Room) -> None:
    event = room.message("lunch?", channel=room.harness.command_channel)
    assert await room.send(event) == 200
    assert await room.entries() == []
    assert await room.entry(event["ts"], room.harness.command_channel) is None


async def test_edit_keeps_the_original_as_history(room: Room) -> None:
    ts = await room.say("Cause: DNS")
    changed = room.changed(ts, "Cause: DNS", "Cause: expired TLS certificate")
    assert await room.send(changed) == 200
    entry = await room.entry(ts)
    assert entry is not None and entry.text == "Cause: expired TLS certificate"
    assert entry.edited_at == slack_time(changed["message"]["edited"]["ts"])
    (original,) = await room.revisions(entry.id)
    assert (original.text, original.version_ts) == ("Cause: DNS", ts)

    second = room.changed(ts, "Cause: expired TLS certificate", "Cause: expired cert on LB")
    second["previous_message"]["edited"] = changed["message"]["edited"]
    assert await room.send(second) == 200
    assert await room.send(second, retry_num=1) == 200
    entry = await room.entry(ts)
    assert entry is not None and entry.text == "Cause: expired cert on LB"
    history = [r.text for r in await room.revisions(entry.id)]
    assert history == ["Cause: DNS", "Cause: expired TLS certificate"]


async def test_delete_marks_the_entry_and_purges_its_text(room: Room) -> None:
    ts = await room.say("password is hunter2")
    assert await room.send(room.deleted(ts, "password is hunter2")) == 200
    entry = await room.entry(ts)
    assert entry is not None and entry.deleted_at is not None
    assert entry.text == "" and entry.data["deleted_by"] == ALICE


async def test_edit_before_the_message_arrives(room: Room) -> None:
    ts = room.ts()
    original = room.message("Restarting pods", ts=ts)
    assert await room.send(room.changed(ts, "Restarting pods", "Restarting api pods")) == 200
    entry = await room.entry(ts)
    assert entry is not None and entry.text == "Restarting api pods"
    assert entry.occurred_at == slack_time(ts) and entry.edited_at is not None
    assert await room.send(original) == 200
    entry = await room.entry(ts)
    assert entry is not None and entry.text == "Restarting api pods"
    assert [r.text for r in await room.revisions(entry.id)] == ["Restarting pods"]
    assert len(await room.entries()) == 1


async def test_delete_before_the_message_arrives(room: Room) -> None:
    ts = room.ts()
    assert await room.send(room.deleted(ts, "oops wrong channel")) == 200
    assert await room.send(room.message("oops wrong channel", ts=ts)) == 200
    (entry,) = await room.entries()
    assert entry.deleted_at is not None and entry.text == ""
    assert entry.kind == "message"


async def test_deleted_thread_parent_becomes_a_tombstone_not_new_text(room: Room) -> None:
    ts = await room.say("Parent with replies")
    tombstone = room.changed(ts, "Parent with replies", "This message was deleted.")
    tombstone["message"]["subtype"] = "tombstone"
    del tombstone["message"]["edited"]
    assert await room.send(tombstone) == 200
    entry = await room.entry(ts)
    assert entry is not None and entry.deleted_at is not None
    assert entry.text == "", "the tombstone's text is not stored, nor is the original"


async def test_unfurl_without_an_edit_changes_nothing(room: Room) -> None:
    ts = await room.say("see https://status.example.com")
    unfurl = room.changed(ts, "see https://status.example.com", "see https://status.example.com")
    del unfurl["message"]["edited"]
    unfurl["message"]["attachments"] = [{"title": "Status"}]
    assert await room.send(unfurl) == 200
    entry = await room.entry(ts)
    assert entry is not None and entry.edited_at is None
    assert await room.revisions(entry.id) == []


@pytest.mark.both_databases
async def test_retried_and_duplicated_events_store_one_entry(room: Room) -> None:
    event = room.message("Paging DB on-call")
    event_id = random_event_id()
    assert await room.send(event, event_id=event_id) == 200
    assert await room.send(event, event_id=event_id, retry_num=1) == 200
    assert await room.send(event, event_id=event_id, retry_num=2) == 200
    assert await room.send(event, event_id=random_event_id()) == 200  # a duplicate, no header
    results = await asyncio.gather(*(room.send(event) for _ in range(5)))
    assert set(results) == {200}
    (entry,) = await room.entries()
    assert entry.text == "Paging DB on-call"


@pytest.mark.both_databases
async def test_many_messages_at_once_are_all_kept(room: Room) -> None:
    events = [room.message(f"line {n}", user=BOB) for n in range(30)]
    assert set(await asyncio.gather(*(room.send(e) for e in events))) == {200}
    stored = await room.entries()
    assert sorted(e.text for e in stored) == sorted(f"line {n}" for n in range(30))
