"""`/incident list` and `/incident find` as use cases: what each person gets, private
incidents hidden from people outside their room (not even counted), the list's words."""

from __future__ import annotations

import pytest

from tests.services.conftest import REPORTER, TEAM, World
from warroom.domain.finding import LIST_SHOWN, OPEN, BadListQuery, Found, ListQuery
from warroom.domain.incident import Incident
from warroom.store import timeline

MEMBER, OUTSIDER = "UMEMBER001", "UOUTSIDER1"


async def note(world: World, incident: Incident, text: str) -> None:
    """A typed timeline entry (a key entry, so searched)."""
    async with world.runtime.store.transaction() as session:
        await timeline.append(
            session,
            incident_id=incident.id,
            kind="note",
            author_id=REPORTER,
            text=text,
            occurred_at=world.clock(),
            recorded_at=world.clock(),
        )


def titles(found: Found) -> list[str]:
    return [m.incident.title for m in found.matches]


@pytest.mark.both_databases
async def test_a_private_incident_is_found_only_by_people_in_its_room(world: World) -> None:
    public = await world.declare("Checkout timeouts in EU")
    secret = await world.declare("Checkout fraud ring", private=True, responders=(MEMBER,))
    await note(world, secret, "the merger data room was exposed")
    finder = world.runtime.finder

    assert titles(await finder.find(TEAM, OUTSIDER, "checkout")) == [public.title]
    hidden = await finder.find(TEAM, OUTSIDER, "merger")
    nothing = await finder.find(TEAM, OUTSIDER, "zzzzunknown")
    assert (hidden.matches, hidden.more) == (nothing.matches, nothing.more) == ((), 0)

    for member in (MEMBER, REPORTER):
        (match,) = (await finder.find(TEAM, member, "merger")).matches
        assert match.incident.id == secret.id
        assert match.excerpt == "the merger data room was exposed"
    assert set(titles(await finder.find(TEAM, MEMBER, "checkout"))) == {
        public.title,
        secret.title,
    }

    # Someone taken out of the room stops finding it (once the member cache is told).
    world.slack.channels[secret.channel_id or ""].members.discard(MEMBER)
    world.runtime.audience.forget(secret.channel_id or "")
    assert titles(await finder.find(TEAM, MEMBER, "checkout")) == [public.title]


@pytest.mark.both_databases
async def test_lists_hide_private_incidents_from_outsiders_even_in_counts(world: World) -> None:
    for n in range(LIST_SHOWN):
        await world.record(f"public {n}")
    await world.declare("Secret one", private=True, responders=(MEMBER,))
    await world.declare("Secret two", private=True, responders=(MEMBER,))
    finder = world.runtime.finder

    outsider = await finder.list(TEAM, OUTSIDER, [])
    assert (len(outsider.shown), outsider.more) == (LIST_SHOWN, 0)
    assert not any(i.private for i in outsider.shown)
    member = await finder.list(TEAM, MEMBER, [])
    assert (len(member.shown), member.more) == (LIST_SHOWN, 2)
    assert [i.title for i in member.shown[:2]] == ["Secret two", "Secret one"]


async def test_list_words_scope_mine_and_severity(world: World) -> None:
    sev3 = await world.declare("Slow search", severity="SEV3")
    sev1 = await world.declare("Checkout down", severity="SEV1")
    await world.declare("Mine", severity="SEV2", reporter=MEMBER)
    await world.runtime.roles.take(sev3.id, "ic", MEMBER)
    finder = world.runtime.finder

    listing = await finder.list(TEAM, OUTSIDER, [])
    assert listing.query == ListQuery(OPEN)
    assert [i.title for i in listing.shown] == ["Checkout down", "Mine", "Slow search"], (
        "open incidents: most severe first"
    )
    mine = await finder.list(TEAM, MEMBER, ["MINE"])
    assert [i.title for i in mine.shown] == ["Mine", "Slow search"]
    assert mine.shown[1].holder("commander") == MEMBER
    assert [i.id for i in (await finder.list(TEAM, MEMBER, ["open", "sev1"])).shown] == [sev1.id]
    assert (await finder.list(TEAM, MEMBER, ["recent"])).shown == ()

    await world.runtime.lifecycle.resolve(sev1.id, "Rolled back the deploy", None, REPORTER)
    recent = await finder.list(TEAM, MEMBER, ["recent"])
    assert [i.id for i in recent.shown] == [sev1.id]
    world.clock.advance(days=8)
    assert (await finder.list(TEAM, MEMBER, ["recent"])).shown == ()
    assert len((await finder.list(TEAM, MEMBER, ["all"])).shown) == 3

    with pytest.raises(BadListQuery) as unknown:
        await finder.list(TEAM, MEMBER, ["open", "bogus"])
    assert unknown.value.word == "bogus"
    with pytest.raises(BadListQuery) as both:
        await finder.list(TEAM, MEMBER, ["open", "recent"])
    assert both.value.word is None


async def test_a_resolution_and_updates_are_searched_through_the_summary(world: World) -> None:
    incident = await world.declare("Checkout down", severity="SEV1")
    await world.runtime.lifecycle.resolve(incident.id, "Rolled back the bad deploy", None, REPORTER)
    (match,) = (await world.runtime.finder.find(TEAM, OUTSIDER, "rolled deploy")).matches
    assert (match.incident.id, match.excerpt) == (incident.id, None)


async def test_no_words_find_nothing_without_asking_the_database(world: World) -> None:
    found = await world.runtime.finder.find(TEAM, OUTSIDER, ' "*" -- NEAR( ')
    assert found.terms == ("near",)
    assert (await world.runtime.finder.find(TEAM, OUTSIDER, '"*" --')).terms == ()
