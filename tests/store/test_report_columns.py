"""The report's per-incident reads column by column (`incident_columns`, what
`Reports` uses: arrays on PostgreSQL, transposed rows on SQLite) hold exactly what
`incident_facts` reads row by row, on both databases."""

from __future__ import annotations

from datetime import UTC

from tests.store.test_reports import MARCH, seed
from warroom.domain.report import FactColumns, ReportPeriod, period_of_dates
from warroom.store import reports
from warroom.store.engine import Store


async def test_columns_hold_the_same_facts_as_rows(store: Store) -> None:
    await seed(store)
    periods = [
        (MARCH, "T1"),
        (period_of_dates(UTC, None, None), None),
        (ReportPeriod(None, None, "all", "SEV1"), None),
    ]
    async with store.read() as session:
        for period, team in periods:
            rows = await reports.incident_facts(session, period, team=team)
            columns = await reports.incident_columns(session, period, team=team)
            assert isinstance(columns, FactColumns)
            assert columns.incidents == len(rows) > 0
            assert sorted(columns.rows(), key=repr) == sorted(rows, key=repr)


async def test_no_incidents_is_empty_columns(store: Store) -> None:
    await seed(store)
    async with store.read() as session:
        columns = await reports.incident_columns(session, MARCH, team="T9")
    assert columns == FactColumns() and columns.incidents == 0
