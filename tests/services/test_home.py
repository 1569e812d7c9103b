"""The App Home tab as a use case: what each person sees (private incidents only to the
people in their room, not even counted for others), Slack's 100-block limit with
many incidents, and the debounced refresh (a moved clock; a burst of changes is one
publish per person; chat messages publish nothing; an unchanged Home is not resent)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from fakeslack import view_problems
from tests.services.conftest import REPORTER, TEAM, World
from warroom.domain.home import OPEN_SHOWN
from warroom.domain.policy import COMMANDER
from warroom.domain.timeline import SlackMessage
from warroom.services.home import DEBOUNCE, REFRESH_HOMES
from warroom.store import action_items, incidents
from warroom.store.models import DueJobRow

MEMBER, OUTSIDER = "UMEMBER001", "UOUTSIDER1"


def shown(view: dict[str, Any]) -> str:
    return json.dumps(view, ensure_ascii=False)


def publishes(world: World, user: str | None = None) -> int:
    return sum(
        1
        for call in world.slack.calls
        if call.method == "views.publish" and user in (None, call.args["user_id"])
    )


async def waiting_refreshes(world: World) -> int:
    async with world.runtime.store.read() as session:
        rows = await session.execute(
            DueJobRow.__table__.select().where(
                DueJobRow.kind == REFRESH_HOMES, DueJobRow.state == "pending"
            )
        )
        return len(rows.all())


async def open_home(world: World, user: str) -> dict[str, Any]:
    """As the app_home_opened listener does: remember, then publish."""
    await world.runtime.homes.opened(user, TEAM)
    await world.runtime.homes.publish(user, TEAM)
    return world.slack.homes[user]


@pytest.mark.both_databases
async def test_each_person_sees_only_the_incidents_they_may(world: World) -> None:
    public = await world.declare("Checkout returns 500s", severity="SEV2")
    secret = await world.declare("Merger data room leak", private=True, responders=(MEMBER,))
    await world.runtime.roles.take(secret.id, COMMANDER, MEMBER)
    await world.runtime.action_items.add(
        secret.id, text="Rotate the leaked keys", owner_id=MEMBER, due_on=due(world), by=MEMBER
    )
    await world.runtime.action_items.add(
        secret.id, text="Audit the bucket", owner_id=OUTSIDER, due_on=due(world), by=MEMBER
    )
    await world.runtime.lifecycle.resolve(public.id, "Rolled back the deploy", None, REPORTER)

    member = shown(await open_home(world, MEMBER))
    assert "Merger data room leak" in member and f"<#{secret.channel_id}>" in member
    assert "*INC-2* 🔒 · SEV" in member
    assert "Incident Commander of *INC-2*" in member
    assert "Rotate the leaked keys" in member and "action_item_done" in member
    assert "*Resolved in the last 7 days* (1)" in member and "Checkout returns 500s" in member
    assert "*Open incidents* (1)" in member

    outsider_view = await open_home(world, OUTSIDER)
    outsider = shown(outsider_view)
    assert "Merger" not in outsider and str(secret.channel_id) not in outsider
    assert "INC-2" not in outsider and MEMBER not in outsider
    assert "Audit the bucket" not in outsider, "an item of a room they are not in"
    assert "*Open incidents*\\nNone right now." in outsider
    assert "*Resolved in the last 7 days* (1)" in outsider
    for view in (world.slack.homes[MEMBER], outsider_view):
        assert view["type"] == "home"
        assert view_problems(view) == []


def due(world: World) -> Any:
    """The policy's default due date."""
    return world.runtime.action_items.default_due()


async def test_many_incidents_stay_within_slacks_block_limit(world: World) -> None:
    for n in range(60):
        await world.record(f"Open incident {n}")
    resolved = [await world.record(f"Resolved incident {n}") for n in range(15)]
    now = world.clock()
    async with world.runtime.store.transaction() as session:
        for done in resolved:
            await incidents.record(session, done.id, status="resolved", resolved_at=now)
        first = (await incidents.open_in_team(session, TEAM, limit=1))[0]
        for n in range(15):
            await action_items.add(
                session,
                incident_id=first.id,
                text=f"Follow-up {n} " + "x" * 900,
                owner_id=REPORTER,
                due_on=None,
                created_by=REPORTER,
                now=now,
            )

    view = await world.runtime.homes.view(REPORTER, TEAM)

    assert len(view["blocks"]) <= 100
    assert view_problems(view) == []
    text = shown(view)
    assert f"…and {60 - OPEN_SHOWN} more — `/incident list` shows them all." in text
    assert "…and 5 more — `/incident list recent` shows them all." in text
    assert "*Your open action items* (15)" in text and "…and 5 more" in text


