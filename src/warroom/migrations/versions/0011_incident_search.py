"""incident search: full-text search of incidents and their key timeline entries

`/incident find` searches titles, summaries, impact and the key timeline entries
(marked or typed, not deleted):

- PostgreSQL: GIN indexes on expressions, `ix_incidents_search` (the weighted
  tsvector of title, summary and impact) and `ix_timeline_entries_search` (the
  tsvector of an entry's text, partial: only the entries searched). The queries in
  `warroom.store.search` repeat these expressions exactly.
- SQLite: FTS5 tables `incident_search` and `timeline_search`, filled from the
  rows already there and kept in step by triggers. A later migration that rebuilds
  `incidents` or `timeline_entries` (batch "move and copy") drops these triggers
  and must create them again.

Neither is described by the models; migrations/env.py keeps them out of
autogenerate's comparison (`warroom.store.search.is_search_object`). The SQL is
written out here, not imported, so this revision stays what it was.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-08 12:00:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TYPED = "'note', 'symptom', 'hypothesis', 'action', 'result'"
SEARCHED = f"deleted_at IS NULL AND (highlighted OR kind IN ({TYPED}))"
SEARCHED_NEW = f"new.deleted_at IS NULL AND (new.highlighted OR new.kind IN ({TYPED}))"

PG_UPGRADE = [
    "CREATE INDEX ix_incidents_search ON incidents USING gin (("
    "setweight(to_tsvector('simple'::regconfig, title), 'A') || "
    "setweight(to_tsvector('simple'::regconfig, coalesce(summary, '')), 'B') || "
    "setweight(to_tsvector('simple'::regconfig, impact), 'C')))",
    "CREATE INDEX ix_timeline_entries_search ON timeline_entries "
    f"USING gin (to_tsvector('simple'::regconfig, text)) WHERE {SEARCHED}",
]
PG_DOWNGRADE = [
    "DROP INDEX ix_timeline_entries_search",
    "DROP INDEX ix_incidents_search",
]

INCIDENT_ROW = (
    "(rowid, title, summary, impact) "
    "VALUES (new.id, new.title, coalesce(new.summary, ''), new.impact)"
)
SQLITE_UPGRADE = [
    "CREATE VIRTUAL TABLE incident_search USING fts5(title, summary, impact)",
    "CREATE VIRTUAL TABLE timeline_search USING fts5(text)",
    "INSERT INTO incident_search (rowid, title, summary, impact) "
    "SELECT id, title, coalesce(summary, ''), impact FROM incidents",
    "INSERT INTO timeline_search (rowid, text) "
    f"SELECT id, text FROM timeline_entries WHERE {SEARCHED}",
    f"CREATE TRIGGER incident_search_insert AFTER INSERT ON incidents BEGIN "
    f"INSERT INTO incident_search {INCIDENT_ROW}; END",
    "CREATE TRIGGER incident_search_update AFTER UPDATE OF title, summary, impact ON incidents "
    "BEGIN DELETE FROM incident_search WHERE rowid = old.id; "
    f"INSERT INTO incident_search {INCIDENT_ROW}; END",
    "CREATE TRIGGER incident_search_delete AFTER DELETE ON incidents BEGIN "
    "DELETE FROM incident_search WHERE rowid = old.id; END",
    f"CREATE TRIGGER timeline_search_insert AFTER INSERT ON timeline_entries WHEN {SEARCHED_NEW} "
    "BEGIN INSERT INTO timeline_search (rowid, text) VALUES (new.id, new.text); END",
    "CREATE TRIGGER timeline_search_update "
    "AFTER UPDATE OF text, kind, highlighted, deleted_at ON timeline_entries "
    "BEGIN DELETE FROM timeline_search WHERE rowid = old.id; "
    f"INSERT INTO timeline_search (rowid, text) SELECT new.id, new.text WHERE {SEARCHED_NEW}; END",
    "CREATE TRIGGER timeline_search_delete AFTER DELETE ON timeline_entries BEGIN "
    "DELETE FROM timeline_search WHERE rowid = old.id; END",
]
SQLITE_DOWNGRADE = [
    "DROP TRIGGER timeline_search_delete",
    "DROP TRIGGER timeline_search_update",
    "DROP TRIGGER timeline_search_insert",
    "DROP TRIGGER incident_search_delete",
    "DROP TRIGGER incident_search_update",
    "DROP TRIGGER incident_search_insert",
    "DROP TABLE timeline_search",
    "DROP TABLE incident_search",
]


def _run(statements: list[str]) -> None:
    for statement in statements:
        op.execute(statement)


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _run(PG_UPGRADE)
    else:
        _run(SQLITE_UPGRADE)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _run(PG_DOWNGRADE)
    else:
        _run(SQLITE_DOWNGRADE)
