"""The user directory: who a Slack user ID is, as Slack said last, and when it said so."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from sqlalchemy import Table, select
from sqlalchemy.ext.asyncio import AsyncSession

from warroom.domain.people import Person
from warroom.store.dialect import insert_on_conflict
from warroom.store.models import UserRow

__all__ = ["Known", "known", "save"]

_USERS = cast(Table, UserRow.__table__)
_CHUNK = 500
"""IDs per `IN (...)`: well inside every database's limit on bound parameters."""


@dataclass(frozen=True)
class Known:
    """A directory entry: the person, and when Slack last told us about them."""

    person: Person
    refreshed_at: datetime


async def known(session: AsyncSession, user_ids: Collection[str]) -> dict[str, Known]:
    """The directory's entries for `user_ids` (those it has), by user ID."""
    ids = sorted(set(user_ids))
    found: dict[str, Known] = {}
    for start in range(0, len(ids), _CHUNK):
        rows = await session.execute(
            select(UserRow).where(UserRow.user_id.in_(ids[start : start + _CHUNK]))
        )
        for row in rows.scalars():
            person = Person(
                user_id=row.user_id,
                name=row.name,
                tz=row.tz,
                real_name=row.real_name,
                team_id=row.team_id,
                deleted=row.deleted,
            )
            found[row.user_id] = Known(person, row.refreshed_at)
    return found


async def save(session: AsyncSession, people: Iterable[Person], *, now: datetime) -> None:
    """Insert or overwrite each person's entry, refreshed at `now` (the same person
    saved twice, or by two replicas at once, ends as one row)."""
    values = {
        person.user_id: {
            "user_id": person.user_id,
            "team_id": person.team_id,
            "name": person.name,
            "real_name": person.real_name,
            "tz": person.tz,
            "deleted": person.deleted,
            "refreshed_at": now,
        }
        for person in people
    }
    if not values:
        return
    insert = insert_on_conflict(session, _USERS)
    upsert = insert.on_conflict_do_update(
        index_elements=[_USERS.c.user_id],
        set_={
            column: getattr(insert.excluded, column)
            for column in ("team_id", "name", "real_name", "tz", "deleted", "refreshed_at")
        },
    )
    await session.execute(upsert, list(values.values()))
