"""Killed right after Slack accepted a reminder, before the job was marked done.

A real `warroom serve` child, with reminders shrunk to seconds, sends the IC nag;
the moment Slack has posted it (before the answer leaves) the child gets SIGKILL.
Its lease runs out and the restarted Warroom takes the job up again: it must find
the nag already in the room, not post it a second time, and log it once.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from sqlalchemy import select

from fakeslack import FakeSlack
from fakeslack.serve_process import ServeProcess
from tests.faults.child import child_env, declare_on
from tests.harness import Clock, harness_on
from warroom.store.models import DueJobRow

POLICY = Path(__file__).parents[1] / "data" / "policies" / "replicas.toml"
NAG_WITHIN_S = 20.0


def _reminder_marker(args: dict[str, Any]) -> str | None:
    blocks = args.get("blocks") or []
    first = blocks[0].get("block_id", "") if blocks and isinstance(blocks[0], dict) else ""
    return first if first.startswith("reminder:") else None


async def test_a_reminder_slack_accepted_before_a_crash_is_not_sent_again(
    database_url: str, clock: Clock, tmp_path: Path
) -> None:
    async with FakeSlack() as slack:
        command_channel = slack.add_channel("general")
        env = child_env(
            slack, database_url, POLICY_FILE=str(POLICY), SCHEDULER_TICK="1", JOB_LEASE="4"
        )
        server = ServeProcess(env, tmp_path)
        killed_at: list[str] = []
        killed = asyncio.Event()

        def kill_after_first_reminder(phase: str, method: str, args: dict[str, Any]) -> bool:
            marker = _reminder_marker(args) if method == "chat.postMessage" else None
            if phase == "after" and marker and not killed_at:
                server.kill()
                killed_at.append(marker)
                killed.set()
            return False

        async with server:
            slack.intercept(kill_after_first_reminder)
            await declare_on(server, slack, command_channel, severity="SEV2")
            await asyncio.wait_for(killed.wait(), NAG_WITHIN_S)
        slack.clear_faults()
        (marker,) = killed_at
        job_id = int(marker.removeprefix("reminder:"))

        async with harness_on(slack, database_url, clock, command_channel=command_channel) as h:
            (incident,) = await h.incidents()
            assert incident.channel_id is not None
            await h.tick(minutes=1)
            posted = [
                m
                for m in slack.messages(incident.channel_id)
                if any(b.get("block_id") == marker for b in m.get("blocks", []))
            ]
            assert len(posted) == 1
            logged = [
                e
                for e in await h.timeline(incident.id)
                if e.kind == "reminder" and (e.data or {}).get("job_id") == job_id
            ]
            assert len(logged) == 1
            async with h.runtime.store.transaction() as session:
                job = await session.get(DueJobRow, job_id)
                assert job is not None and job.state == "done"
                assert job.attempts == 2
                states = (await session.execute(select(DueJobRow.state))).scalars()
                assert "failed" not in set(states)
