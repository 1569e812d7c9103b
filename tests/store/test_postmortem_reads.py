"""The postmortem's paged read gives the draft exactly what reading every entry gave."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert, select

from warroom.domain.declaration import Declaration
from warroom.domain.postmortem import CHAT_KINDS, PostmortemInput, TimelineFact, draft_postmortem
from warroom.domain.postmortem_markdown import render_markdown
from warroom.policy_file import load_policy
from warroom.store import incidents
from warroom.store.engine import Store
from warroom.store.models import SHOWN_IN_POSTMORTEM, TimelineEntryRow
from warroom.store.postmortem_reads import load_draft_input, shown_entries

NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
KINDS = ("message", "note", "pending", "status_changed", "file_share", "hypothesis", "message")


async def incident_with_entries(store: Store, count: int) -> int:
    """Entries of every sort; three at a time share one `occurred_at`, so pages end
    inside a run of equal times; ids do not follow time order."""
    async with store.transaction() as session:
        incident = await incidents.insert_incident(
            session,
            team_id="T1",
            reporter_id="UR",
            declaration=Declaration(
                title="DB down",
                severity="SEV1",
                impact="All",
                started_at=None,
                private=False,
                responders=(),
            ),
            declare_key=None,
            status="investigating",
            now=NOW,
        )
        rows = [
            {
                "incident_id": incident.id,
                "kind": KINDS[n % len(KINDS)],
                "author_id": f"U{n % 4}",
                "text": f"entry {n} <https://x.example|link> &amp; more",
                "occurred_at": NOW + timedelta(seconds=(count - n) // 3),
                "recorded_at": NOW,
                "highlighted": n % 5 == 0,
                "edited_at": NOW if n % 7 == 0 else None,
                "deleted_at": NOW if n % 11 == 0 else None,
                "data": {"from": "investigating", "to": "identified"} if n % 7 == 3 else {},
            }
            for n in range(count)
        ]
        await session.execute(insert(TimelineEntryRow), rows)
        return incident.id


async def every_entry(store: Store, incident_id: int) -> list[TimelineFact]:
    """What the draft was given before: every entry, as ORM rows."""
    async with store.read() as session:
        rows = await session.execute(
            select(TimelineEntryRow)
            .where(TimelineEntryRow.incident_id == incident_id)
            .order_by(TimelineEntryRow.occurred_at, TimelineEntryRow.id)
        )
        return [
            TimelineFact(
                kind=e.kind,
                author_id=e.author_id,
                text=e.text,
                occurred_at=e.occurred_at,
                highlighted=e.highlighted,
                edited=e.edited_at is not None,
                deleted=e.deleted_at is not None,
                data=dict(e.data or {}),
            )
            for e in rows.scalars()
        ]


async def test_the_paged_read_drafts_the_same_postmortem(store: Store) -> None:
    incident_id = await incident_with_entries(store, 61)
    paged = await load_draft_input(store, incident_id, load_policy(), NOW)
    everything = await every_entry(store, incident_id)
    full = PostmortemInput(
        incident=paged.incident,
        policy=paged.policy,
        entries=everything,
        role_history=paged.role_history,
        action_items=paged.action_items,
        resolution=paged.resolution,
        root_cause=paged.root_cause,
        drafted_at=NOW,
        zone=paged.policy.zone,
    )
    assert paged.entries_total == len(everything) == 61
    assert len(paged.entries) < len(everything)  # unhighlighted chat is only counted
    assert draft_postmortem(paged) == draft_postmortem(full)
    assert render_markdown(draft_postmortem(paged)) == render_markdown(draft_postmortem(full))


@pytest.mark.parametrize("page", [1, 3, 4, 1000])
async def test_pages_cover_every_shown_entry_once_in_order(store: Store, page: int) -> None:
    incident_id = await incident_with_entries(store, 40)
    other = await incident_with_entries(store, 10)
    pages = [p async for p in shown_entries(store, incident_id, page=page)]
    assert all(len(p) <= page for p in pages)
    read = [fact for p in pages for fact in p]
    expected = [
        fact
        for fact in await every_entry(store, incident_id)
        if fact.kind != "pending" and (fact.kind not in CHAT_KINDS or fact.highlighted)
    ]
    assert read == expected  # none of the other incident's, though it has the same times
    assert await every_entry(store, other)


def test_the_index_predicate_leaves_out_what_the_draft_leaves_out() -> None:
    """The partial index's SQL must change with `CHAT_KINDS` (and a migration with it)."""
    listed = ", ".join(f"'{kind}'" for kind in sorted(CHAT_KINDS))
    assert f"kind NOT IN ({listed})" in SHOWN_IN_POSTMORTEM
    assert "kind <> 'pending'" in SHOWN_IN_POSTMORTEM and "OR highlighted" in SHOWN_IN_POSTMORTEM
