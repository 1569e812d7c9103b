"""Declaring: the incident is stored once, and its war room is built in Slack."""

from __future__ import annotations

import asyncio
from datetime import datetime

import pytest
from sqlalchemy import select

from tests.services.conftest import REPORTER, World
from warroom.services.declare import PROVISION_LEASE, ProvisionResult
from warroom.slack.blocks.card import CARD_BLOCK_ID
from warroom.store import incidents
from warroom.store.engine import Session
from warroom.store.models import IncidentRow


async def test_the_war_room_is_built_with_its_card_pinned_and_people_in_it(world: World) -> None:
    incident = await world.declare(responders=("UALICE0001", "UBOB000002"))

    room = world.slack.channels[incident.channel_id or ""]
    assert room.name == incident.channel_name and not room.private
    assert {REPORTER, "UALICE0001", "UBOB000002"} <= room.members
    card = next(m for m in world.slack.messages_in(room.id) if m.ts == incident.card_ts)
    assert card.pinned and any(b.get("block_id") == CARD_BLOCK_ID for b in card.blocks)
    assert room.topic.startswith("SEV2 · Investigating · IC: unassigned")
    assert incident.provisioned_at is not None and incident.provision_error is None
    assert [m.channel for m in world.slack.messages_in(world.broadcast)] == [world.broadcast]
    assert any(incident.reference in note.text for note in world.slack.notes)


async def test_the_same_form_submitted_twice_stores_one_incident(world: World) -> None:
    first = await world.record(key="view:V1")
    again = await world.record(key="view:V1")

    assert (again.id, again.number) == (first.id, first.number)
    assert world.slack.calls == []


async def test_a_failed_setup_is_reported_and_a_retry_builds_one_room(world: World) -> None:
    world.slack.fail("conversations.create", "restricted_action")
    incident = await world.record()

    failed = await world.runtime.declare.provision(incident.id, response_url="urn:reporter")
    after = await world.runtime.rooms.incident(incident.id)
    assert failed is ProvisionResult.FAILED
    assert after.channel_id is None and "restricted_action" in (after.provision_error or "")
    assert any("restricted_action" in note.text for note in world.slack.notes)

    retried = await world.runtime.declare.provision(incident.id, response_url="urn:reporter")
    built = await world.runtime.rooms.incident(incident.id)
    assert retried is ProvisionResult.READY and built.channel_id is not None
    assert world.slack.methods().count("conversations.create") == 2
    assert len(world.slack.channels) == 2  # the broadcast channel and one war room


async def test_a_second_provision_of_a_ready_room_changes_nothing_in_slack(world: World) -> None:
    incident = await world.declare()
    calls = len(world.slack.calls)

    again = await world.runtime.declare.provision(incident.id, response_url=None)

    assert again is ProvisionResult.ALREADY_READY
    assert len(world.slack.calls) == calls


async def _lease_end(world: World, incident_id: int) -> datetime | None:
    async with world.runtime.store.read() as session:
        row = (
            await session.execute(
                select(IncidentRow.provisioning_until).where(IncidentRow.id == incident_id)
            )
        ).one()
    return row.provisioning_until


@pytest.mark.both_databases
async def test_a_running_setup_keeps_renewing_its_short_lease_until_it_ends(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A build held up in Slack for longer than the lease is not taken over: the run
    renews its claim; once the room is built the claim is released."""
    topic_answered, renewed = asyncio.Event(), asyncio.Event()
    set_topic, renew = world.slack.set_topic, incidents.renew_provisioning

    async def slow_topic(channel_id: str, topic: str) -> None:
        await topic_answered.wait()
        await set_topic(channel_id, topic)

    async def renewing(session: Session, incident_id: int, **lease: datetime) -> bool:
        kept = await renew(session, incident_id, **lease)
        renewed.set()
        return kept

    monkeypatch.setattr(world.slack, "set_topic", slow_topic)
    monkeypatch.setattr(incidents, "renew_provisioning", renewing)
    world.runtime.declare.lease_renewal_s = 0.01
    incident = await world.record()
    building = asyncio.create_task(
        world.runtime.declare.provision(incident.id, response_url="urn:reporter")
    )
    await asyncio.wait_for(renewed.wait(), 5)
    world.clock.advance(seconds=PROVISION_LEASE.total_seconds() * 3)
    renewed.clear()
    await asyncio.wait_for(renewed.wait(), 5)
    assert await _lease_end(world, incident.id) == world.clock() + PROVISION_LEASE

    other = await world.runtime.declare.provision(incident.id, response_url="urn:other")
    assert other is ProvisionResult.IN_PROGRESS
    topic_answered.set()
    assert await building is ProvisionResult.READY
    assert await _lease_end(world, incident.id) is None
    assert world.slack.methods().count("conversations.create") == 1


async def test_the_card_says_the_update_is_late_even_if_the_reminder_cannot_be_sent(
    world: World,
) -> None:
    incident = await world.declare(severity="SEV1")
    world.clock.advance(minutes=30)
    world.slack.fail("chat.postMessage", "channel_not_found")
    report = await world.runtime.scheduler.tick()
    assert report.failed == 1
    card = next(
        m for m in world.slack.messages_in(incident.channel_id or "") if m.ts == incident.card_ts
    )
    assert "⚠️ overdue: was due" in str(card.blocks)