async def test_a_burst_of_changes_is_one_publish_per_home(world: World) -> None:
    incident = await world.declare("Checkout returns 500s")
    secret = await world.declare("Merger data room leak", private=True, responders=(MEMBER,))
    for user in (REPORTER, MEMBER, OUTSIDER):
        await open_home(world, user)
    await world.runtime.scheduler.tick()
    before = publishes(world)

    for status in ("identified", "mitigated", "investigating", "identified"):
        change = await world.runtime.state.change_status(incident.id, status, REPORTER)
        assert change is not None
        await world.runtime.state.publish(change)
    change = await world.runtime.state.change_severity(incident.id, "SEV1", REPORTER)
    assert change is not None
    await world.runtime.state.publish(change)

    assert await waiting_refreshes(world) == 1, "one refresh waits, however many changes"
    await world.runtime.scheduler.tick()
    assert publishes(world) == before, "not before the debounce has passed"

    world.clock.advance(seconds=DEBOUNCE.total_seconds())
    await world.runtime.scheduler.tick()
    assert {user: publishes(world, user) for user in (REPORTER, MEMBER, OUTSIDER)} == {
        REPORTER: 2,
        MEMBER: 2,
        OUTSIDER: 2,
    }
    assert "Mitigated" not in shown(world.slack.homes[OUTSIDER])
    assert "SEV1" in shown(world.slack.homes[OUTSIDER])

    # A change to a private incident: its member's Home changes, an outsider's does not
    # (nothing of it shows there), so only the member's is sent again.
    before = {user: publishes(world, user) for user in (MEMBER, OUTSIDER)}
    change = await world.runtime.state.change_status(secret.id, "identified", REPORTER)
    assert change is not None
    await world.runtime.state.publish(change)
    world.clock.advance(seconds=DEBOUNCE.total_seconds())
    await world.runtime.scheduler.tick()
    assert publishes(world, MEMBER) == before[MEMBER] + 1
    assert publishes(world, OUTSIDER) == before[OUTSIDER]

    # Chat in the room changes nothing a Home shows: nothing is planned or sent.
    before_all = publishes(world)
    room = incident.channel_id or ""
    for n in range(5):
        said = SlackMessage(room, f"1800000{n}00.000100", "message", MEMBER, f"CPU at 9{n}%")
        assert await world.runtime.timeline.record_message(said) is not None
    assert await waiting_refreshes(world) == 0
    world.clock.advance(minutes=5)
    await world.runtime.scheduler.tick()
    assert publishes(world) == before_all


async def test_action_items_refresh_their_owners_home_only(world: World) -> None:
    incident = await world.declare("Checkout returns 500s")
    for user in (REPORTER, MEMBER):
        await open_home(world, user)
    before = {user: publishes(world, user) for user in (REPORTER, MEMBER)}

    added = await world.runtime.action_items.add(
        incident.id, text="Add a canary", owner_id=MEMBER, due_on=due(world), by=REPORTER
    )
    world.clock.advance(seconds=DEBOUNCE.total_seconds())
    await world.runtime.scheduler.tick()
    assert publishes(world, MEMBER) == before[MEMBER] + 1
    assert publishes(world, REPORTER) == before[REPORTER]
    assert "Add a canary" in shown(world.slack.homes[MEMBER])

    await world.runtime.action_items.settle(added.item.id, "done", MEMBER)
    world.clock.advance(seconds=DEBOUNCE.total_seconds())
    await world.runtime.scheduler.tick()
    assert "Add a canary" not in shown(world.slack.homes[MEMBER])


async def test_only_homes_opened_lately_are_kept_fresh(world: World) -> None:
    incident = await world.declare("Checkout returns 500s")
    await open_home(world, OUTSIDER)
    world.clock.advance(days=15)
    await open_home(world, MEMBER)
    before = {user: publishes(world, user) for user in (MEMBER, OUTSIDER)}

    change = await world.runtime.state.change_severity(incident.id, "SEV1", REPORTER)
    assert change is not None
    await world.runtime.state.publish(change)
    world.clock.advance(seconds=DEBOUNCE.total_seconds())
    await world.runtime.scheduler.tick()

    assert publishes(world, MEMBER) == before[MEMBER] + 1
    assert publishes(world, OUTSIDER) == before[OUTSIDER]


async def test_a_home_slack_refused_for_a_passing_reason_is_tried_again(world: World) -> None:
    incident = await world.declare("Checkout returns 500s")
    await open_home(world, MEMBER)
    change = await world.runtime.state.change_severity(incident.id, "SEV1", REPORTER)
    assert change is not None
    await world.runtime.state.publish(change)
    world.slack.fail("views.publish", "ratelimited")

    world.clock.advance(seconds=DEBOUNCE.total_seconds())
    report = await world.runtime.scheduler.tick()
    assert report.retried == 1
    assert "SEV1" not in shown(world.slack.homes[MEMBER])

    world.clock.advance(minutes=10)
    await world.runtime.scheduler.tick()
    assert "SEV1" in shown(world.slack.homes[MEMBER])
    assert await waiting_refreshes(world) == 0
