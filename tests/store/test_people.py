"""The user directory: entries saved, overwritten in place, read back as domain values."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from warroom.domain.people import Person
from warroom.store import people
from warroom.store.engine import Store

NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
ANA = Person("UANA", "Ana Lopez", "Europe/Madrid", real_name="Ana López", team_id="T1")
BEN = Person("UBEN", "ben", None, team_id="T1")


@pytest.mark.both_databases
async def test_saved_people_are_read_back_with_when_they_were_refreshed(store: Store) -> None:
    async with store.transaction() as session:
        await people.save(session, [ANA, BEN], now=NOW)
    async with store.read() as session:
        found = await people.known(session, ["UANA", "UBEN", "UNOBODY"])
    assert set(found) == {"UANA", "UBEN"}
    assert found["UANA"].person == ANA and found["UBEN"].person == BEN
    assert found["UANA"].refreshed_at == NOW and found["UANA"].refreshed_at.tzinfo is not None


@pytest.mark.both_databases
async def test_saving_again_overwrites_the_entry_and_twice_in_one_call_is_one_row(
    store: Store,
) -> None:
    async with store.transaction() as session:
        await people.save(session, [ANA], now=NOW)
    renamed = Person("UANA", "Ana", "America/Bogota", real_name="Ana López", team_id="T1")
    gone = Person("UANA", "Ana", None, team_id="T1", deleted=True)
    later = NOW + timedelta(hours=30)
    async with store.transaction() as session:
        await people.save(session, [renamed, gone], now=later)  # the last one stands
        await people.save(session, [], now=later)
    async with store.read() as session:
        found = await people.known(session, ["UANA"])
    assert found["UANA"].person == gone and found["UANA"].refreshed_at == later


@pytest.mark.both_databases
async def test_many_ids_are_read_in_chunks(store: Store) -> None:
    crowd = [Person(f"U{n:05d}", f"person {n}", None, team_id="T1") for n in range(1200)]
    async with store.transaction() as session:
        await people.save(session, crowd, now=NOW)
    async with store.read() as session:
        found = await people.known(session, [p.user_id for p in crowd] + ["UMISSING"])
    assert len(found) == 1200 and found["U00999"].person.name == "person 999"
