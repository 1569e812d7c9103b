"""Declaring from a message, and similar open incidents offered at declare time.

The services called directly against `GatewayDouble`: where a declaration from a
message is written down, the one reply in its thread (also after a resumed setup),
the war room's line linking the message, which open incidents are offered to whom
(a private one only to the people in its room), and joining one instead."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine

from tests.services.conftest import REPORTER, TEAM, World
from tests.services.gateway_double import BOT_USER
from warroom.domain.declaration import Declaration, DeclaredFrom
from warroom.domain.incident import Incident
from warroom.services.declare import ORIGIN_MESSAGE, ProvisionResult
from warroom.services.similar import Joined, NotJoined
from warroom.store import timeline

CAROL = "UCAROL0003"


def _declaration(title: str = "Checkout returns 500s", *, private: bool = False) -> Declaration:
    return Declaration(title, "SEV2", "EU checkouts fail", None, private, ())


async def _from_message(
    world: World, message: DeclaredFrom, *, private: bool = False, key: str = "m1"
) -> Incident:
    incident = await world.runtime.declare.record(
        team_id=TEAM,
        reporter_id=REPORTER,
        declaration=_declaration(private=private),
        declare_key=f"view:{key}",
        declared_from=message,
    )
    result = await world.runtime.declare.provision(incident.id, response_url="urn:reporter")
    assert result is ProvisionResult.READY
    return await world.runtime.rooms.incident(incident.id)


def _support(world: World, *members: str) -> str:
    return world.slack.add_channel("support", members=[BOT_USER, *members])


# -- declared from a message -------------------------------------------------------------


async def test_the_message_is_written_down_replied_to_in_its_thread_and_linked(
    world: World,
) -> None:
    support = _support(world)
    message = DeclaredFrom(support, "1700000000.000200", permalink="https://x/p1700000000000200")

    incident = await _from_message(world, message)

    async with world.runtime.store.read() as session:
        declared = await timeline.first_data(session, incident.id, "declared")
    assert declared[ORIGIN_MESSAGE] == message.to_data()
    (reply,) = world.slack.messages_in(support)
    assert reply.thread_ts == "1700000000.000200"
    assert reply.text == f"🚨 Declared *{incident.reference}*: <#{incident.channel_id}>"
    room = world.slack.messages_in(incident.channel_id or "")
    assert any("<https://x/p1700000000000200|this message>" in m.text for m in room)


async def test_a_reply_is_answered_in_the_thread_it_is_in(world: World) -> None:
    support = _support(world)
    reply = DeclaredFrom(support, "1700000000.000300", thread_ts="1700000000.000100")

    await _from_message(world, reply)

    (answer,) = world.slack.messages_in(support)
    assert answer.thread_ts == "1700000000.000100"


async def test_a_resumed_setup_replies_in_the_thread_once(world: World) -> None:
    support = _support(world)
    world.slack.fail("pins.add", "invalid_auth")  # the first run dies after round two
    incident = await world.runtime.declare.record(
        team_id=TEAM,
        reporter_id=REPORTER,
        declaration=_declaration(),
        declare_key="view:resumed",
        declared_from=DeclaredFrom(support, "1700000000.000200"),
    )
    first = await world.runtime.declare.provision(incident.id, response_url="urn:r")
    assert first is ProvisionResult.FAILED
    assert len(world.slack.messages_in(support)) == 1

    again = await world.runtime.declare.provision(incident.id, response_url="urn:r")

    assert again is ProvisionResult.READY
    assert len(world.slack.messages_in(support)) == 1
    looked = [c for c in world.slack.calls if c.method == "conversations.replies"]
    assert [(c.args["channel"], c.args["ts"]) for c in looked] == [(support, "1700000000.000200")]
    room = await world.runtime.rooms.incident(incident.id)
    links = [m for m in world.slack.messages_in(room.channel_id or "") if "Declared from" in m.text]
    assert len(links) == 1


async def test_a_private_incident_says_only_that_it_was_declared_privately(
    world: World,
) -> None:
    support = _support(world)

    incident = await _from_message(world, DeclaredFrom(support, "1.000200"), private=True)

    (reply,) = world.slack.messages_in(support)
    shown = f"{reply.text} {reply.blocks}"
    assert "private incident" in reply.text
    for secret in (incident.reference, incident.title, incident.channel_id or "", REPORTER):
        assert secret not in shown


async def test_warroom_not_in_the_channel_leaves_the_declaration_fine(world: World) -> None:
    elsewhere = world.slack.add_channel("random", members=[REPORTER])  # no Warroom

    incident = await _from_message(world, DeclaredFrom(elsewhere, "1.000200"))

    assert incident.provisioned_at is not None and incident.provision_error is None
    assert world.slack.messages_in(elsewhere) == []


async def test_no_thread_reply_when_the_policy_says_so(world: World) -> None:
    support = _support(world)
    declare = world.runtime.declare
    declare.policy = replace(declare.policy, announce_in_origin_channel=False)

    incident = await _from_message(world, DeclaredFrom(support, "1.000200"))

    assert world.slack.messages_in(support) == []
    room = world.slack.messages_in(incident.channel_id or "")
    assert any("Declared from" in m.text for m in room)  # the room still links it


# -- similar open incidents -----------------------------------------------------------


@contextmanager
def statements() -> Iterator[list[str]]:
    """Every SQL statement run meanwhile, on any engine."""
    seen: list[str] = []

    def note(*args: Any) -> None:
        seen.append(str(args[2]))

    event.listen(Engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(Engine, "before_cursor_execute", note)


async def test_a_similar_open_incident_is_offered_and_an_unrelated_one_is_not(
    world: World,
) -> None:
    checkout = await world.declare("Checkout returns 500s")
    await world.declare("Search index lagging behind")

    with statements() as ran:
        found = await world.runtime.similar.similar_open_incidents(
            TEAM, CAROL, "Checkout 500 errors", "Customers cannot pay"
        )

    assert [s.incident.id for s in found] == [checkout.id]
    assert len(ran) == 1  # the usual path: one query, no Slack call
    assert world.slack.calls[-1].method != "conversations.members"


async def test_nothing_open_or_nothing_like_it_finds_nothing(world: World) -> None:
    similar = world.runtime.similar
    assert await similar.similar_open_incidents(TEAM, CAROL, "Checkout down") == []

    resolved = await world.declare("Checkout down")
    await world.runtime.lifecycle.resolve(resolved.id, "Rolled back", None, REPORTER)

    assert await similar.similar_open_incidents(TEAM, CAROL, "Checkout down") == []
    assert await similar.similar_open_incidents(TEAM, CAROL, "", "") == []
    assert await similar.similar_open_incidents("T0OTHER", CAROL, "Checkout down") == []


async def test_a_private_incident_is_offered_only_to_the_people_in_its_room(
    world: World,
) -> None:
    private = await world.declare("Payroll export leaks data", private=True)

    to_outsider = await world.runtime.similar.similar_open_incidents(
        TEAM, CAROL, "Payroll export leaking data"
    )
    to_reporter = await world.runtime.similar.similar_open_incidents(
        TEAM, REPORTER, "Payroll export leaking data"
    )

    assert to_outsider == []
    assert [s.incident.id for s in to_reporter] == [private.id]


async def test_alert_labels_find_the_incident_of_the_same_alert(world: World) -> None:
    payments = await world.declare("Payments degraded")
    labels = {"alertname": "HighErrorRate", "service": "payments"}

    found = await world.runtime.similar.similar_open_incidents(
        TEAM,
        CAROL,
        "[FIRING:1] HighErrorRate",
        "",
        labels,
        labels_by_incident={payments.id: labels},
    )

    assert [s.incident.id for s in found] == [payments.id]


# -- Join INC-N instead ----------------------------------------------------------------


async def test_join_brings_the_person_into_the_room(world: World) -> None:
    incident = await world.declare("Checkout returns 500s")

    joined = await world.runtime.similar.join(incident.id, CAROL)

    assert isinstance(joined, Joined) and joined.incident.id == incident.id
    assert CAROL in world.slack.channels[incident.channel_id or ""].members


async def test_join_explains_an_archived_room(world: World) -> None:
    incident = await world.declare("Checkout returns 500s")
    world.slack.channels[incident.channel_id or ""].archived = True

    refused = await world.runtime.similar.join(incident.id, CAROL)

    assert isinstance(refused, NotJoined) and "archived" in refused.reason


@pytest.mark.parametrize("resolved", [False, True])
async def test_join_of_a_private_incident_by_an_outsider_names_nothing(
    world: World, resolved: bool
) -> None:
    incident = await world.declare("Payroll export leaks data", private=True)
    if resolved:
        await world.runtime.lifecycle.resolve(incident.id, "Fixed", None, REPORTER)

    refused = await world.runtime.similar.join(incident.id, CAROL)

    assert isinstance(refused, NotJoined) and refused.incident is None
    assert incident.title not in refused.reason and incident.reference not in refused.reason
    assert CAROL not in world.slack.channels[incident.channel_id or ""].members


async def test_join_of_a_resolved_or_unknown_incident_is_refused(world: World) -> None:
    incident = await world.declare("Checkout returns 500s")
    await world.runtime.lifecycle.resolve(incident.id, "Rolled back", None, REPORTER)

    resolved = await world.runtime.similar.join(incident.id, CAROL)
    unknown = await world.runtime.similar.join(999_999, CAROL)

    assert isinstance(resolved, NotJoined) and "resolved" in resolved.reason
    assert isinstance(unknown, NotJoined) and unknown.incident is None
