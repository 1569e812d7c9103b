"""People named in artifacts: the directory first, Slack when someone is new or stale,
the user ID when Slack cannot say; a postmortem and an export name people that way."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from tests.domain.test_postmortem import assert_golden_text
from tests.golden import assert_golden
from tests.harness import Clock
from tests.services.conftest import REPORTER, World
from tests.services.gateway_double import GatewayDouble
from warroom.domain.people import Person
from warroom.services.export import export_incident
from warroom.services.people import DIRECTORY_TTL, LIST_ABOVE, People
from warroom.store import people as directory
from warroom.store import postmortems

ALICE, BOB = "UALICE0001", "UBOB000002"


@pytest.fixture
def clock() -> Clock:
    """A fixed time, so the goldens below do not move."""
    return Clock(datetime(2026, 11, 23, 3, 0, tzinfo=UTC))


async def stored(world: World, user_id: str) -> Person | None:
    async with world.runtime.store.read() as session:
        found = await directory.known(session, [user_id])
    return found[user_id].person if user_id in found else None


async def test_first_sight_asks_slack_then_the_directory_answers_until_stale(
    world: World,
) -> None:
    world.slack.add_person(ALICE, "Alice Ng", tz="Asia/Tokyo")
    people = world.runtime.people

    assert await people.names([ALICE, "", ALICE]) == {ALICE: "Alice Ng"}
    assert world.slack.methods().count("users.info") == 1
    assert await stored(world, ALICE) == world.slack.people[ALICE]

    world.slack.add_person(ALICE, "Alice N.")  # renamed in Slack; no event reached us
    world.clock.advance(hours=23)
    assert await people.names([ALICE]) == {ALICE: "Alice Ng"}
    assert world.slack.methods().count("users.info") == 1

    world.clock.advance(hours=1)  # a day old: asked again
    assert timedelta(hours=24) == DIRECTORY_TTL
    person = await people.person(ALICE)
    assert person.name == "Alice N." and person.tz == "Etc/UTC"
    assert world.slack.methods().count("users.info") == 2


async def test_a_failed_look_up_falls_back_to_the_id_or_to_what_was_known(world: World) -> None:
    world.slack.add_person(ALICE, "Alice Ng")
    people = world.runtime.people
    await people.names([ALICE])

    world.clock.advance(days=2)
    world.slack.fail("users.info", "ratelimited", times=2)
    names = await people.names([ALICE, BOB])
    assert names == {ALICE: "Alice Ng", BOB: BOB}  # stale beats nothing; unknown is the ID
    assert await stored(world, BOB) is None
    missing = await people.person("UNOBODY01")
    assert (missing.name, missing.tz) == ("UNOBODY01", None)


async def test_many_missing_at_once_page_through_users_list(world: World) -> None:
    crowd = [f"U{n:09d}" for n in range(LIST_ABOVE + 5)]
    for n, user_id in enumerate(crowd):
        world.slack.add_person(user_id, f"Person {n}")
    for n in range(300):  # others in the workspace, sorted after the crowd
        world.slack.add_person(f"UZ{n:08d}", f"Bystander {n}")
    world.slack.users_page = 10

    names = await world.runtime.people.names(crowd)

    assert names == {user_id: f"Person {n}" for n, user_id in enumerate(crowd)}
    methods = world.slack.methods()
    assert "users.info" not in methods
    assert methods.count("users.list") == 3  # stopped once everyone was found
    assert await stored(world, crowd[-1]) == world.slack.people[crowd[-1]]
    assert await stored(world, "UZ00000000") is None  # only those asked about are kept


async def test_a_failed_users_list_names_nobody_and_fails_nothing(world: World) -> None:
    crowd = [f"U{n:09d}" for n in range(LIST_ABOVE + 1)]
    world.slack.fail("users.list", "fatal_error")
    assert await world.runtime.people.names(crowd) == {user_id: user_id for user_id in crowd}


@dataclass
class SlowSlack(GatewayDouble):
    """users.info that never answers in time, but for one person."""

    quick: str = ALICE

    async def user(self, user_id: str) -> Person:
        if user_id != self.quick:
            await asyncio.sleep(30)
        return await super().user(user_id)

    async def users(self) -> AsyncIterator[list[Person]]:
        await asyncio.sleep(30)
        yield []


async def test_a_look_up_that_hangs_is_given_up_on_within_the_budget(world: World) -> None:
    slack = SlowSlack(clock_now=world.clock())
    slack.add_person(ALICE, "Alice Ng")
    slack.add_person(BOB, "Bob Ruiz")
    people = People(world.runtime.store, slack, world.clock, budget_s=0.2)
    async with asyncio.timeout(5):
        assert await people.names([ALICE, BOB]) == {ALICE: "Alice Ng", BOB: BOB}
        crowd = [f"U{n:09d}" for n in range(LIST_ABOVE + 1)]
        assert await people.names(crowd) == {user_id: user_id for user_id in crowd}
    assert await stored(world, ALICE) is not None


async def test_user_change_keeps_the_directory_current(world: World) -> None:
    people = world.runtime.people
    changed = Person(ALICE, "Ali", "Europe/Oslo", real_name="Alice Ng", team_id="T0SERVICES")
    await people.changed(changed)
    await people.changed(changed)  # the same event again
    assert await stored(world, ALICE) == changed
    assert await people.names([ALICE]) == {ALICE: "Ali"}
    assert "users.info" not in world.slack.methods()


async def resolved_incident(world: World) -> int:
    """An incident with a reporter, two role holders, a typed hypothesis mentioning
    someone, and an action item; resolved, its draft written."""
    incident = await world.declare("Checkout returns 500s", responders=(ALICE, BOB))
    await world.runtime.roles.take(incident.id, "ic", ALICE)
    await world.runtime.roles.assign(incident.id, "ic", BOB, by=ALICE)
    world.clock.advance(minutes=5)
    await world.runtime.timeline.add_typed(
        incident,
        kind="hypothesis",
        author_id=ALICE,
        text=f"<@{BOB}> thinks the pool is too small",
        channel_id=incident.channel_id or "",
    )
    items = world.runtime.action_items
    await items.add(
        incident.id, text="Alert on pool size", owner_id=BOB, due_on=items.default_due(), by=ALICE
    )
    world.clock.advance(minutes=40)
    await world.runtime.lifecycle.resolve(incident.id, "Rolled back the pool change", None, ALICE)
    return incident.id


async def drafted(world: World, incident_id: int) -> str:
    await world.runtime.scheduler.tick()
    async with world.runtime.store.read() as session:
        draft = await postmortems.load(session, incident_id)
    assert draft is not None
    return draft.markdown


async def test_the_postmortem_names_people_and_slack_messages_keep_mentions(
    world: World,
) -> None:
    world.slack.add_person(ALICE, "Alice Ng")
    world.slack.add_person(BOB, "Bob Ruiz")
    world.slack.add_person(REPORTER, "Rita Reporter")
    incident_id = await resolved_incident(world)

    markdown = await drafted(world, incident_id)

    assert "| Reported by | @Rita Reporter |" in markdown
    assert "@Bob Ruiz (from @Alice Ng)" in markdown  # the handoff, in the role table
    assert "**Hypothesis** @Bob Ruiz thinks the pool is too small" in markdown
    assert "_hypothesis by @Alice Ng," in markdown  # the Five Whys' attribution
    assert "| Alert on pool size | @Bob Ruiz |" in markdown
    assert ALICE not in markdown and BOB not in markdown and REPORTER not in markdown
    assert sorted(c.args["user"] for c in world.slack.calls if c.method == "users.info") == sorted(
        [ALICE, BOB, REPORTER]
    )
    summary = world.slack.posted[-1]
    assert "Postmortem" in summary.text
    assert "Alice Ng" not in json.dumps(summary.blocks)  # Slack renders <@U…> per reader
    assert_golden_text("postmortem_named.md", markdown)


async def test_a_failed_users_info_leaves_the_id_and_the_postmortem_is_drafted(
    world: World,
) -> None:
    world.slack.add_person(ALICE, "Alice Ng")
    world.slack.add_person(BOB, "Bob Ruiz")
    world.slack.fail("users.info", "user_not_visible", times=10)
    incident_id = await resolved_incident(world)

    markdown = await drafted(world, incident_id)

    assert f"| Reported by | @{REPORTER} |" in markdown
    assert f"@{BOB} (from @{ALICE})" in markdown
    assert await stored(world, ALICE) is None
    assert any("Postmortem" in m.text for m in world.slack.posted)


async def test_export_keeps_user_ids_and_puts_names_beside_them(world: World) -> None:
    world.slack.add_person(ALICE, "Alice Ng")
    world.slack.add_person(BOB, "Bob Ruiz")
    incident_id = await resolved_incident(world)
    await drafted(world, incident_id)  # learned ALICE and BOB; the reporter stays unknown
    runtime = world.runtime
    calls = len(world.slack.calls)

    text = await export_incident(
        runtime.store, runtime.policy, runtime.clock, "INC-1", fmt="json", team=None
    )
    markdown = await export_incident(
        runtime.store, runtime.policy, runtime.clock, "INC-1", fmt="md", team=None
    )

    assert len(world.slack.calls) == calls  # the export asks the directory, not Slack
    document = json.loads(text)
    incident = document["incident"]
    assert (incident["reporter_id"], incident["reporter_name"]) == (REPORTER, REPORTER)
    roles = [(r["user_id"], r["user_name"], r["assigned_by_name"]) for r in document["roles"]]
    assert roles == [(ALICE, "Alice Ng", "Alice Ng"), (BOB, "Bob Ruiz", "Alice Ng")]
    (item,) = document["action_items"]
    assert (item["owner_id"], item["owner_name"], item["closed_by_name"]) == (
        BOB,
        "Bob Ruiz",
        None,
    )
    authors = {(e["author_id"], e["author_name"]) for e in document["timeline"]}
    assert (ALICE, "Alice Ng") in authors
    assert "@Bob Ruiz (from @Alice Ng)" in markdown
    assert document["postmortem"]["draft_markdown"] == markdown
    assert_golden("export_named", document)
