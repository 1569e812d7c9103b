"""The postmortem draft after resolving: posted, attached, re-drafted, completed."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from importlib.resources import files
from pathlib import Path
from typing import Any

from sqlalchemy import select

from fakeslack import block_problems
from tests.harness import REPORTER, Clock, Harness, start_harness
from tests.test_lifecycle import fresh, resolve
from warroom.services.export import export_incident
from warroom.store.models import PostmortemRow


def summaries(harness: Harness, channel: str) -> list[dict[str, Any]]:
    return [m for m in harness.slack.messages(channel) if "Postmortem draft" in m.get("text", "")]


async def stored(harness: Harness, incident_id: int) -> PostmortemRow:
    async with harness.runtime.store.transaction() as session:
        row = (
            await session.execute(
                select(PostmortemRow).where(PostmortemRow.incident_id == incident_id)
            )
        ).scalar_one()
        return row


async def test_resolving_drafts_posts_and_attaches_the_postmortem(harness: Harness) -> None:
    incident = await harness.declare(severity="SEV1", title="Checkout <!channel> down")
    await harness.press(incident, "role_take:commander")
    await harness.command(
        "hypothesis the new pool size starves workers", channel=incident.channel_id
    )
    await harness.settle()
    harness.clock.advance(minutes=50)
    await resolve(harness, incident, "Rolled back the pool change", "Pool size halved by deploy")
    report = await harness.tick()
    assert report.done >= 1
    room = incident.channel_id or ""
    (summary,) = summaries(harness, room)
    assert block_problems(summary["blocks"], surface="message") == []
    flat = json.dumps(summary["blocks"])
    assert "INC-1" in flat and "Pool size halved by deploy" in flat and "<!channel>" not in flat
    assert "postmortem_complete" in flat and "action_item_add" in flat
    row = await stored(harness, incident.id)
    assert row.message_ts == summary["ts"] and row.file_id
    file = harness.slack.file(row.file_id or "")
    assert file is not None and file["name"] == "inc-1-postmortem.md"
    assert room in file["channels"] and file["shares"][0]["thread_ts"] == summary["ts"]
    markdown = file["content"]
    assert markdown == row.markdown
    for heading in ("## Timeline", "## Root cause", "## Action items", "## Roles"):
        assert heading in markdown
    assert "the new pool size starves workers" in markdown
    assert summaries(harness, harness.broadcast_channel) == []


async def test_private_postmortem_stays_in_its_own_channel(harness: Harness) -> None:
    incident = await harness.declare(private=["private"])
    await resolve(harness, incident, "Fixed")
    await harness.tick()
    row = await stored(harness, incident.id)
    file = harness.slack.file(row.file_id or "")
    assert file is not None and file["channels"] == [incident.channel_id]
    posted = [
        c.args["channel"]
        for c in harness.slack.calls_to("chat.postMessage")
        if "Postmortem" in c.args.get("text", "")
    ]
    assert posted == [incident.channel_id]


async def test_redraft_includes_newer_entries(harness: Harness) -> None:
    incident = await harness.declare()
    await resolve(harness, incident, "Fixed")
    await harness.tick()
    await harness.command("note customer support confirmed recovery", channel=incident.channel_id)
    status, body = await harness.command("postmortem", channel=incident.channel_id)
    assert status == 200 and "Drafting the postmortem again" in body
    await harness.settle()
    _, second = summaries(harness, incident.channel_id or "")
    assert "updated" in second["text"]
    row = await stored(harness, incident.id)
    assert "customer support confirmed recovery" in row.markdown
    assert row.message_ts == second["ts"]


async def test_mark_postmortem_complete_closes_the_incident(harness: Harness) -> None:
    incident = await harness.declare()
    await resolve(harness, incident, "Fixed")
    await harness.tick()
    (summary,) = summaries(harness, incident.channel_id or "")
    (button,) = [
        e for e in summary["blocks"][-1]["elements"] if e["action_id"] == "postmortem_complete"
    ]
    status, _ = await harness.click(
        button["action_id"], button["value"], channel_id=incident.channel_id, user=REPORTER
    )
    assert status == 200
    await harness.settle()
    assert (await fresh(harness, incident)).status == "closed"


async def test_export_prints_the_incident_timeline_and_postmortem(harness: Harness) -> None:
    from warroom.services.export import ExportError, export_incident

    incident = await harness.declare(title="Queue backlog")
    await harness.command("note consumers scaled to 40", channel=incident.channel_id)
    await resolve(harness, incident, "Drained the backlog")
    await harness.tick()
    runtime = harness.runtime
    markdown = await export_incident(
        runtime.store, runtime.policy, runtime.clock, "inc-1", fmt="md", team=None
    )
    assert markdown.startswith("# Postmortem: INC-1") and "consumers scaled to 40" in markdown
    document = json.loads(
        await export_incident(
            runtime.store, runtime.policy, runtime.clock, "INC-1", fmt="json", team="T0WARROOM"
        )
    )
    assert document["reference"] == "INC-1"
    assert document["incident"]["summary"] == "Drained the backlog"
    kinds = [entry["kind"] for entry in document["timeline"]]
    assert kinds[0] == "declared" and "note" in kinds and "resolved" in kinds
    assert document["postmortem"]["stored"]["file_id"]
    for bad in ("INC-7", "seven"):
        try:
            await export_incident(
                runtime.store, runtime.policy, runtime.clock, bad, fmt="md", team=None
            )
        except ExportError as error:
            assert "INC-" in str(error)
        else:
            raise AssertionError(f"{bad} exported")


async def test_the_postmortem_reads_in_the_organisations_zone_across_a_clock_change(
    database_url: str, tmp_path: Path
) -> None:
    """Europe/Berlin moves from CET to CEST at 01:00 UTC on 2026-03-29."""
    policy = tmp_path / "policy.toml"
    default = files("warroom").joinpath("default_policy.toml").read_text(encoding="utf-8")
    policy.write_text('timezone = "Europe/Berlin"\n' + default)
    clock = Clock(datetime(2026, 3, 29, 0, 30, tzinfo=UTC))
    async with start_harness(database_url, clock, policy_file=policy) as harness:
        incident = await harness.declare(severity="SEV1", title="Checkout down")
        harness.clock.advance(minutes=60)
        await resolve(harness, incident, "Rolled back")
        await harness.tick()
        row = await stored(harness, incident.id)
        runtime = harness.runtime
        exported = json.loads(
            await export_incident(
                runtime.store, runtime.policy, runtime.clock, "INC-1", fmt="json", team=None
            )
        )
    assert exported["timezone"] == "Europe/Berlin"
    assert exported["incident"]["declared_at"] == "2026-03-29T01:30:00+01:00"
    assert exported["incident"]["resolved_at"] == "2026-03-29T03:30:00+02:00"
    assert exported["postmortem"]["draft_markdown"] == row.markdown
    markdown = row.markdown
    assert (
        "Times are in Europe/Berlin (CET, UTC+01:00; CEST, UTC+02:00 after the clocks changed)"
        in markdown
    )
    assert "| Declared | 2026-03-29 01:30 CET |" in markdown
    assert "| Resolved | 2026-03-29 03:30 CEST |" in markdown
