"""Resolve, reopen and close over signed requests, on both databases."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select, update

from fakeslack import view_submission
from tests.harness import REPORTER, WAIT_S, Harness
from tests.payloads import answer_text
from warroom.demo.slack.driver import fill_view
from warroom.domain.incident import Incident
from warroom.store.models import ActionItemRow, DueJobRow


async def fresh(harness: Harness, incident: Incident) -> Incident:
    (found,) = [i for i in await harness.incidents() if i.id == incident.id]
    return found


async def resolve(
    harness: Harness, incident: Incident, resolution: str, root_cause: str | None = None
) -> tuple[int, str]:
    before = len(harness.slack.calls_to("views.open"))
    assert await harness.press(incident, "resolve_open") == (200, "")
    call = (await harness.slack.wait_for("views.open", count=before + 1, timeout=WAIT_S))[before]
    view: dict[str, Any] = call.args["view"]
    body, kind = view_submission(
        view["callback_id"],
        fill_view(view, {"resolution": resolution, "root_cause": root_cause}),
        user_id=REPORTER,
        private_metadata=view["private_metadata"],
        view_id=call.response["view"]["id"],
    )
    result = await harness.post(body, kind)
    await harness.settle()
    return result


async def pending_kinds(harness: Harness, incident: Incident) -> list[str]:
    async with harness.runtime.store.transaction() as session:
        rows = await session.execute(
            select(DueJobRow.kind)
            .where(DueJobRow.incident_id == incident.id, DueJobRow.state == "pending")
            .order_by(DueJobRow.kind)
        )
        return list(rows.scalars())


async def test_resolving_records_stops_reminders_and_queues_the_draft(harness: Harness) -> None:
    incident = await harness.declare(severity="SEV1")
    assert "update_due" in await pending_kinds(harness, incident)
    harness.clock.advance(minutes=42)
    assert await resolve(harness, incident, "Rolled back <!here> deploy 812", "Bad config") == (
        200,
        "",
    )
    now = await fresh(harness, incident)
    assert now.status == "resolved" and now.resolved_at == harness.clock()
    assert (now.summary, now.root_cause) == ("Rolled back <!here> deploy 812", "Bad config")
    assert await pending_kinds(harness, now) == ["postmortem_draft", "postmortem_open"]
    card = harness.card(now)
    assert card["blocks"][0]["text"]["text"].startswith("✅ INC-1")
    controls = [e["action_id"] for e in card["blocks"][-2]["elements"]]
    assert controls == ["incident_reopen"]
    assert "&lt;!here&gt;" in json.dumps(card["blocks"]) and "<!here>" not in json.dumps(card)
    channel = harness.slack.channel(now.channel_id or "")
    assert channel is not None and " · Resolved · " in channel.topic
    line = harness.slack.messages(now.channel_id or "")[-1]["text"]
    assert "resolved by" in line and "Root cause:* Bad config" in line
    notice = harness.slack.messages(harness.broadcast_channel)[-1]["text"]
    assert notice.startswith("✅ *INC-1* SEV1 resolved") and "<!here>" not in notice
    kinds = [e.kind for e in await harness.timeline(now.id)]
    assert kinds[-1] == "resolved"
    report = await harness.tick(hours=3)
    assert report.claimed == 0 or all(
        "due now" not in m["text"] for m in harness.slack.messages(now.channel_id or "")
    )


async def test_resolution_is_required_and_only_once(harness: Harness) -> None:
    incident = await harness.declare()
    _, body = await resolve(harness, incident, "  ")
    assert json.loads(body)["errors"] == {"resolution": "Say how it was resolved."}
    assert (await fresh(harness, incident)).resolved_at is None
    await resolve(harness, incident, "Fixed")
    _, body = await harness.command("resolve", channel=incident.channel_id)
    assert body == ""
    await harness.settle()
    assert "already resolved" in harness.told()[-1]["text"]


async def test_private_resolution_stays_in_its_room(harness: Harness) -> None:
    incident = await harness.declare(private=["private"])
    await resolve(harness, incident, "Fixed quietly")
    assert harness.slack.messages(harness.broadcast_channel) == []


async def test_reopen_resumes_reminders(harness: Harness) -> None:
    incident = await harness.declare(severity="SEV1")
    _, body = await harness.command("reopen", channel=incident.channel_id)
    assert "not resolved" in answer_text(body)
    await resolve(harness, incident, "Looked fixed")
    harness.clock.advance(minutes=5)
    assert await harness.command("reopen", channel=incident.channel_id) == (200, "")
    await harness.settle()
    now = await fresh(harness, incident)
    assert now.status == "investigating" and now.resolved_at is None
    assert "update_due" in await pending_kinds(harness, now)
    assert "postmortem_draft" not in await pending_kinds(harness, now)
    assert "reopened by" in harness.slack.messages(now.channel_id or "")[-1]["text"]
    assert [c["action_id"] for c in harness.card(now)["blocks"][-2]["elements"]][-1] == (
        "resolve_open"
    )


async def test_close_is_refused_while_action_items_are_open(harness: Harness) -> None:
    incident = await harness.declare()
    _, body = await harness.command("close", channel=incident.channel_id)
    assert "Resolve INC-1 before closing it" in answer_text(body)
    await resolve(harness, incident, "Fixed")
    await harness.tick()  # the postmortem draft, which closing needs
    async with harness.runtime.store.transaction() as session:
        session.add(
            ActionItemRow(
                incident_id=incident.id,
                text="Add an alert",
                state="open",
                created_by=REPORTER,
                created_at=harness.clock(),
            )
        )
    _, body = await harness.command("close", channel=incident.channel_id)
    assert "1 open action item(s)" in answer_text(body)
    async with harness.runtime.store.transaction() as session:
        await session.execute(update(ActionItemRow).values(state="wont_do", reason="Covered"))
    assert await harness.command("close", channel=incident.channel_id) == (200, "")
    await harness.settle()
    now = await fresh(harness, incident)
    assert now.status == "closed" and now.closed_at == harness.clock()
    assert "closed by" in harness.slack.messages(now.channel_id or "")[-1]["text"]
    # Closed is read-only except for reopening (by the reporter here); see test_permissions.
    assert await harness.command("reopen", channel=incident.channel_id) == (200, "")
    await harness.settle()
    reopened = await fresh(harness, incident)
    assert (reopened.status, reopened.closed_at, reopened.resolved_at) == (
        "investigating",
        None,
        None,
    )


async def test_closed_war_room_is_archived_when_the_policy_says_so(harness: Harness) -> None:
    from dataclasses import replace
    from datetime import timedelta

    lifecycle = harness.runtime.lifecycle
    lifecycle.policy = replace(lifecycle.policy, archive_after_close=timedelta(days=7))
    incident = await harness.declare()
    await resolve(harness, incident, "Fixed")
    await harness.tick()  # the postmortem draft, which closing needs
    assert await harness.command("close", channel=incident.channel_id) == (200, "")
    await harness.settle()
    await harness.tick(days=6, hours=23)
    channel = harness.slack.channel(incident.channel_id or "")
    assert channel is not None and not channel.is_archived
    await harness.tick(hours=1)
    channel = harness.slack.channel(incident.channel_id or "")
    assert channel is not None and channel.is_archived
    assert [e.kind for e in await harness.timeline(incident.id)][-1] == "archived"


async def test_war_rooms_are_kept_by_default(harness: Harness) -> None:
    incident = await harness.declare()
    await resolve(harness, incident, "Fixed")
    await harness.tick()  # the postmortem draft, which closing needs
    assert await harness.command("close", channel=incident.channel_id) == (200, "")
    await harness.settle()
    await harness.tick(days=400)
    channel = harness.slack.channel(incident.channel_id or "")
    assert channel is not None and not channel.is_archived


async def test_closing_needs_the_postmortem_where_the_severity_requires_one(
    harness: Harness,
) -> None:
    incident = await harness.declare(severity="SEV2")
    await resolve(harness, incident, "Fixed")
    _, body = await harness.command("close no time for it", channel=incident.channel_id)
    assert "SEV2, which needs its postmortem before it closes" in answer_text(body)
    assert (await fresh(harness, incident)).closed_at is None

    await harness.tick()
    (draft,) = [m for m in harness.slack.messages(incident.channel_id or "") if "pm_head" in str(m)]
    (complete,) = [
        e
        for b in draft["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == "postmortem_complete"
    ]
    assert complete["text"]["text"] == "Complete postmortem & close"
    assert await harness.click(complete["action_id"], complete["value"]) == (200, "")
    await harness.settle()
    assert (await fresh(harness, incident)).status == "closed"
    assert (
        "the postmortem is complete"
        in harness.slack.messages(incident.channel_id or "")[-1]["text"]
    )


async def test_a_severity_without_postmortems_closes_with_a_reason(harness: Harness) -> None:
    incident = await harness.declare(severity="SEV3")
    await resolve(harness, incident, "Restarted the worker")
    assert (
        "SEV3 needs no postmortem" in harness.slack.messages(incident.channel_id or "")[-1]["text"]
    )
    await harness.tick(days=8)
    kinds = await pending_kinds(harness, incident)
    assert "postmortem_draft" not in kinds and "postmortem_open" not in kinds
    assert not any("pm_head" in str(m) for m in harness.slack.messages(incident.channel_id or ""))

    _, body = await harness.command("close", channel=incident.channel_id)
    assert "say why it can close without one" in answer_text(body)
    assert await harness.command(
        "close known flake, tracked in OPS-12", channel=incident.channel_id
    ) == (200, "")
    await harness.settle()
    now = await fresh(harness, incident)
    assert now.status == "closed"
    line = harness.slack.messages(incident.channel_id or "")[-1]["text"]
    assert "without a postmortem: known flake, tracked in OPS-12" in line
    (closed,) = [e for e in await harness.timeline(now.id) if e.kind == "closed"]
    assert closed.text == "Closed without a postmortem: known flake, tracked in OPS-12"
