"""A deleted message's text is gone: from the database (entry and every earlier version),
from `/incident timeline` and from the postmortem draft. Only "deleted by X at T" stays,
unless the policy's `keep_deleted_text` keeps the text stored (still never shown).

Each test replays the attack: a password pasted into a war room, edited, pinned, then
deleted in Slack, with Slack's own events over signed HTTP.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.harness import Clock, Harness, start_harness
from tests.test_lifecycle import resolve
from tests.timeline.room import ALICE, Room
from warroom.domain.policy import PolicyError, parse_policy
from warroom.store.models import PostmortemRow, TimelineEntryRow, TimelineRevisionRow

PASSWORD = "hunter2-PASTED"
SHOWN_DELETED = "deleted by"


async def _paste_edit_pin_delete(room: Room) -> str:
    """Alice pastes a password, edits it once, it gets pinned (key entry), she deletes it."""
    ts = await room.say(f"db password is {PASSWORD}")
    edited = room.changed(ts, f"db password is {PASSWORD}", f"db password is {PASSWORD}!")
    assert await room.send(edited) == 200
    assert await room.send(room.reaction(ts)) == 200
    entry = await room.entry(ts)
    assert entry is not None and entry.highlighted and PASSWORD in entry.text
    assert [PASSWORD in r.text for r in await room.revisions(entry.id)] == [True]
    assert await room.send(room.deleted(ts, f"db password is {PASSWORD}!")) == 200
    return ts


async def _stored_anywhere(harness: Harness) -> list[str]:
    """Every stored text that holds the password (entries, revisions, postmortems)."""
    async with harness.runtime.store.transaction() as session:
        texts = [
            *(await session.execute(select(TimelineEntryRow.text))).scalars(),
            *(
                json.dumps(d)
                for d in (await session.execute(select(TimelineEntryRow.data))).scalars()
            ),
            *(await session.execute(select(TimelineRevisionRow.text))).scalars(),
            *(await session.execute(select(PostmortemRow.markdown))).scalars(),
        ]
    return [t for t in texts if PASSWORD in t]


async def _shows_deleted(room: Room) -> str:
    """`/incident timeline` in the room, which must show the entry as deleted."""
    status, answer = await room.command("timeline")
    assert status == 200
    shown = json.dumps(answer)
    assert SHOWN_DELETED in shown
    return shown


async def _draft(harness: Harness, room: Room) -> str:
    await resolve(harness, room.incident, "Rotated the password")
    await harness.tick()
    async with harness.runtime.store.transaction() as session:
        row = await session.get(PostmortemRow, room.incident.id)
    assert row is not None and row.file_id
    file = harness.slack.file(row.file_id)
    assert file is not None and file["content"] == row.markdown
    return row.markdown


async def test_deleted_text_is_purged_from_entry_revisions_views_and_drafts(room: Room) -> None:
    ts = await _paste_edit_pin_delete(room)
    entry = await room.entry(ts)
    assert entry is not None and entry.deleted_at is not None
    assert entry.text == "" and await room.revisions(entry.id) == []
    assert entry.data.get("deleted_by") == ALICE, "Slack names no deleter: the author is kept"
    assert await _stored_anywhere(room.harness) == []

    shown = await _shows_deleted(room)
    assert PASSWORD not in shown and f"<@{ALICE}>" in shown

    markdown = await _draft(room.harness, room)
    assert PASSWORD not in markdown and "_(deleted)_" in markdown
    assert await _stored_anywhere(room.harness) == []


async def test_what_arrives_after_the_deletion_does_not_bring_the_text_back(room: Room) -> None:
    """Slack's events come in any order: the deletion first, then the message, an edit,
    a pin carrying the message. None of them stores the text again."""
    ts = room.ts()
    original = room.message(f"token {PASSWORD}", ts=ts)
    assert await room.send(room.deleted(ts, f"token {PASSWORD}")) == 200
    assert await room.send(original) == 200
    assert await room.send(room.changed(ts, f"token {PASSWORD}", f"token {PASSWORD}?")) == 200
    assert await room.send(room.pin(original)) == 200
    (entry,) = await room.entries()
    assert entry.deleted_at is not None and entry.text == "" and entry.highlighted
    assert await room.revisions(entry.id) == []
    assert await _stored_anywhere(room.harness) == []
    assert PASSWORD not in await _shows_deleted(room)


@pytest.fixture
async def keeping(database_url: str, clock: Clock, tmp_path: Path) -> AsyncIterator[Harness]:
    """Warroom under a policy that keeps deleted text."""
    shipped = Path(__file__).parents[2] / "src" / "warroom" / "default_policy.toml"
    text = shipped.read_text(encoding="utf-8")
    assert "keep_deleted_text = false" in text
    policy = tmp_path / "policy.toml"
    policy.write_text(text.replace("keep_deleted_text = false", "keep_deleted_text = true"))
    async with start_harness(database_url, clock, policy_file=policy) as running:
        yield running


async def test_the_policy_switch_keeps_deleted_text_stored_but_never_shown(
    keeping: Harness,
) -> None:
    assert keeping.runtime.policy.keep_deleted_text
    room = Room(keeping, await keeping.declare())
    ts = await _paste_edit_pin_delete(room)
    entry = await room.entry(ts)
    assert entry is not None and entry.deleted_at is not None and PASSWORD in entry.text
    assert [PASSWORD in r.text for r in await room.revisions(entry.id)] == [True]

    assert PASSWORD not in await _shows_deleted(room)
    markdown = await _draft(keeping, room)
    assert PASSWORD not in markdown and "_(deleted)_" in markdown


async def test_a_draft_that_quoted_the_message_is_drafted_again_without_it(room: Room) -> None:
    ts = await room.say(f"db password is {PASSWORD}")
    assert await room.send(room.reaction(ts)) == 200
    assert PASSWORD in await _draft(room.harness, room), "a key entry is quoted in the draft"
    async with room.harness.runtime.store.transaction() as session:
        old = await session.get_one(PostmortemRow, room.incident.id)
        old_summary, old_file = old.message_ts, old.file_id
    assert old_summary and old_file
    assert await room.send(room.deleted(ts, f"db password is {PASSWORD}")) == 200
    await room.harness.tick()
    assert await _stored_anywhere(room.harness) == []
    async with room.harness.runtime.store.transaction() as session:
        row = await session.get(PostmortemRow, room.incident.id)
    assert row is not None and row.file_id
    file = room.harness.slack.file(row.file_id)
    assert file is not None and PASSWORD not in file["content"], "the new draft is attached"
    slack, channel = room.harness.slack, room.incident.channel_id or ""
    assert slack.file(old_file) is None, "the draft that quoted it is deleted from Slack"
    assert slack.message(channel, old_summary) is None
    assert PASSWORD not in json.dumps(slack.messages(channel)[-3:])


def test_the_policy_switch_is_checked() -> None:
    shipped = Path(__file__).parents[2] / "src" / "warroom" / "default_policy.toml"
    text = shipped.read_text(encoding="utf-8")
    assert parse_policy(text).keep_deleted_text is False
    with pytest.raises(PolicyError, match="keep_deleted_text"):
        parse_policy(text.replace("keep_deleted_text = false", 'keep_deleted_text = "yes"'))
