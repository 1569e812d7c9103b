"""Finding incidents in the store, on SQLite (FTS5 and triggers) and PostgreSQL (GIN
indexes on expressions) alike: what is searched, ranking, words that look like query
syntax, the index kept in step with edits, and the lists of `/incident list`."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, insert, text, update

from warroom.domain.declaration import Declaration
from warroom.domain.finding import ALL, OPEN, RECENT, ListQuery, search_terms
from warroom.store import incidents, roles, search
from warroom.store.engine import Store, create_engine
from warroom.store.migrations import alembic_config
from warroom.store.models import IncidentRow, TimelineEntryRow

NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
TEAM = "T1"


async def declare(
    store: Store,
    title: str,
    *,
    impact: str = "Some users affected",
    severity: str = "SEV2",
    team: str = TEAM,
    private: bool = False,
    reporter: str = "UR",
    **facts: Any,
) -> int:
    async with store.transaction() as session:
        incident = await incidents.insert_incident(
            session,
            team_id=team,
            reporter_id=reporter,
            declaration=Declaration(
                title=title,
                severity=severity,
                impact=impact,
                started_at=None,
                private=private,
                responders=(),
            ),
            declare_key=None,
            status="investigating",
            now=NOW,
        )
        if facts:
            await incidents.record(session, incident.id, **facts)
        return incident.id


async def entry(
    store: Store, incident_id: int, body: str, *, kind: str = "message", highlighted: bool = False
) -> int:
    async with store.transaction() as session:
        row = TimelineEntryRow(
            incident_id=incident_id,
            kind=kind,
            author_id="UA",
            text=body,
            occurred_at=NOW,
            recorded_at=NOW,
            highlighted=highlighted,
            data={},
        )
        session.add(row)
        await session.flush()
        return row.id


async def found(store: Store, words: str, team: str = TEAM) -> list[str]:
    async with store.read() as session:
        matches = await search.matching(session, team, search_terms(words), limit=50)
    return [m.incident.title for m in matches]


async def test_titles_summaries_impact_and_key_entries_are_searched_best_first(
    store: Store,
) -> None:
    await declare(store, "Checkout database timeouts")
    await declare(store, "Payments slow", impact="Checkout pages load slowly")
    await declare(store, "Login errors", summary="Rolled back the checkout release")
    pinned = await declare(store, "Queue backlog")
    await entry(store, pinned, "the checkout worker is stuck", highlighted=True)
    typed = await declare(store, "Search degraded")
    await entry(store, typed, "symptom: checkout spinner", kind="symptom")
    chat = await declare(store, "Chat only")
    await entry(store, chat, "checkout? anyone?")  # chat, not marked: not searched
    gone = await declare(store, "Deleted note")
    deleted = await entry(store, gone, "checkout secret", kind="note")
    async with store.transaction() as session:
        await session.execute(
            update(TimelineEntryRow).where(TimelineEntryRow.id == deleted).values(deleted_at=NOW)
        )
    await declare(store, "Checkout elsewhere", team="T2")

    titles = await found(store, "checkout")
    assert titles[0] == "Checkout database timeouts", "a title match ranks first"
    assert set(titles) == {
        "Checkout database timeouts",
        "Payments slow",
        "Login errors",
        "Queue backlog",
        "Search degraded",
    }
    async with store.read() as session:
        (match,) = await search.matching(session, TEAM, ("worker",), limit=10)
    assert match.incident.title == "Queue backlog"
    assert match.excerpt == "the checkout worker is stuck"
    assert match.slack_format


async def test_every_word_must_match_as_a_prefix_in_any_case(store: Store) -> None:
    await declare(store, "Checkout database timeouts", impact="EU customers")
    await declare(store, "Database failover", impact="US customers")
    assert await found(store, "DATA time") == ["Checkout database timeouts"]
    assert sorted(await found(store, "databases")) == []
    assert sorted(await found(store, "datab custom")) == [
        "Checkout database timeouts",
        "Database failover",
    ]
    assert await found(store, "database nothere") == []


@pytest.mark.parametrize(
    "hostile",
    [
        '"',
        '"checkout',
        "NEAR(",
        "NEAR(checkout database)",
        "*",
        "-",
        "-checkout",
        "checkout OR database",
        "checkout AND NOT database",
        "title:checkout",
        "^checkout",
        "'",
        "\\",
        "') OR 1=1 --",
        ":*",
        "&|!()<->",
        "checkout:*",
        "{title summary}: checkout",
        "\x00checkout",
        "ünïcödé 日本語 checkout",
    ],
)
async def test_words_that_look_like_query_syntax_are_words(store: Store, hostile: str) -> None:
    await declare(store, "Checkout database timeouts")
    words = ["checkout", "database", "timeouts"]
    terms = search_terms(hostile)
    expected = bool(terms) and all(any(w.startswith(t) for w in words) for t in terms)
    assert await found(store, hostile) == (["Checkout database timeouts"] if expected else [])
    if hostile in {'"checkout', "-checkout", "checkout:*", "^checkout", "\x00checkout"}:
        assert expected, "the word is found whatever surrounds it"


@pytest.mark.parametrize("raw", ['"', "'", "\\", "NEAR(", "*", "-", ":*", "", "a'b\"c"])
async def test_terms_are_quoted_even_if_not_from_search_terms(store: Store, raw: str) -> None:
    await declare(store, "Checkout database timeouts")
    async with store.read() as session:
        assert await search.matching(session, TEAM, (raw,), limit=5) == []


async def test_the_index_follows_edits_highlights_deletions(store: Store) -> None:
    incident_id = await declare(store, "Queue backlog")
    entry_id = await entry(store, incident_id, "the kafka consumer lags")
    assert await found(store, "kafka") == []
    async with store.transaction() as session:
        await session.execute(
            update(TimelineEntryRow).where(TimelineEntryRow.id == entry_id).values(highlighted=True)
        )
    assert await found(store, "kafka") == ["Queue backlog"]
    async with store.transaction() as session:
        await session.execute(
            update(TimelineEntryRow)
            .where(TimelineEntryRow.id == entry_id)
            .values(text="the rabbit consumer lags")
        )
    assert (await found(store, "kafka"), await found(store, "rabbit")) == ([], ["Queue backlog"])
    async with store.transaction() as session:
        await session.execute(
            update(TimelineEntryRow).where(TimelineEntryRow.id == entry_id).values(deleted_at=NOW)
        )
    assert await found(store, "rabbit") == []
    async with store.transaction() as session:
        await incidents.record(session, incident_id, summary="Scaled the consumers")
    assert await found(store, "scaled consumers") == ["Queue backlog"]
    async with store.transaction() as session:
        await session.execute(delete(IncidentRow).where(IncidentRow.id == incident_id))
    assert await found(store, "queue") == []


async def test_private_incidents_are_candidates_marked_private(store: Store) -> None:
    """The store does not know who is in a room: it returns private matches marked
    private, and the finder service hides them (tests/services/test_finder.py)."""
    await declare(store, "Secret acquisition leak", private=True)
    async with store.read() as session:
        (match,) = await search.matching(session, TEAM, ("acquisition",), limit=5)
    assert match.incident.private


async def listed(store: Store, query: ListQuery, viewer: str = "UV") -> list[str]:
    async with store.read() as session:
        found = await search.listed(session, TEAM, query, viewer=viewer, now=NOW, limit=50)
    return [i.title for i in found]


async def test_lists_by_scope_severity_and_involvement(store: Store) -> None:
    await declare(store, "open sev1", severity="SEV1")
    mine = await declare(store, "open sev2 mine", severity="SEV2")
    await declare(store, "reported by me", severity="SEV3", reporter="UV")
    handed = await declare(store, "handed on", severity="SEV2")
    await declare(store, "resolved yesterday", resolved_at=NOW - timedelta(days=1))
    await declare(store, "resolved long ago", resolved_at=NOW - timedelta(days=8))
    await declare(store, "other team", team="T2")
    async with store.transaction() as session:
        await roles.hand_to(session, mine, "commander", user_id="UV", by="UR", now=NOW)
        await roles.hand_to(session, handed, "commander", user_id="UV", by="UR", now=NOW)
        await roles.hand_to(session, handed, "commander", user_id="UX", by="UR", now=NOW)

    assert await listed(store, ListQuery(OPEN)) == [
        "handed on",
        "reported by me",
        "open sev2 mine",
        "open sev1",
    ]
    assert await listed(store, ListQuery(RECENT)) == ["resolved yesterday"]
    assert len(await listed(store, ListQuery(ALL))) == 6
    assert await listed(store, ListQuery(OPEN, mine=True)) == ["reported by me", "open sev2 mine"]
    assert await listed(store, ListQuery(OPEN, severities=("SEV1", "SEV3"))) == [
        "reported by me",
        "open sev1",
    ]
    assert await listed(store, ListQuery(OPEN, mine=True, severities=("SEV2",))) == [
        "open sev2 mine"
    ]
    async with store.read() as session:
        (first,) = await search.listed(
            session, TEAM, ListQuery(OPEN, mine=True, severities=("SEV2",)), viewer="UV",
            now=NOW, limit=5,
        )  # fmt: skip
    assert first.holder("commander") == "UV"


async def test_search_triggers_and_indexes_exist_at_head(store: Store) -> None:
    """A later migration rebuilding `incidents` or `timeline_entries` drops the triggers
    on SQLite; this says so."""
    async with store.read() as session:
        if store.dialect == "sqlite":
            rows = await session.execute(
                text("SELECT name FROM sqlite_master WHERE type = 'trigger'")
            )
            assert {
                "incident_search_insert",
                "incident_search_update",
                "incident_search_delete",
                "timeline_search_insert",
                "timeline_search_update",
                "timeline_search_delete",
            } <= set(rows.scalars())
        else:
            rows = await session.execute(text("SELECT indexname FROM pg_indexes"))
            assert set(search.SEARCH_INDEXES) <= set(rows.scalars())


@pytest.mark.postgres  # SQLite's FTS5 tables are the index
async def test_postgresql_answers_from_the_gin_indexes(store: Store) -> None:
    """The queries repeat the indexed expressions exactly, so the planner can use them."""
    for n in range(30):
        incident_id = await declare(store, f"incident {n}")
        await entry(store, incident_id, f"note {n}", kind="note")
    async with store.transaction() as session:
        await session.execute(text("ANALYZE incidents, timeline_entries"))
        for switch in ("enable_seqscan", "enable_indexscan"):  # GIN is bitmap-scanned
            await session.execute(text(f"SET LOCAL {switch} = off"))
        params = {"query": search.tsquery(("note",)), "team_id": TEAM, "limit": 5}
        plans = []
        for statement in (search._PG_INCIDENTS, search._PG_ENTRIES):
            explained = await session.execute(text(f"EXPLAIN {statement.element.text}"), params)
            plans.append("\n".join(explained.scalars()))
    assert "ix_incidents_search" in plans[0], plans[0]
    assert "ix_timeline_entries_search" in plans[1], plans[1]


async def declare_at_0010(store: Store, title: str, *, summary: str) -> int:
    """An incident stored as revision 0010 knew it: only the columns it had (later
    revisions add columns to incidents, which `insert_incident` writes)."""
    columns = {
        "team_id": TEAM,
        "number": 1,
        "title": title,
        "summary": summary,
        "impact": "Some users affected",
        "severity": "SEV2",
        "status": "investigating",
        "private": False,
        "reporter_id": "UR",
        "invitees": [],
        "declared_at": NOW,
        "version": 1,
    }
    statement = insert(IncidentRow.__table__).values(columns).returning(IncidentRow.id)
    async with store.transaction() as session:
        incident_id: int = (await session.execute(statement)).scalar_one()
        return incident_id


async def test_upgrading_indexes_what_was_there_before(tmp_path: Path) -> None:
    """Migration 0011 fills SQLite's FTS5 tables from the rows already stored
    (PostgreSQL's indexes on expressions cover existing rows by themselves)."""
    from alembic import command

    url = f"sqlite+aiosqlite:///{tmp_path / 'old.db'}"
    config = alembic_config(url)
    await asyncio.to_thread(command.upgrade, config, "0010")
    store = Store(create_engine(url))
    try:
        incident_id = await declare_at_0010(store, "Queue backlog", summary="Scaled consumers")
        await entry(store, incident_id, "kafka lag", kind="note")
        await entry(store, incident_id, "zookeeper chatter")
        await asyncio.to_thread(command.upgrade, config, "head")
        assert await found(store, "scaled") == ["Queue backlog"]
        assert await found(store, "kafka") == ["Queue backlog"]
        assert await found(store, "zookeeper") == []
        await asyncio.to_thread(command.downgrade, config, "0010")
        await asyncio.to_thread(command.upgrade, config, "head")
        assert await found(store, "kafka") == ["Queue backlog"]
    finally:
        await store.dispose()
