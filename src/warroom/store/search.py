"""Finding incidents: the lists of `/incident list` and the full-text search of
`/incident find`, over titles, summaries, impact and key timeline entries.

What is searched, and how it is kept in step with the rows (migration 0011):

- PostgreSQL: two GIN expression indexes, `ix_incidents_search` on the weighted
  `tsvector` of title (A), summary (B) and impact (C), and `ix_timeline_entries_search`
  on the `tsvector` of the text of the entries in `SEARCHED_ENTRIES` (a partial index).
  The queries below repeat the indexed expressions exactly, so the planner uses them;
  an index on an expression needs nothing to keep it current.
- SQLite: two FTS5 tables, `incident_search` (rowid = incident id) and
  `timeline_search` (rowid = entry id), kept by triggers on `incidents` and
  `timeline_entries`. A migration that rebuilds either table (Alembic's batch mode
  "move and copy") drops its triggers with it and must create them again;
  tests/store/test_search.py checks they are there at head.

Neither is in `warroom.store.models`: `is_search_object` tells Alembic's autogenerate
(migrations/env.py) to leave them out of its comparison.

Words are never search syntax: the caller passes `domain.finding.search_terms`
(letters and digits only), each is quoted here as a prefix term, and the query string
is a bound parameter. Nothing here knows who may see what: callers filter the
matches with `services.audience` before showing any.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import JSON, Float, Integer, String, Table, Text, and_, exists, or_, select, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.types import TypeEngine

from warroom.domain.finding import OPEN, RECENT, RECENT_FOR, ListQuery, Match
from warroom.domain.incident import Incident
from warroom.domain.timeline import SLACK_FORMAT_KINDS, TYPED_KINDS
from warroom.store.incidents import to_domain
from warroom.store.models import IncidentRow, RoleAssignmentRow

__all__ = [
    "SEARCHED_ENTRIES",
    "SEARCH_INDEXES",
    "SEARCH_TABLES",
    "fts5_query",
    "is_search_object",
    "listed",
    "matching",
    "tsquery",
]

SEARCH_TABLES = ("incident_search", "timeline_search")
"""SQLite's FTS5 tables (each with shadow tables named `<table>_<suffix>`)."""
SEARCH_INDEXES = ("ix_incidents_search", "ix_timeline_entries_search")
"""PostgreSQL's GIN indexes."""

_TYPED = ", ".join(f"'{kind}'" for kind in TYPED_KINDS)
SEARCHED_ENTRIES = f"deleted_at IS NULL AND (highlighted OR kind IN ({_TYPED}))"
"""The key timeline entries searched: marked (📌, pin, shortcut) or typed (`/incident
note`…), never deleted. Automatic entries only repeat what the incident says."""

INCIDENT_VECTOR = (
    "setweight(to_tsvector('simple'::regconfig, incidents.title), 'A') || "
    "setweight(to_tsvector('simple'::regconfig, coalesce(incidents.summary, '')), 'B') || "
    "setweight(to_tsvector('simple'::regconfig, incidents.impact), 'C')"
)
ENTRY_VECTOR = "to_tsvector('simple'::regconfig, timeline_entries.text)"

INCIDENT_WEIGHTS = "10.0, 4.0, 2.0"
"""SQLite's bm25 weights for title, summary and impact (PostgreSQL: the A/B/C weights)."""
ENTRY_WEIGHT = 0.5
"""A match in a timeline entry counts for less than one in the incident itself."""

_QUERY = "to_tsquery('simple'::regconfig, :query)"
_ENTRY_COLUMNS = (
    "timeline_entries.incident_id AS incident_id, timeline_entries.text AS text, "
    "timeline_entries.kind AS kind, timeline_entries.data AS data"
)
_TYPES: dict[str, TypeEngine[Any]] = {
    "incident_id": Integer(),
    "text": Text(),
    "kind": String(),
    "data": JSON(),
}
_PG_INCIDENTS = text(
    f"SELECT incidents.id AS incident_id, ts_rank({INCIDENT_VECTOR}, {_QUERY}) AS score "
    f"FROM incidents WHERE incidents.team_id = :team_id AND ({INCIDENT_VECTOR}) @@ {_QUERY} "
    "ORDER BY score DESC, incidents.number DESC LIMIT :limit"
).columns(incident_id=Integer(), score=Float())
_PG_ENTRIES = text(
    f"SELECT {_ENTRY_COLUMNS}, ts_rank({ENTRY_VECTOR}, {_QUERY}) AS score "
    "FROM timeline_entries JOIN incidents ON incidents.id = timeline_entries.incident_id "
    "WHERE incidents.team_id = :team_id "
    f"AND {SEARCHED_ENTRIES} "  # unqualified: no column of incidents has these names
    f"AND {ENTRY_VECTOR} @@ {_QUERY} "
    "ORDER BY score DESC, timeline_entries.id DESC LIMIT :limit"
).columns(**_TYPES, score=Float())
_SQLITE_INCIDENTS = text(
    f"SELECT incidents.id AS incident_id, -bm25(incident_search, {INCIDENT_WEIGHTS}) AS score "
    "FROM incident_search JOIN incidents ON incidents.id = incident_search.rowid "
    "WHERE incident_search MATCH :query AND incidents.team_id = :team_id "
    "ORDER BY score DESC, incidents.number DESC LIMIT :limit"
).columns(incident_id=Integer(), score=Float())
_SQLITE_ENTRIES = text(
    f"SELECT {_ENTRY_COLUMNS}, -bm25(timeline_search) AS score "
    "FROM timeline_search "
    "JOIN timeline_entries ON timeline_entries.id = timeline_search.rowid "
    "JOIN incidents ON incidents.id = timeline_entries.incident_id "
    "WHERE timeline_search MATCH :query AND incidents.team_id = :team_id "
    "ORDER BY score DESC, timeline_entries.id DESC LIMIT :limit"
).columns(**_TYPES, score=Float())

