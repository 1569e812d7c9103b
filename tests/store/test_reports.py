"""The report's reads, on SQLite and PostgreSQL alike: the period, the workspace and
the severity choose incidents; cancelled ones are left out; times come back as exact
epoch seconds; updates, reminders and action items are counted per period."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from warroom.domain.report import ReportPeriod, period_of_dates
from warroom.store import reports
from warroom.store.engine import Store
from warroom.store.models import ActionItemRow, IncidentRow, StatusUpdateRow, TimelineEntryRow

T0 = datetime(2026, 3, 3, 10, 0, 0, 250000, tzinfo=UTC)
MIN = timedelta(minutes=1)
MARCH = period_of_dates(UTC, date(2026, 3, 1), date(2026, 3, 31))


def incident(number: int, **fields: Any) -> IncidentRow:
    values: dict[str, Any] = {
        "team_id": "T1",
        "number": number,
        "title": f"Secret title {number}",
        "impact": "some",
        "severity": "SEV2",
        "status": "investigating",
        "private": False,
        "reporter_id": "UR",
        "invitees": [],
        "declared_at": T0,
        **fields,
    }
    return IncidentRow(**values)


def update(incident_id: int, posted: datetime, due: datetime | None) -> StatusUpdateRow:
    return StatusUpdateRow(
        incident_id=incident_id,
        author_id="UA",
        status="investigating",
        happening="h",
        impact="i",
        doing="d",
        posted_at=posted,
        due_at=due,
    )


def entry(incident_id: int, kind: str, n: int) -> TimelineEntryRow:
    at = T0 + n * MIN
    return TimelineEntryRow(
        incident_id=incident_id, kind=kind, text="x", occurred_at=at, recorded_at=at, data={}
    )


def item(incident_id: int, state: str, due: date | None) -> ActionItemRow:
    return ActionItemRow(
        incident_id=incident_id, text="t", state=state, due_on=due, created_by="UA", created_at=T0
    )


async def seed(store: Store) -> dict[str, int]:
    rows = {
        "full": incident(
            1,
            severity="SEV1",
            started_at=T0 - 10 * MIN,
            acknowledged_at=T0 + 4 * MIN,
            mitigated_at=T0 + 30 * MIN,
            resolved_at=T0 + 60 * MIN,
            closed_at=T0 + timedelta(days=2),
        ),
        "private": incident(2, private=True, next_update_due_at=T0 + 30 * MIN),
        "cancelled": incident(3, cancelled_at=T0 + MIN, resolved_at=T0 + MIN),
        "april": incident(4, declared_at=datetime(2026, 4, 1, tzinfo=UTC)),
        "other_team": incident(1, team_id="T2"),
    }
    async with store.transaction() as session:
        session.add_all(rows.values())
        await session.flush()
        ids = {name: row.id for name, row in rows.items()}
        full, private, cancelled = ids["full"], ids["private"], ids["cancelled"]
        session.add_all(
            [
                update(full, T0 + 20 * MIN, T0 + 30 * MIN),  # first, on time
                update(full, T0 + 50 * MIN, T0 + 40 * MIN),  # late
                update(private, T0 + 15 * MIN, None),  # no due time
                update(cancelled, T0 + 5 * MIN, T0 + 6 * MIN),
                *(entry(full, kind, n) for n, kind in enumerate(["reminder", "message", "note"])),
                entry(private, "reminder", 3),
                entry(private, "reminder", 4),
                entry(cancelled, "reminder", 5),
                entry(ids["other_team"], "reminder", 6),
                item(full, "open", date(2026, 3, 10)),  # overdue on the 20th
                item(full, "open", date(2026, 3, 30)),
                item(full, "open", None),
                item(private, "done", date(2026, 3, 1)),
                item(private, "wont_do", None),
                item(cancelled, "open", date(2026, 3, 1)),
            ]
        )
    return ids


async def test_facts_choose_the_period_the_team_and_leave_cancelled_out(store: Store) -> None:
    await seed(store)
    async with store.read() as session:
        facts = await reports.incident_facts(session, MARCH, team="T1")
        everyone = await reports.incident_facts(session, period_of_dates(UTC, None, None))
        severe = await reports.incident_facts(session, ReportPeriod(None, None, "all", "SEV1"))
    assert sorted((f.severity, f.private) for f in facts) == [("SEV1", False), ("SEV2", True)]
    assert len(everyone) == 4  # both teams, April too; never the cancelled one
    assert [f.severity for f in severe] == ["SEV1"]
    (full,) = [f for f in facts if f.severity == "SEV1"]
    assert abs(full.declared - T0.timestamp()) < 0.002  # milliseconds survive
    assert abs((full.declared - full.started) - 600) < 0.002  # type: ignore[operator]
    assert abs((full.acknowledged - full.declared) - 240) < 0.002  # type: ignore[operator]
    assert abs((full.first_update - full.declared) - 1200) < 0.002  # type: ignore[operator]
    assert full.closed is not None and full.mitigated is not None
    (private,) = [f for f in facts if f.private]
    assert private.resolved is None and private.next_update_due is not None


async def test_updates_and_reminders_are_counted_for_the_chosen_incidents(store: Store) -> None:
    await seed(store)
    async with store.read() as session:
        activity = await reports.activity(session, MARCH, team="T1")
        nothing = await reports.activity(session, MARCH, team="T9")
    assert (activity.updates, activity.updates_with_due, activity.updates_on_time) == (3, 2, 1)
    assert activity.reminders == 3  # not the cancelled incident's, nor the other team's
    assert (nothing.updates, nothing.reminders) == (0, 0)


async def test_action_items_open_overdue_done(store: Store) -> None:
    await seed(store)
    async with store.read() as session:
        tally = await reports.action_item_tally(session, MARCH, today=date(2026, 3, 20), team="T1")
    assert (tally.open, tally.overdue, tally.done, tally.wont_do) == (3, 1, 1, 1)
