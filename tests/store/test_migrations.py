"""The schema check `warroom serve` makes without Alembic agrees with Alembic."""

from __future__ import annotations

from pathlib import Path

from alembic.script import ScriptDirectory

from warroom.store.engine import Store, create_engine
from warroom.store.migrations import HEAD_REVISION, alembic_config, current_revision


def test_head_revision_is_alembics_head() -> None:
    scripts = ScriptDirectory.from_config(alembic_config("sqlite://"))
    assert scripts.get_current_head() == HEAD_REVISION, (
        "a migration was added: set HEAD_REVISION in warroom/store/migrations.py to it"
    )


async def test_a_migrated_database_is_at_head(database_url: str) -> None:
    store = Store(create_engine(database_url))
    try:
        assert await current_revision(store) == HEAD_REVISION
    finally:
        await store.dispose()


async def test_an_empty_database_has_no_revision(tmp_path: Path) -> None:
    store = Store(create_engine(f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}"))
    try:
        assert await current_revision(store) is None
    finally:
        await store.dispose()
