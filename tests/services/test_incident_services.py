"""Roles, status updates, the timeline, resolving and closing: each use case called
directly, with what it stored and what it asked Slack to do."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.services.conftest import REPORTER, World
from warroom.domain.status_update import StatusUpdate
from warroom.domain.timeline import SlackMessage
from warroom.services.lifecycle import POSTMORTEM_DRAFT, Refused
from warroom.services.reminders import UPDATE_DUE
from warroom.services.roles import RoleChange, RoleHeld

ALICE, BOB = "UALICE0001", "UBOB000002"


async def test_taking_a_free_role_then_handing_it_over(world: World) -> None:
    incident = await world.declare(responders=(ALICE, BOB))

    taken = await world.runtime.roles.take(incident.id, "ic", ALICE)
    held = await world.runtime.roles.take(incident.id, "ic", BOB)
    handed = await world.runtime.roles.assign(incident.id, "ic", BOB, by=ALICE)

    assert isinstance(taken, RoleChange) and taken.previous_id is None
    assert isinstance(held, RoleHeld) and held.holder == ALICE
    assert isinstance(handed, RoleChange) and handed.previous_id == ALICE
    now = await world.runtime.rooms.incident(incident.id)
    assert [(r.role, r.user_id) for r in now.roles] == [("commander", BOB)]
    assert now.acknowledged_at is not None
    assert await world.timeline_kinds(incident.id) == ["declared", "role_changed", "role_changed"]


async def test_publishing_a_role_change_redraws_the_card(world: World) -> None:
    incident = await world.declare(responders=(ALICE,))
    change = await world.runtime.roles.take(incident.id, "ic", ALICE)
    assert isinstance(change, RoleChange)

    assert await world.runtime.roles.publish(change) == []

    card = next(
        m for m in world.slack.messages_in(incident.channel_id or "") if m.ts == incident.card_ts
    )
    assert f"<@{ALICE}>" in str(card.blocks)


async def test_a_status_update_is_stored_shown_and_plans_the_next(world: World) -> None:
    incident = await world.declare()
    promised = world.clock() + timedelta(minutes=30)
    update = StatusUpdate("identified", "Bad deploy found", "EU checkouts", "Rollback", promised)

    posted = await world.runtime.updates.post(incident.id, update, REPORTER)
    failures = await world.runtime.updates.publish(posted)

    assert failures == []
    assert posted.incident.status == "identified"
    assert posted.incident.next_update_due_at == promised
    room = [m.text for m in world.slack.messages_in(incident.channel_id or "")]
    assert any("Bad deploy found" in text for text in room)
    assert UPDATE_DUE in await world.pending_jobs(incident.id)


async def test_messages_in_the_room_are_kept_once_with_their_edits(world: World) -> None:
    incident = await world.declare()
    room = incident.channel_id or ""
    said = SlackMessage(room, "1800000100.000100", "message", ALICE, "DB CPU at 100%")
    edited = SlackMessage(
        room, said.ts, "message", ALICE, "DB CPU at 100% on eu-1", edited_ts="1800000160.000100"
    )

    first = await world.runtime.timeline.record_message(said)
    again = await world.runtime.timeline.record_message(said)
    changed = await world.runtime.timeline.record_edit(edited, said)
    elsewhere = await world.runtime.timeline.record_message(
        SlackMessage(world.broadcast, "1800000200.000100", "message", ALICE, "not a room")
    )

    assert first is not None and first.created
    assert again is not None and not again.created and again.entry_id == first.entry_id
    assert changed is not None and changed.entry_id == first.entry_id
    assert elsewhere is None


async def test_resolving_plans_the_postmortem_and_closing_waits_for_action_items(
    world: World,
) -> None:
    incident = await world.declare()
    resolved = await world.runtime.lifecycle.resolve(incident.id, "Rolled back", None, REPORTER)
    assert resolved.incident.resolved_at is not None
    assert POSTMORTEM_DRAFT in await world.pending_jobs(incident.id)

    items = world.runtime.action_items
    added = await items.add(
        incident.id, text="Alert on 5xx rate", owner_id=ALICE, due_on=items.default_due(), by=ALICE
    )
    with pytest.raises(Refused, match="1 open action item"):
        await world.runtime.lifecycle.close(incident.id, REPORTER)

    await items.settle(added.item.id, "done", ALICE)
    with pytest.raises(Refused, match="needs its postmortem before it closes"):
        await world.runtime.lifecycle.close(incident.id, REPORTER)
    await world.runtime.scheduler.tick()  # the draft
    closed = await world.runtime.lifecycle.close(incident.id, REPORTER)
    assert closed.incident.status == "closed" and closed.incident.closed_at is not None


async def test_the_action_item_list_reads_today_in_the_organisations_zone(world: World) -> None:
    incident = await world.declare()
    now = world.clock()
    world.clock.advance(seconds=((27 - now.hour) % 24 or 24) * 3600 - now.minute * 60)
    assert world.clock().hour == 3  # 19:00 or 20:00 of the day before in Los Angeles
    zone = ZoneInfo("America/Los_Angeles")
    la = replace(world.runtime.policy, timezone="America/Los_Angeles")
    items = replace(world.runtime.action_items, policy=la)

    listing = await items.listing(incident.id)

    assert listing.zone == zone
    assert listing.today == world.clock().astimezone(zone).date()
    assert listing.today < world.clock().date()
    assert items.default_due() == (world.clock() + la.action_item_due_after).astimezone(zone).date()
