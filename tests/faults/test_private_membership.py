"""Nobody outside a private incident learns of it, and "outside" is who is in its room now.

Each test replays an attack over signed HTTP through the real app, on both databases:
an outsider using "Add to incident timeline" on a message already on a private
incident; reminders falling due for people no longer in the room; someone removed
from the room still looking for the incident on every surface.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import timedelta
from typing import Any

from fakeslack import view_submission
from tests.harness import REPORTER, TEAM_ID, Harness
from tests.test_action_items import HOURS, MY_JOBS, today
from tests.test_lifecycle import resolve
from tests.timeline.room import Room, message_shortcut
from warroom.domain.incident import Incident
from warroom.domain.timeline import Cursor, SlackMessage
from warroom.domain.working_days import after_working_days, next_working_day, overdue_at
from warroom.services.audience import MEMBERS_TTL
from warroom.slack.blocks.action_items import ADD_ACTION, PAGE_ACTION
from warroom.slack.blocks.timeline import (
    PICK_ACTION,
    PICK_BLOCK,
    PICK_CALLBACK_ID,
    SHOW_EARLIER_ACTION,
    ShortcutOrigin,
)
from warroom.store.models import TimelineHighlightRow

SECRET = "Payroll export leaks PRIVSECRET"
MEMBER = "UMEMBER001"
OUTSIDER = "UOUTSIDE01"
OWNER = "UOWNER0001"
KEEPER = "UKEEPER001"
HIDDEN = "already on an incident you can't see"


def _secret(incident: Incident) -> re.Pattern[str]:
    return re.compile(rf"PRIVSECRET|{incident.channel_id}|{incident.reference}(?!\d)")


async def _private(harness: Harness, *members: str) -> tuple[Incident, Incident]:
    public = await harness.declare(title="Public checkout outage")
    incident = await harness.declare(
        title=SECRET, severity="SEV3", private=["private"], responders=list(members)
    )
    assert incident.private and incident.channel_id
    return public, incident


async def _remove(harness: Harness, incident: Incident, user: str, *, tell: bool = True) -> None:
    """`user` is removed from the room in Slack; with `tell`, Slack's event reaches Warroom."""
    assert incident.channel_id
    harness.slack.remove_member(incident.channel_id, user)
    if tell:
        event = {
            "type": "member_left_channel",
            "user": user,
            "channel": incident.channel_id,
            "channel_type": "G",
            "team": TEAM_ID,
        }
        assert await Room(harness, incident).send(event) == 200


