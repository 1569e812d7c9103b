"""Declaring: the incident is stored once, and its war room is built in Slack."""

from __future__ import annotations

from tests.services.conftest import REPORTER, World
from warroom.services.declare import ProvisionResult
from warroom.slack.blocks.card import CARD_BLOCK_ID


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
