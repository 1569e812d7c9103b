"""No reminder is lost, none is doubled, while Slack fails 30% of calls.

Three SEV1 incidents are declared while Slack works; two have no Incident
Commander. Then Slack fails a seeded 30% of calls (429s, 5xx, timeouts,
dropped connections, and `ok:false` errors a retry may cure) while the
reminders fall due minute by minute. Once Slack recovers and the clock has
moved past every backoff, each reminder that fell due is in Slack exactly once.
"""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import select

from tests.faults.slack_faults import (
    fail_randomly,
    failed_jobs,
    faulty_harness,
    pending_jobs,
    reminders_shown,
)
from tests.harness import Clock, Harness
from warroom.domain.incident import Incident
from warroom.store import jobs
from warroom.store.models import DueJobRow

UPDATE_REMINDERS = ("update_due", "update_overdue", "update_broadcast", "update_stakeholders")
COMMANDER_REMINDERS = ("commander_nag", "commander_escalate")
MAX_DRAIN_MINUTES = 60


async def _drain(harness: Harness, incident_ids: list[int]) -> None:
    """Tick until no reminder that fell due is waiting to be (re)sent: each tick
    first runs what is due now, then the clock moves a minute, so a retry comes due
    within its backoff; the repeats planned for later stay pending."""
    for _ in range(MAX_DRAIN_MINUTES):
        await harness.tick(seconds=0)
        now = harness.clock()
        pending = [job for i in incident_ids for job in await pending_jobs(harness, i)]
        waiting = [job for job in pending if job.due_at <= now or job.attempts > 0]
        if not waiting:
            return
        await harness.tick(minutes=1)
    raise AssertionError(f"reminders still pending: {waiting}")


async def _sent_jobs(harness: Harness, incidents: list[Incident]) -> Counter[tuple[str, str]]:
    """(incident, kind) of every reminder job that ran to the end."""
    references = {incident.id: incident.reference for incident in incidents}
    async with harness.runtime.store.read() as session:
        rows = await session.execute(
            select(DueJobRow.incident_id, DueJobRow.kind).where(DueJobRow.state == jobs.DONE)
        )
        reminders = {*UPDATE_REMINDERS, *COMMANDER_REMINDERS}
        return Counter(
            (references[i], kind) for i, kind in rows if i in references and kind in reminders
        )


@pytest.mark.parametrize("seed", [101, 202])
async def test_each_reminder_that_fell_due_is_sent_exactly_once(
    database_url: str, clock: Clock, seed: int
) -> None:
    async with faulty_harness(database_url, clock) as harness:
        unattended = await harness.declare(title="Checkout down", severity="SEV1")
        attended = await harness.declare(title="Search slow", severity="SEV1")
        await harness.press(attended, "role_take:commander")
        await harness.settle()
        also_unattended = await harness.declare(title="Login flaky", severity="SEV1")
        more = [await harness.declare(title=f"Queue {n} stuck", severity="SEV1") for n in (1, 2)]
        incidents = [unattended, attended, also_unattended, *more]
        nobody_in_charge = [unattended, also_unattended, *more]

        fail_randomly(harness, seed, permanent=False)
        for _ in range(60):
            await harness.tick(minutes=1)
        faults = Counter(c.fault.kind for c in harness.slack.faulted_calls() if c.fault)
        harness.slack.clear_faults()
        await _drain(harness, [i.id for i in incidents])

        expected = await _sent_jobs(harness, incidents)
        assert set(expected) == {
            (i.reference, kind) for i in incidents for kind in UPDATE_REMINDERS
        } | {(i.reference, kind) for i in nobody_in_charge for kind in COMMANDER_REMINDERS}
        assert max(expected.values()) >= 2, "an hour of silence repeats reminders"
        assert reminders_shown(harness.slack) == expected, faults
        assert await failed_jobs(harness) == []
        on_timeline: Counter[tuple[str, str]] = Counter()
        for incident in incidents:
            for entry in await harness.timeline(incident.id):
                if entry.kind == "reminder":
                    on_timeline[(incident.reference, entry.data["job"])] += 1
        assert on_timeline == expected
        assert sum(faults.values()) >= 5