async def _shortcut(
    harness: Harness, message: dict[str, Any], channel: str, user: str
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """`user` uses the shortcut on `message`; returns (views opened, private answers)."""
    url = harness.new_response_url()
    key = url.rsplit("/", 1)[1]
    views, told = len(harness.slack.calls_to("views.open")), len(harness.told())
    body, kind = message_shortcut(message, channel_id=channel, user_id=user, response_url=url)
    status, _ = await harness.post(body, kind)
    assert status == 200
    await harness.settle()
    opened = [c.args["view"] for c in harness.slack.calls_to("views.open")[views:]]
    answers = [a for a in harness.told()[told:] if a.get("key") == key]
    return opened, answers


async def _pick(
    harness: Harness, message: dict[str, Any], channel: str, user: str, incident_id: int
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A picker submission for `incident_id` (forged: Slack would only offer what was shown)."""
    url = harness.new_response_url()
    key = url.rsplit("/", 1)[1]
    origin = ShortcutOrigin(
        SlackMessage(channel, message["ts"], "message", message["user"], message["text"]), url
    )
    option = {"value": str(incident_id), "text": {"type": "plain_text", "text": "x"}}
    values = {PICK_BLOCK: {PICK_ACTION: {"type": "static_select", "selected_option": option}}}
    told = len(harness.told())
    body, kind = view_submission(
        PICK_CALLBACK_ID,
        values,
        user_id=user,
        team_id=TEAM_ID,
        private_metadata=origin.encode(),
        view_id="V0PICK",
    )
    status, answer = await harness.post(body, kind)
    assert status == 200
    await harness.settle()
    return (json.loads(answer) if answer else {}), [
        a for a in harness.told()[told:] if a.get("key") == key
    ]


def _options(view: dict[str, Any]) -> set[str]:
    block = next(b for b in view["blocks"] if b["block_id"] == PICK_BLOCK)
    return {o["value"] for o in block["element"]["options"]}


async def _sources(harness: Harness, entry_id: int) -> dict[str, bool]:
    async with harness.runtime.store.transaction() as session:
        rows = await session.execute(
            TimelineHighlightRow.__table__.select().where(TimelineHighlightRow.entry_id == entry_id)
        )
        return {row.source: row.active for row in rows}


async def test_outsider_shortcut_on_a_message_already_on_a_private_incident_learns_nothing(
    harness: Harness,
) -> None:
    public, incident = await _private(harness, MEMBER)
    general = harness.command_channel
    ts = harness.slack.add_message(general, "payroll numbers look off", user=MEMBER)
    message = {"type": "message", "user": MEMBER, "text": "payroll numbers look off", "ts": ts}

    (picker,), _ = await _shortcut(harness, message, general, MEMBER)
    assert str(incident.id) in _options(picker)
    reply, told = await _pick(harness, message, general, MEMBER, incident.id)
    assert reply == {} and "Added to the key timeline" in told[0]["text"]
    (entry,) = [e for e in await harness.timeline(incident.id) if e.slack_ts == ts]
    assert await _sources(harness, entry.id) == {f"shortcut:{MEMBER}": True}

    calls = len(harness.slack.calls)
    opened, answers = await _shortcut(harness, message, general, OUTSIDER)
    assert opened == [], "no picker either: it would say the message is taken"
    (answer,) = answers
    assert HIDDEN in answer["text"] and not _secret(incident).search(json.dumps(answer))

    reply, answers = await _pick(harness, message, general, OUTSIDER, public.id)
    assert reply == {} and HIDDEN in answers[0]["text"]
    assert not _secret(incident).search(json.dumps(answers))

    for call in harness.slack.calls[calls:]:
        assert not _secret(incident).search(json.dumps(call.args)), call.method
    assert await _sources(harness, entry.id) == {f"shortcut:{MEMBER}": True}
    assert [e.id for e in await harness.timeline(public.id) if e.slack_ts == ts] == []


async def test_private_reminders_never_dm_people_outside_the_room(harness: Harness) -> None:
    _, incident = await _private(harness, MEMBER)
    room = incident.channel_id or ""
    secret = _secret(incident)
    lifecycle = harness.runtime.lifecycle  # a team that writes postmortems for SEV3 too
    lifecycle.policy = replace(
        lifecycle.policy,
        severities=tuple(
            replace(level, postmortem_required=True) for level in lifecycle.policy.severities
        ),
    )
    await harness.press(incident, "role_take:commander", user=MEMBER)
    due = today(harness) + timedelta(days=1)
    for text in (
        f"action Rotate PRIVSECRET keys <@{OWNER}> due {due}",
        f"action Audit PRIVSECRET exports <@{KEEPER}> due {due}",
    ):
        status, _ = await harness.command(text, channel=room)
        assert status == 200
    await harness.settle()
    members = harness.slack.channel(room)
    assert members is not None and {OWNER, KEEPER, MEMBER} <= members.members

    await _remove(harness, incident, OWNER)  # removed before their item falls due
    start = len(harness.slack.calls)
    owner_at = overdue_at(HOURS, due)
    await harness.tick(seconds=(owner_at - harness.clock()).total_seconds())
    in_room = [m["text"] for m in harness.slack.messages(room) if "⏰" in m.get("text", "")]
    (to_ic,) = [t for t in in_room if f"was for <@{OWNER}>" in t]
    assert to_ic.startswith(f"<@{MEMBER}>") and "Rotate PRIVSECRET keys" in to_ic
    assert _dms(harness, KEEPER, start), "an owner still in the room is DMed as before"

    await _remove(harness, incident, MEMBER)  # the IC leaves before the escalation
    left = len(harness.slack.calls)
    escalate_at = next_working_day(HOURS, owner_at)
    await harness.tick(seconds=(escalate_at - harness.clock()).total_seconds())
    escalated = [m["text"] for m in harness.slack.messages(room) if "As IC of" in m["text"]]
    (to_room,) = escalated
    assert to_room.startswith("<!here>") and f"was for <@{MEMBER}>" in to_room

    await resolve(harness, incident, "Keys rotated")
    resolved = next(i for i in await harness.incidents() if i.id == incident.id)
    assert resolved.resolved_at is not None
    due_pm = after_working_days(HOURS, resolved.resolved_at, 5)
    await harness.tick(seconds=(due_pm - harness.clock()).total_seconds())
    assert any("📝" in m["text"] for m in harness.slack.messages(room))

    for outsider, since in ((OWNER, start), (MEMBER, left)):
        leaked = [t for t in _dms(harness, outsider, since) if secret.search(t)]
        assert leaked == [], (outsider, leaked)
    reminders = [e.data for e in await harness.timeline(incident.id) if e.kind == "reminder"]
    told = {(d["job"], d["to"], d["channel"]) for d in reminders if d.get("job") in MY_JOBS}
    assert ("action_item_overdue", MEMBER, room) in told
    assert ("action_item_escalate", "here", room) in told
    assert ("postmortem_open", "here", room) in told


def _dms(harness: Harness, user: str, since: int) -> list[str]:
    """What Warroom posted to `user` directly (DM) after call number `since`."""
    dm = harness.slack.dm_channel(user)
    return [
        json.dumps(c.args)
        for c in harness.slack.calls[since:]
        if c.method == "chat.postMessage" and c.args.get("channel") in {user, dm}
    ]


async def test_someone_removed_from_the_room_stops_seeing_the_incident(harness: Harness) -> None:
    public, incident = await _private(harness, MEMBER, KEEPER)
    room = Room(harness, incident)
    general = harness.command_channel
    said = room.message("PRIVSECRET rows exported", user=REPORTER)
    assert await room.send(said) == 200
    seen = {"type": "message", "user": REPORTER, "text": said["text"], "ts": said["ts"]}

    async def sees(user: str) -> dict[str, bool]:
        status, listing = await harness.command("note where?", user=user)
        assert status == 200
        ts = harness.slack.add_message(general, "is this related?", user=user)
        theirs = {"type": "message", "user": user, "text": "is this related?", "ts": ts}
        (picker,), _ = await _shortcut(harness, theirs, general, user)
        _, answers = await _shortcut(harness, seen, room.channel, user)
        picked, _ = await _pick(harness, theirs, general, user, incident.id)
        return {
            "listing": incident.reference in listing,
            "picker": str(incident.id) in _options(picker),
            "shortcut": "Added to the key timeline" in answers[0]["text"],
            "pick": picked == {},
        }

    everything = {"listing": True, "picker": True, "shortcut": True, "pick": True}
    nothing = dict.fromkeys(everything, False)
    assert await sees(MEMBER) == everything
    assert await sees(KEEPER) == everything
    assert await sees(OUTSIDER) == nothing

    await _remove(harness, incident, MEMBER)  # Slack tells Warroom: seen at once
    assert await sees(MEMBER) == nothing
    await _remove(harness, incident, KEEPER, tell=False)  # the event is lost
    harness.clock.advance(seconds=MEMBERS_TTL.total_seconds() + 1)
    assert await sees(KEEPER) == nothing
    assert await sees(REPORTER) == everything
    status, listing = await harness.command("note where?", user=MEMBER)
    assert status == 200 and public.reference in listing


async def test_forged_buttons_show_no_private_incident(harness: Harness) -> None:
    """Buttons only ever appear to people who may see the incident, but their values are
    just text to forge: "Show earlier", "Add action item" and the action-item pages."""
    _, incident = await _private(harness, MEMBER)
    cursor = Cursor(incident.id, harness.clock() + timedelta(days=1), 10**9, 0).encode()
    presses = [
        (SHOW_EARLIER_ACTION, cursor),
        (ADD_ACTION, str(incident.id)),
        (f"{PAGE_ACTION}:next", f"{incident.id}:0"),
    ]
    for action_id, value in presses:
        for user, shown in ((OUTSIDER, False), (MEMBER, True)):
            told, views = len(harness.told()), len(harness.slack.calls_to("views.open"))
            status, _ = await harness.click(action_id, value, user=user)
            assert status == 200
            await harness.settle()
            answers = [
                *harness.told()[told:],
                *(c.args for c in harness.slack.calls_to("views.open")[views:]),
            ]
            assert answers, (action_id, user, "never silence")
            seen = any(_secret(incident).search(json.dumps(a)) for a in answers)
            assert seen is shown, (action_id, user, answers)
