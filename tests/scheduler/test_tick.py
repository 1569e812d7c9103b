"""The tick on both databases: due work runs once, across replicas and restarts."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from warroom.scheduler.driver import ticking
from warroom.scheduler.tick import LEASE, Scheduler, backoff
from warroom.store import jobs
from warroom.store.engine import Store, create_engine
from warroom.store.jobs import Job
from warroom.store.models import DueJobRow

T0 = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


async def put_many(store: Store, count: int, *, due: datetime, kind: str = "ping") -> None:
    async with store.transaction() as session:
        for n in range(count):
            session.add(
                DueJobRow(kind=kind, due_at=due, payload={"n": n}, created_at=T0, state="pending")
            )


async def states(store: Store) -> Counter[str]:
    async with store.transaction() as session:
        rows = await session.execute(select(DueJobRow.state))
        return Counter(rows.scalars())


async def test_only_due_jobs_run(store: Store) -> None:
    clock, ran = Clock(), []

    async def ping(job: Job) -> None:
        ran.append(job.payload["n"])

    await put_many(store, 3, due=T0)
    await put_many(store, 2, due=T0 + timedelta(minutes=5))
    scheduler = Scheduler(store, clock, {"ping": ping})
    report = await scheduler.tick()
    assert (report.claimed, report.done) == (3, 3) and sorted(ran) == [0, 1, 2]
    assert (await scheduler.tick()).claimed == 0
    clock.now += timedelta(minutes=5)
    assert (await scheduler.tick()).done == 2
    assert await states(store) == Counter({"done": 5})


async def test_two_replicas_run_each_job_exactly_once(database_url: str, store: Store) -> None:
    await put_many(store, 300, due=T0)
    ran: Counter[int] = Counter()

    async def ping(job: Job) -> None:
        await asyncio.sleep(0)
        ran[job.id] += 1

    other = Store(create_engine(database_url))
    try:
        replicas = [
            Scheduler(s, Clock(), {"ping": ping}, batch=40) for s in (store, other, store, other)
        ]
        while True:
            reports = await asyncio.gather(*(r.tick() for r in replicas))
            if not any(r.claimed for r in reports):
                break
    finally:
        await other.dispose()
    assert len(ran) == 300 and set(ran.values()) == {1}
    assert await states(store) == Counter({"done": 300})


async def test_job_claimed_by_a_process_that_died_runs_once_after_the_lease(store: Store) -> None:
    await put_many(store, 1, due=T0)
    async with store.transaction() as session:
        (abandoned,) = await jobs.claim(session, now=T0, lease=LEASE, limit=10)
    clock, ran = Clock(), []

    async def ping(job: Job) -> None:
        ran.append(job.id)

    scheduler = Scheduler(store, clock, {"ping": ping})
    clock.now = T0 + LEASE - timedelta(seconds=1)
    assert (await scheduler.tick()).claimed == 0
    clock.now = T0 + LEASE
    assert (await scheduler.tick()).done == 1
    clock.now += LEASE * 2
    assert (await scheduler.tick()).claimed == 0
    assert ran == [abandoned.id]


async def test_a_job_still_running_at_half_its_lease_is_given_up_not_doubled(
    store: Store,
) -> None:
    """Past half the lease another replica could take the job over and send it again;
    the slow run is cancelled first, and the job left to retry, not to run twice."""
    await put_many(store, 12, due=T0)
    clock, finished = Clock(), []

    async def slow(job: Job) -> None:
        await asyncio.sleep(0 if job.payload["n"] < 10 else 5)
        finished.append(job.payload["n"])

    # Half of it is time enough to start all 12 on a busy machine (seen failing at 0.5 s
    # with the suite on 4 workers), and far less than the slow ones take.
    lease = timedelta(seconds=2)
    report = await Scheduler(store, clock, {"ping": slow}, lease=lease).tick()
    assert (report.claimed, report.done, report.retried) == (12, 10, 2)
    assert sorted(finished) == list(range(10))
    async with store.transaction() as session:
        rows = await session.execute(select(DueJobRow).where(DueJobRow.state == "pending"))
        left = list(rows.scalars())
    assert sorted(row.payload["n"] for row in left) == [10, 11]
    assert {row.due_at for row in left} == {T0 + backoff(1)}
    assert {str(row.last_error) for row in left} == {
        "still running at half its lease; given up to be retried"
    }


class Refused(Exception):
    """A failure that will not pass by trying again."""


def passes(error: BaseException) -> bool:
    return not isinstance(error, Refused)


async def test_transient_failures_back_off_then_succeed(store: Store) -> None:
    await put_many(store, 1, due=T0)
    clock, attempts = Clock(), []

    async def flaky(job: Job) -> None:
        attempts.append(clock.now)
        if len(attempts) < 3:
            raise TimeoutError("no answer")

    scheduler = Scheduler(store, clock, {"ping": flaky}, transient=passes)
    assert (await scheduler.tick()).retried == 1
    clock.now += backoff(1) - timedelta(seconds=1)
    assert (await scheduler.tick()).claimed == 0
    clock.now += timedelta(seconds=1)
    assert (await scheduler.tick()).retried == 1
    clock.now += backoff(2)
    assert (await scheduler.tick()).done == 1
    assert len(attempts) == 3
    assert await states(store) == Counter({"done": 1})


async def test_permanent_failure_is_recorded_and_others_go_on(store: Store) -> None:
    await put_many(store, 1, due=T0, kind="broken")
    await put_many(store, 2, due=T0)
    await put_many(store, 1, due=T0, kind="unknown")

    async def broken(job: Job) -> None:
        raise Refused("chat.postMessage: channel_not_found")

    async def ping(job: Job) -> None:
        return None

    handlers = {"broken": broken, "ping": ping}
    report = await Scheduler(store, Clock(), handlers, transient=passes).tick()
    assert (report.done, report.failed) == (2, 2)
    async with store.transaction() as session:
        errors = (
            await session.execute(select(DueJobRow.last_error).where(DueJobRow.state == "failed"))
        ).scalars()
        assert sorted(str(e) for e in errors) == [
            "Refused: chat.postMessage: channel_not_found",
            "no handler for job kind 'unknown'",
        ]


async def test_put_replaces_the_pending_job_of_the_same_kind(store: Store) -> None:
    async with store.transaction() as session:
        from warroom.store.models import IncidentRow

        incident = IncidentRow(
            team_id="T",
            number=1,
            title="t",
            impact="i",
            severity="SEV1",
            status="investigating",
            private=False,
            reporter_id="U",
            invitees=[],
            declared_at=T0,
        )
        session.add(incident)
        await session.flush()
        await jobs.put(session, "update_due", incident_id=incident.id, due_at=T0, now=T0)
        later = T0 + timedelta(minutes=30)
        await jobs.put(session, "update_due", incident_id=incident.id, due_at=later, now=T0)
        (job,) = await jobs.pending(session, incident.id)
        assert job.due_at == later


async def test_stopping_lets_a_job_in_progress_finish(store: Store) -> None:
    """`warroom serve` stopping (SIGTERM, a rollout) while a job runs: the job ends
    and is recorded done, instead of being cancelled halfway (APScheduler's own
    shutdown cancels what it is running)."""
    started, release, finished = asyncio.Event(), asyncio.Event(), asyncio.Event()

    async def slow(job: Job) -> None:
        started.set()
        await release.wait()
        finished.set()

    await put_many(store, 1, due=T0, kind="slow")
    scheduler = Scheduler(store, Clock(), {"slow": slow})
    async with ticking(scheduler, every_s=3600):
        await started.wait()
        asyncio.get_running_loop().call_soon(release.set)  # while the block is ending
    assert finished.is_set()
    assert await states(store) == Counter({"done": 1})
