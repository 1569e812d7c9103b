"""Pruning on both databases: old handled deliveries and finished jobs go, in small
batches; anything newer, and any job still to run, stays; the prune job keeps
exactly one next run planned across replicas and restarts."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import insert, select

from tests.harness import Harness
from warroom.config import ConfigError, load_settings
from warroom.domain.alerts import FIRING, Alert, Notification
from warroom.domain.clock import ManualClock
from warroom.scheduler.driver import ticking
from warroom.scheduler.tick import Scheduler
from warroom.services.retention import PRUNE, PRUNE_EVERY, Retention
from warroom.slack.errors import SlackFailure, may_pass
from warroom.store import alerts, jobs
from warroom.store.engine import Store, create_engine
from warroom.store.jobs import Job
from warroom.store.models import DueJobRow, ProcessedRequestRow

T0 = datetime(2026, 12, 6, 4, 0, tzinfo=UTC)
KEEP = timedelta(days=7)
OLD = T0 - KEEP - timedelta(hours=1)
NEW = T0 - KEEP + timedelta(hours=1)


def _request(key: str, at: datetime, *, handled: bool = True) -> dict[str, Any]:
    return {"key": key, "team_id": "T1", "received_at": at, "handled_at": at if handled else None}


def _job(kind: str, state: str, due_at: datetime, *, attempts: int = 1) -> dict[str, Any]:
    return {
        "kind": kind,
        "incident_id": None,
        "due_at": due_at,
        "state": state,
        "attempts": attempts,
        "payload": {},
        "created_at": due_at - timedelta(minutes=5),
    }


async def add(store: Store, requests: list[dict[str, Any]], due: list[dict[str, Any]]) -> None:
    async with store.transaction() as session:
        if requests:
            await session.execute(insert(ProcessedRequestRow), requests)
        if due:
            await session.execute(insert(DueJobRow), due)


async def request_keys(store: Store) -> set[str]:
    async with store.transaction() as session:
        return set((await session.execute(select(ProcessedRequestRow.key))).scalars())


async def job_kinds(store: Store) -> Counter[tuple[str, str]]:
    async with store.transaction() as session:
        rows = await session.execute(select(DueJobRow.kind, DueJobRow.state))
        return Counter((kind, state) for kind, state in rows)


async def pending_prunes(store: Store) -> list[datetime]:
    async with store.transaction() as session:
        rows = await session.execute(
            select(DueJobRow.due_at).where(DueJobRow.kind == PRUNE, DueJobRow.state == "pending")
        )
        return list(rows.scalars())


async def test_old_rows_go_newer_rows_and_unfinished_jobs_stay(
    store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    await add(
        store,
        [
            _request("old-handled", OLD),
            _request("old-abandoned", OLD, handled=False),
            _request("new", NEW),
            _request("now", T0, handled=False),
        ],
        [
            _job("old-done", "done", OLD),
            _job("old-failed", "failed", OLD),
            _job("new-done", "done", NEW),
            _job("old-pending", "pending", OLD, attempts=0),  # overdue, not yet run
            _job("old-running", "pending", OLD, attempts=3),  # claimed, retrying
        ],
    )
    caplog.set_level(logging.INFO, logger="warroom.services.retention")

    report = await Retention(store, ManualClock(T0), KEEP).prune()

    assert (report.requests, report.jobs) == (2, 2)
    assert await request_keys(store) == {"new", "now"}
    assert set(await job_kinds(store)) == {
        ("new-done", "done"),
        ("old-pending", "pending"),
        ("old-running", "pending"),
    }
    assert (
        "pruned 2 processed request(s), 2 finished job(s) and 0 alert notification(s)"
        in caplog.text
    )


async def test_prunes_in_batches_until_nothing_old_is_left(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    await add(
        store,
        [_request(f"old-{n}", OLD - timedelta(seconds=n)) for n in range(10_050)]
        + [_request(f"new-{n}", NEW) for n in range(10)],
        [_job("reminder", "done", OLD - timedelta(seconds=n)) for n in range(2_500)]
        + [_job("reminder", "pending", OLD, attempts=0) for _ in range(5)],
    )
    retention = Retention(store, ManualClock(T0), KEEP, batch=1000)
    seen: list[int] = []
    original = jobs.prune_finished

    async def counting(session: Any, *, before: datetime, limit: int) -> int:
        deleted = await original(session, before=before, limit=limit)
        seen.append(deleted)
        return deleted

    monkeypatch.setattr(jobs, "prune_finished", counting)

    report = await retention.prune()

    assert (report.requests, report.jobs) == (10_050, 2_500)
    assert report.batches == 11 + 3 + 1  # never more than 1000 rows per transaction
    assert seen == [1000, 1000, 500]
    assert len(await request_keys(store)) == 10
    assert await job_kinds(store) == Counter({("reminder", "pending"): 5})


async def test_a_run_stops_after_its_batches_and_the_next_goes_on(store: Store) -> None:
    await add(store, [_request(f"old-{n}", OLD) for n in range(2_500)], [])
    retention = Retention(store, ManualClock(T0), KEEP, batch=1000, max_batches=2)

    first = await retention.prune()
    second = await retention.prune()

    assert (first.requests, second.requests) == (2000, 500)
    assert await request_keys(store) == set()


async def test_replicas_and_restarts_plan_one_prune_and_each_run_plans_the_next(
    database_url: str, store: Store
) -> None:
    clock = ManualClock(T0)
    next_run_old = T0 - KEEP + PRUNE_EVERY / 2  # kept now, old by the next run
    await add(store, [_request("old", OLD), _request("next", next_run_old)], [])
    other = Store(create_engine(database_url))
    try:
        replicas = [
            Scheduler(
                s,
                clock,
                {PRUNE: Retention(s, clock, KEEP).on_job},
                recurring={PRUNE: PRUNE_EVERY},
            )
            for s in (store, other)
        ]
        # Both replicas start at once, then one restarts.
        await asyncio.gather(*(replica.plan_recurring() for replica in replicas))
        await replicas[0].plan_recurring()
        assert await pending_prunes(store) == [T0]

        reports = await asyncio.gather(*(replica.tick() for replica in replicas))

        assert sum(report.done for report in reports) == 1
        assert await request_keys(store) == {"next"}
        assert await pending_prunes(store) == [T0 + PRUNE_EVERY]
        await replicas[1].plan_recurring()  # a restart after the run
        assert await pending_prunes(store) == [T0 + PRUNE_EVERY]

        clock.now = T0 + PRUNE_EVERY
        assert (await replicas[1].tick()).done == 1
        assert await request_keys(store) == set()
        assert await pending_prunes(store) == [T0 + 2 * PRUNE_EVERY]
        assert await job_kinds(store) == Counter({(PRUNE, "done"): 2, (PRUNE, "pending"): 1})
    finally:
        await other.dispose()


async def test_a_prune_that_fails_for_good_still_plans_the_next(store: Store) -> None:
    clock = ManualClock(T0)

    async def broken(job: Job) -> None:
        raise SlackFailure("nothing.really", "not_authed")

    scheduler = Scheduler(
        store, clock, {PRUNE: broken}, recurring={PRUNE: PRUNE_EVERY}, transient=may_pass
    )
    await scheduler.plan_recurring()

    assert (await scheduler.tick()).failed == 1
    assert await pending_prunes(store) == [T0 + PRUNE_EVERY]


async def test_serving_plans_and_runs_the_prune(store: Store) -> None:
    clock = ManualClock(T0)
    await add(store, [_request("old", OLD)], [_job("reminder", "failed", OLD)])
    retention, ran = Retention(store, clock, KEEP), asyncio.Event()

    async def prune(job: Job) -> None:
        await retention.on_job(job)
        ran.set()

    scheduler = Scheduler(store, clock, {PRUNE: prune}, recurring={PRUNE: PRUNE_EVERY})

    async with ticking(scheduler, every_s=3600):
        await asyncio.wait_for(ran.wait(), 10)
        await scheduler.idle()  # the tick that ran it has recorded it

    assert await request_keys(store) == set()
    assert await pending_prunes(store) == [T0 + PRUNE_EVERY]
    assert await job_kinds(store) == Counter({(PRUNE, "done"): 1, (PRUNE, "pending"): 1})


def test_retention_is_a_setting_in_days() -> None:
    assert load_settings(_env_file=None).retention_days == 7
    with pytest.raises(ConfigError, match=r"RETENTION_DAYS .*between 1 and 3650"):
        load_settings(_env_file=None, retention_days="0.5")


async def test_deliveries_served_over_signed_http_are_pruned_by_the_runtimes_job(
    harness: Harness,
) -> None:
    """The wiring end to end: real signed commands fill `processed_requests`, and the
    runtime's own scheduler (handler, recurring plan, RETENTION_DAYS default) empties it."""
    for text in ("help", "help"):
        status, _ = await harness.command(text)
        assert status == 200
    await harness.settle()
    async with harness.runtime.store.transaction() as session:
        stored = set((await session.execute(select(ProcessedRequestRow.key))).scalars())
    assert len(stored) == 2

    await harness.runtime.scheduler.plan_recurring()  # as `warroom serve` does on start
    assert (await harness.tick()).done == 1  # the first run: nothing is old yet
    assert await request_keys(harness.runtime.store) == stored

    assert (await harness.tick(days=7, minutes=1)).done == 1
    assert await request_keys(harness.runtime.store) == set()
    assert len(await pending_prunes(harness.runtime.store)) == 1


async def test_processed_alert_notifications_go_unprocessed_ones_stay(store: Store) -> None:
    def sent(n: int) -> Notification:
        alert = Alert(f"fp{n}", FIRING, {"alertname": "Down"}, {}, starts_at=OLD)
        return Notification("alertmanager", f"group-{n}", FIRING, (alert,))

    async with store.transaction() as session:
        for n, when in enumerate((OLD, OLD, NEW)):
            await alerts.add_receipt(session, sent(n), now=when)
        first, _, newest = await alerts.waiting_receipts(session, limit=10)
        await alerts.mark_processed(session, [first.id, newest.id], now=T0)

    report = await Retention(store, ManualClock(T0), KEEP).prune()

    assert report.alert_receipts == 1
    async with store.transaction() as session:
        left = await alerts.waiting_receipts(session, limit=10)
    assert [r.notification.group_key for r in left] == ["group-1"]
