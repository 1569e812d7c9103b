"""A database that refuses writes, made by the database itself (triggers), not by patching.

While `writes_fail` is active every INSERT, UPDATE and DELETE on Warroom's fact
tables fails inside the database: an operational error on SQLite (the trigger
writes to a table that does not exist), `disk_full` on PostgreSQL. Reads work.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager

from sqlalchemy import text

from warroom.store.engine import Store
from warroom.store.models import Base

__all__ = ["writes_fail"]

_PG_FUNCTION = """
CREATE OR REPLACE FUNCTION injected_write_fault() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'injected write fault on %', TG_TABLE_NAME USING ERRCODE = '53100';
END $$ LANGUAGE plpgsql
"""
_OPERATIONS = ("INSERT", "UPDATE", "DELETE")


def _create(dialect: str, table: str) -> list[str]:
    if dialect == "postgresql":
        return [
            f"CREATE TRIGGER injected_write_fault BEFORE INSERT OR UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION injected_write_fault()"
        ]
    return [
        f"CREATE TRIGGER injected_write_fault_{table}_{op.lower()} BEFORE {op} ON {table} "
        "BEGIN INSERT INTO injected_write_fault VALUES (1); END"
        for op in _OPERATIONS
    ]


def _drop(dialect: str, table: str) -> list[str]:
    if dialect == "postgresql":
        return [f"DROP TRIGGER IF EXISTS injected_write_fault ON {table}"]
    return [
        f"DROP TRIGGER IF EXISTS injected_write_fault_{table}_{op.lower()}" for op in _OPERATIONS
    ]


async def _run(store: Store, statements: Iterable[str]) -> None:
    async with store.transaction() as session:
        for statement in statements:
            await session.execute(text(statement))


@asynccontextmanager
async def writes_fail(store: Store, *, spare: Iterable[str] = ()) -> AsyncIterator[None]:
    """Every write to a table (but those in `spare`) fails until the block ends."""
    tables = [t.name for t in Base.metadata.sorted_tables if t.name not in set(spare)]
    dialect = store.dialect
    setup = [_PG_FUNCTION] if dialect == "postgresql" else []
    await _run(store, setup + [s for table in tables for s in _create(dialect, table)])
    try:
        yield
    finally:
        await _run(store, [s for table in tables for s in _drop(dialect, table)])
