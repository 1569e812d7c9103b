"""Every action completes or the person is told, while Slack fails 30% of calls.

Slack fails a seeded 30% of Web API calls and response_url posts: 429s with
Retry-After, 500/503, timeouts, dropped connections, and `ok:false` errors
Slack documents for the method (transient and permanent). Through it people
declare, take roles, change severity and status, post updates, log notes and
resolve, while reminders fall due. Each action is judged as it ends (see
`actions.Judge`): done and shown, or the person told what failed and what to
do; never silent. Nothing acknowledged is lost, and once Slack recovers every
war room gets built and no reminder is left behind or sent twice.
"""

from __future__ import annotations

from collections import Counter

import pytest

from tests.faults.actions import COMPLETED, TOLD, Judge
from tests.faults.slack_faults import (
    fail_randomly,
    failed_jobs,
    faulty_harness,
    pending_jobs,
    reminders_shown,
)
from tests.harness import Clock, Harness
from warroom.domain.incident import Incident
from warroom.slack.errors import TRANSIENT_ERRORS

REPORTER, ALICE, BOB = "UREPORTER1", "UALICE0001", "UBOB00002"
REMINDER_KINDS = {
    "update_due",
    "update_overdue",
    "update_broadcast",
    "update_stakeholders",
    "commander_nag",
    "commander_escalate",
}
RETRIED_KINDS = {*REMINDER_KINDS, "refresh_surfaces", "postmortem_draft"}
MAX_DRAIN_MINUTES = 120


async def _drain(h: Harness, incidents: list[Incident]) -> None:
    """Once Slack works again, tick until no retried job is left waiting."""
    for _ in range(MAX_DRAIN_MINUTES):
        waiting = [
            job
            for incident in incidents
            for job in await pending_jobs(h, incident.id)
            if job.kind in RETRIED_KINDS
        ]
        if not waiting:
            return
        await h.tick(minutes=1)
    raise AssertionError(f"still waiting: {waiting}")


async def _work_an_incident(judge: Judge, incident: Incident, n: int) -> None:
    h = judge.harness
    await judge.take_commander(incident, ALICE)
    await judge.assign(incident, "comms_lead", BOB, ALICE)
    await h.tick(minutes=3)
    await judge.pick(incident, "severity_select", "SEV1", BOB)
    await judge.note(incident, BOB, f"Rolled back deploy {n}")
    await judge.pick(incident, "status_select", "identified", ALICE)
    await h.tick(minutes=7)
    await judge.post_update(incident, ALICE, f"Replica {n} promoted")
    await h.tick(minutes=35)
    await judge.resolve(incident, ALICE, f"Failed over {n}")


@pytest.mark.parametrize("seed", [7, 8])
async def test_no_action_fails_silently_and_nothing_is_lost(
    database_url: str, clock: Clock, seed: int
) -> None:
    async with faulty_harness(database_url, clock) as h:
        judge = Judge(h)
        fail_randomly(h, seed)
        declared: list[Incident] = []
        for n in range(4):
            incident = None
            for _ in range(3):  # a reporter whose form did not open tries again
                incident = await judge.declare(f"Outage {n}", "SEV2", REPORTER)
                if incident is not None:
                    break
            if incident is not None:
                declared.append(incident)
            await h.tick(minutes=2)
        for n, incident in enumerate(declared):
            now = await judge.fresh(incident)
            for _ in range(3):
                if now.provisioned_at is not None:
                    break
                now = await judge.finish_setup(now)
            if now.provisioned_at is not None:
                await _work_an_incident(judge, now, n)

        h.slack.clear_faults()
        for incident in declared:
            if (await judge.fresh(incident)).provisioned_at is None:
                await judge.finish_setup(incident)
        await _drain(h, declared)

        outcomes = Counter(outcome for (_, outcome) in judge.outcomes.elements())
        assert outcomes[COMPLETED] and outcomes[TOLD], judge.outcomes
        gave_up = {(incident_id, kind) for incident_id, kind, _ in await failed_jobs(h)}
        for incident in declared:
            now = await judge.fresh(incident)
            assert now.provisioned_at is not None and await judge.shows(now), now.reference
            summaries = [
                m for m in h.slack.messages(now.channel_id or "") if "Postmortem draft" in m["text"]
            ]
            drafted = now.resolved_at is not None and (now.id, "postmortem_draft") not in gave_up
            assert len(summaries) == (1 if drafted else 0), now.reference
        for _, kind, error in await failed_jobs(h):
            assert not any(code in (error or "") for code in TRANSIENT_ERRORS), (kind, error)
        on_timeline: Counter[tuple[str, str]] = Counter()
        for incident in declared:
            for entry in await h.timeline(incident.id):
                if entry.kind == "reminder" and entry.data["job"] in REMINDER_KINDS:
                    on_timeline[(incident.reference, entry.data["job"])] += 1
        assert reminders_shown(h.slack) == on_timeline