_INCIDENTS = cast(Table, IncidentRow.__table__)
_HOLDINGS = cast(Table, RoleAssignmentRow.__table__)


def is_search_object(name: str | None) -> bool:
    """A table or index of the search that the models do not describe."""
    if name is None:
        return False
    return name in SEARCH_INDEXES or any(
        name == table or name.startswith(f"{table}_") for table in SEARCH_TABLES
    )


def fts5_query(terms: Sequence[str]) -> str:
    """FTS5: every word, each a quoted prefix (`"disk"* "full"*`), so none is syntax."""
    return " ".join('"' + term.replace('"', '""') + '"*' for term in terms)


def tsquery(terms: Sequence[str]) -> str:
    """PostgreSQL: every word, each a quoted prefix lexeme (`'disk':* & 'full':*`)."""
    quoted = ("'" + term.replace("\\", "\\\\").replace("'", "''") + "':*" for term in terms)
    return " & ".join(quoted)


async def matching(
    session: AsyncSession, team_id: str, terms: Sequence[str], *, limit: int
) -> list[Match]:
    """Up to `limit` of the team's incidents matching every word in their title, summary
    or impact, or in one key timeline entry, best first. Private incidents included."""
    terms = [term for term in terms if term]
    if not terms:
        return []
    if session.get_bind().dialect.name == "postgresql":
        params = {"query": tsquery(terms), "team_id": team_id, "limit": limit}
        in_incidents, in_entries = _PG_INCIDENTS, _PG_ENTRIES
    else:
        params = {"query": fts5_query(terms), "team_id": team_id, "limit": limit}
        in_incidents, in_entries = _SQLITE_INCIDENTS, _SQLITE_ENTRIES
    scores: dict[int, float] = {}
    for row in await session.execute(in_incidents, params):
        scores[row.incident_id] = float(row.score)
    excerpts: dict[int, tuple[str, bool]] = {}
    for row in await session.execute(in_entries, {**params, "limit": limit * 5}):
        found = ENTRY_WEIGHT * float(row.score)
        scores[row.incident_id] = scores.get(row.incident_id, 0.0) + found
        if row.incident_id not in excerpts:
            excerpts[row.incident_id] = (row.text, _slack_format(row.kind, row.data))
    loaded = await _load(session, scores)
    best = sorted(loaded.values(), key=lambda i: (-scores[i.id], -i.number))[:limit]
    return [
        Match(i, *excerpts[i.id]) if i.id in excerpts else Match(i, slack_format=False)
        for i in best
    ]


def _slack_format(kind: str, data: dict[str, Any] | None) -> bool:
    return kind in SLACK_FORMAT_KINDS or bool((data or {}).get("slack_format"))


async def listed(
    session: AsyncSession,
    team_id: str,
    query: ListQuery,
    *,
    viewer: str,
    now: datetime,
    limit: int,
) -> list[Incident]:
    """Up to `limit` of the team's incidents `query` asks for, newest first (`recent`:
    last resolved first), with their role holders. Private incidents included."""
    where = [_INCIDENTS.c.team_id == team_id]
    order = [_INCIDENTS.c.number.desc()]
    if query.scope == OPEN:
        where.append(_INCIDENTS.c.resolved_at.is_(None))
    elif query.scope == RECENT:
        where.append(_INCIDENTS.c.resolved_at >= now - RECENT_FOR)
        order.insert(0, _INCIDENTS.c.resolved_at.desc())
    if query.severities:
        where.append(_INCIDENTS.c.severity.in_(query.severities))
    if query.mine:
        holds = exists().where(
            _HOLDINGS.c.incident_id == _INCIDENTS.c.id,
            _HOLDINGS.c.user_id == viewer,
            _HOLDINGS.c.ended_at.is_(None),
        )
        where.append(or_(_INCIDENTS.c.reporter_id == viewer, holds))
    rows = await session.execute(
        select(_INCIDENTS.c.id).where(and_(*where)).order_by(*order).limit(limit)
    )
    ids = [row.id for row in rows]
    loaded = await _load(session, ids)
    return [loaded[incident_id] for incident_id in ids]


async def _load(session: AsyncSession, ids: Iterable[int]) -> dict[int, Incident]:
    """The incidents with these ids and their current role holders, in two statements."""
    wanted = list(ids)
    if not wanted:
        return {}
    holders: dict[int, list[Any]] = {incident_id: [] for incident_id in wanted}
    held = await session.execute(
        select(_HOLDINGS)
        .where(_HOLDINGS.c.incident_id.in_(wanted), _HOLDINGS.c.ended_at.is_(None))
        .order_by(_HOLDINGS.c.assigned_at)
    )
    for holding in held:
        holders[holding.incident_id].append(holding)
    rows = await session.execute(select(_INCIDENTS).where(_INCIDENTS.c.id.in_(wanted)))
    return {row.id: to_domain(row, holders[row.id]) for row in rows}
