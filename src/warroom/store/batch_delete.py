"""Deleting old rows a batch at a time, so one prune never holds the writer for long."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

__all__ = ["delete_oldest"]


async def delete_oldest(
    session: AsyncSession,
    key: InstrumentedAttribute[Any],
    age: InstrumentedAttribute[Any],
    *where: ColumnElement[bool],
    limit: int,
) -> int:
    """Delete up to `limit` rows matching `where`, oldest by `age` first; how many went."""
    oldest = select(key).where(*where).order_by(age).limit(limit)
    result = await session.execute(
        delete(key.class_)
        .where(key.in_(oldest.scalar_subquery()))
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)
