"""The one place that knows INSERT ... ON CONFLICT is spelled per dialect."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

__all__ = ["insert_on_conflict"]


def insert_on_conflict(database: AsyncSession | str, table: Any) -> Any:
    """An INSERT for `table` that supports `.on_conflict_do_*` on this session's database
    (or the dialect named)."""
    name = database if isinstance(database, str) else database.get_bind().dialect.name
    if name == "postgresql":
        return postgresql.insert(table)
    if name == "sqlite":
        return sqlite.insert(table)
    raise RuntimeError(f"unsupported database dialect {name!r}")
