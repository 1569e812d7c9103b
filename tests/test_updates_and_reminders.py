"""Status updates and the reminder scheduler, with a clock the tests move (no sleeps)."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from fakeslack import view_submission
from tests.harness import REPORTER, WAIT_S, Harness
from tests.test_lifecycle import resolve
from warroom.demo.slack.driver import fill_view
from warroom.domain.incident import Incident
from warroom.runtime import build_runtime
from warroom.store.models import DueJobRow, StatusUpdateRow

ALICE, BOB = "UALICE0001", "UBOB00002"


async def fresh(harness: Harness, incident: Incident) -> Incident:
    (found,) = [i for i in await harness.incidents() if i.id == incident.id]
    return found


def room(harness: Harness, incident: Incident) -> list[dict[str, Any]]:
    return harness.slack.messages(incident.channel_id or "")


def reminders_in(harness: Harness, channel: str) -> list[str]:
    return [
        m["text"]
        for m in harness.slack.messages(channel)
        if any(k in m["text"] for k in ("⏰", "⚠️", "🔕", "🧭", "🚨"))
    ]


async def declare_with_ic(harness: Harness, severity: str) -> Incident:
    """An incident whose IC is in place, so only update reminders are in play."""
    incident = await harness.declare(severity=severity)
    await harness.press(incident, "role_take:commander")
    await harness.settle()
    return await fresh(harness, incident)


async def open_update_form(harness: Harness, incident: Incident) -> tuple[dict[str, Any], str]:
    before = len(harness.slack.calls_to("views.open"))
    assert await harness.press(incident, "update_open") == (200, "")
    call = (await harness.slack.wait_for("views.open", count=before + 1, timeout=WAIT_S))[before]
    return call.args["view"], call.response["view"]["id"]


async def submit_update(
    harness: Harness, incident: Incident, user: str = REPORTER, **answers: Any
) -> tuple[int, str]:
    view, view_id = await open_update_form(harness, incident)
    filled = {"happening": "Failover stuck", "impact": "EU checkout", "doing": "Promoting replica"}
    filled.update(answers)
    body, kind = view_submission(
        view["callback_id"],
        fill_view(view, filled),
        user_id=user,
        private_metadata=view["private_metadata"],
        view_id=view_id,
    )
    result = await harness.post(body, kind)
    await harness.settle()
    return result


async def test_update_is_due_then_late_then_broadcast(harness: Harness) -> None:
    incident = await harness.declare(severity="SEV1")
    await harness.press(incident, "role_take:commander", user=ALICE)
    await harness.settle()
    assert (await harness.tick(minutes=29)).claimed == 0
    await harness.tick(minutes=1)
    (due,) = reminders_in(harness, incident.channel_id or "")
    assert f"<@{ALICE}>" in due and "due now" in due and "every 30 min" in due
    buttons = [e["action_id"] for e in room(harness, incident)[-1]["blocks"][-1]["elements"]]
    assert buttons == ["update_open", "update_snooze:15", "update_snooze:30", "update_snooze:60"]
    await harness.tick(minutes=10)
    late = reminders_in(harness, incident.channel_id or "")[-1]
    assert f"<@{ALICE}>" in late and "no status update for 40 min" in late
    nudge = room(harness, incident)[-1]["blocks"][-1]["elements"]
    assert [e["action_id"] for e in nudge] == buttons, "the IC can act from the nudge"
    await harness.tick(minutes=15)
    (broadcast,) = reminders_in(harness, harness.broadcast_channel)
    assert "INC-1* SEV1: no update for 55 min" in broadcast
    (late,) = [m["text"] for m in harness.slack.messages(harness.stakeholder_channel)]
    assert late.startswith("⏳ *INC-1* SEV1 — ") and "status update is late" in late
    assert "(none for 55 min)" in late
    kinds = [e.data.get("job") for e in await harness.timeline(incident.id) if e.kind == "reminder"]
    assert kinds == ["update_due", "update_overdue", "update_broadcast", "update_stakeholders"]


async def test_reminder_mentions_comms_lead_first(harness: Harness) -> None:
    incident = await harness.declare(severity="SEV2")
    await harness.command(f"role comms <@{BOB}>", channel=incident.channel_id)
    await harness.command(f"role ic <@{ALICE}>", channel=incident.channel_id)
    await harness.settle()
    await harness.tick(minutes=60)
    assert f"<@{BOB}>" in reminders_in(harness, incident.channel_id or "")[-1]


async def test_no_commander_nags_then_escalates_until_someone_takes_it(harness: Harness) -> None:
    incident = await harness.declare(severity="SEV1")
    await harness.tick(minutes=5)
    nag = room(harness, incident)[-1]
    assert "has had no Incident Commander for 5 min" in nag["text"]
    assert nag["blocks"][-1]["elements"][0]["action_id"] == "role_take:commander"
    await harness.tick(minutes=10)
    (escalated,) = reminders_in(harness, harness.broadcast_channel)
    assert "has had no Incident Commander for 15 min" in escalated
    assert f"<#{incident.channel_id}>" in escalated


@pytest.mark.both_databases
async def test_the_late_update_ladder_repeats_while_the_silence_goes_on(harness: Harness) -> None:
    """SEV1 (every 30 min): due at 30, the IC at 40, the broadcast at 55; then again
    from 60, 90, ... saying how long the silence has lasted, until an update."""
    incident = await declare_with_ic(harness, "SEV1")
    for minutes in (30, 10, 15):
        await harness.tick(minutes=minutes)
    assert len(reminders_in(harness, incident.channel_id or "")) == 2
    assert (await harness.tick(minutes=4)).claimed == 0
    await harness.tick(minutes=1)
    again = reminders_in(harness, incident.channel_id or "")[-1]
    assert "⏰" in again and "*INC-1* has had no status update for 60 min" in again
    assert "every 30 min" in again
    await harness.tick(minutes=10)
    assert "no status update for 70 min" in reminders_in(harness, incident.channel_id or "")[-1]
    await harness.tick(minutes=15)
    broadcasts = reminders_in(harness, harness.broadcast_channel)
    assert len(broadcasts) == 2 and "no update for 85 min" in broadcasts[-1]
    await harness.tick(minutes=5)
    assert "no status update for 90 min" in reminders_in(harness, incident.channel_id or "")[-1]

    assert (await submit_update(harness, await fresh(harness, incident)))[0] == 200
    await harness.settle()
    shown = len(reminders_in(harness, incident.channel_id or ""))
    await harness.tick(minutes=29)
    assert len(reminders_in(harness, incident.channel_id or "")) == shown, "silence is over"
    await harness.tick(minutes=1)
    assert "is due now" in reminders_in(harness, incident.channel_id or "")[-1]
    kinds = [e.data.get("job") for e in await harness.timeline(incident.id) if e.kind == "reminder"]
    assert Counter(kinds) == {
        "update_due": 4,
        "update_overdue": 2,
        "update_broadcast": 2,
        "update_stakeholders": 2,
    }


@pytest.mark.both_databases
async def test_no_commander_repeats_the_nag_and_the_escalation_until_one_is_taken(
    harness: Harness,
) -> None:
    """SEV1: nag at 5 min, escalate at 15, again at 35 and 45 (the 30-min cadence)."""
    incident = await harness.declare(severity="SEV1")
    await harness.tick(minutes=15)
    await harness.tick(minutes=20)
    nags = [m for m in reminders_in(harness, incident.channel_id or "") if "🧭" in m]
    assert len(nags) == 2 and "no Incident Commander for 35 min" in nags[-1]
    await harness.tick(minutes=10)
    escalations = reminders_in(harness, harness.broadcast_channel)
    assert len(escalations) == 2 and "no Incident Commander for 45 min" in escalations[-1]

    await harness.press(incident, "role_take:commander", user=ALICE)
    await harness.settle()
    await harness.tick(minutes=30)
    await harness.tick(minutes=30)
    kinds = [e.data.get("job") for e in await harness.timeline(incident.id) if e.kind == "reminder"]
    commander = Counter(k for k in kinds if k and k.startswith("commander"))
    assert commander == {"commander_nag": 2, "commander_escalate": 2}


async def test_taking_ic_in_time_cancels_the_nag(harness: Harness) -> None:
    incident = await harness.declare(severity="SEV1")
    await harness.press(incident, "role_take:commander", user=ALICE)
    await harness.settle()
    await harness.tick(minutes=16)
    assert reminders_in(harness, incident.channel_id or "") == []
    assert reminders_in(harness, harness.broadcast_channel) == []


async def test_other_roles_changing_hands_do_not_repeat_the_nag(harness: Harness) -> None:
    """Each role change re-plans the IC reminders; one already sent is not sent again."""
    incident = await harness.declare(severity="SEV1")
    await harness.tick(minutes=5)
    await harness.command(f"role ops <@{ALICE}>", channel=incident.channel_id)
    await harness.command(f"role scribe <@{BOB}>", channel=incident.channel_id)
    await harness.settle()
    await harness.tick(seconds=1)
    await harness.tick(minutes=10)
    await harness.command(f"role ops <@{BOB}>", channel=incident.channel_id)
    await harness.settle()
    await harness.tick(seconds=1)
    kinds = [e.data.get("job") for e in await harness.timeline(incident.id) if e.kind == "reminder"]
    assert kinds == ["commander_nag", "commander_escalate"]
    assert len(reminders_in(harness, harness.broadcast_channel)) == 1


async def test_posting_an_update_reaches_every_audience_and_retimes(harness: Harness) -> None:
    incident = await declare_with_ic(harness, "SEV1")
    harness.clock.advance(minutes=10)
    view, _ = await open_update_form(harness, incident)
    prefilled = view["blocks"][-1]["element"]["initial_date_time"]
    assert prefilled == int((harness.clock() + timedelta(minutes=30)).timestamp())
    promised = harness.clock() + timedelta(minutes=45)
    status, body = await submit_update(harness, incident, status="mitigated", next_update=promised)
    assert (status, body) == (200, "")
    now = await fresh(harness, incident)
    assert now.status == "mitigated" and now.last_update_at == harness.clock()
    assert now.next_update_due_at == promised
    full = room(harness, now)[-1]
    assert "What is happening" in full["text"] and "Promoting replica" in full["text"]
    (reply,) = [
        c.args
        for c in harness.slack.calls_to("chat.postMessage")
        if c.ok and c.args.get("thread_ts")
    ]
    assert reply["channel"] == harness.broadcast_channel
    assert reply["thread_ts"] == now.announcement_ts
    assert "Promoting replica" not in reply["text"] and "EU checkout" in reply["text"]
    freshness = json.dumps(
        harness.slack.message(harness.broadcast_channel, now.announcement_ts or "")
    )
    assert "last update" in freshness and "next update <!date^" in freshness
    assert "*Latest:* Failover stuck" in freshness
    (stakeholder,) = harness.slack.messages(harness.stakeholder_channel)
    assert "Failover stuck" in stakeholder["text"]
    entry = [e for e in await harness.timeline(now.id) if e.kind == "status_update"][-1]
    assert entry.data["status"] == "mitigated" and entry.data["late_by_s"] is None
    assert (await harness.tick(minutes=44)).claimed == 0
    await harness.tick(minutes=1)
    assert "due now" in reminders_in(harness, now.channel_id or "")[-1]


async def test_late_update_is_recorded_as_late(harness: Harness) -> None:
    incident = await declare_with_ic(harness, "SEV1")
    await harness.tick(minutes=33)
    await submit_update(harness, incident, status="investigating")
    async with harness.runtime.store.transaction() as session:
        (update,) = (await session.execute(select(StatusUpdateRow))).scalars()
    assert update.due_at is not None and update.posted_at - update.due_at == timedelta(minutes=3)
    entry = [e for e in await harness.timeline(incident.id) if e.kind == "status_update"][-1]
    assert entry.data["late_by_s"] == 180


async def test_update_form_refuses_the_past_and_blanks(harness: Harness) -> None:
    incident = await harness.declare(severity="SEV2")
    status, body = await submit_update(
        harness, incident, happening=" ", next_update=harness.clock() - timedelta(hours=1)
    )
    errors = json.loads(body)["errors"]
    assert status == 200 and set(errors) == {"happening", "next_update"}
    async with harness.runtime.store.transaction() as session:
        assert (await session.execute(select(StatusUpdateRow))).first() is None


async def test_snooze_moves_the_reminder_and_is_logged(harness: Harness) -> None:
    incident = await declare_with_ic(harness, "SEV1")
    await harness.tick(minutes=30)
    reminder = room(harness, incident)[-1]
    snooze = reminder["blocks"][-1]["elements"][2]
    assert snooze["action_id"] == "update_snooze:30"
    await harness.click(snooze["action_id"], snooze["value"], channel_id=incident.channel_id)
    await harness.settle()
    now = await fresh(harness, incident)
    assert now.next_update_due_at == harness.clock() + timedelta(minutes=30)
    assert "snoozed the status-update reminder" in room(harness, now)[-1]["text"]
    assert (await harness.tick(minutes=29)).claimed == 0
    await harness.tick(minutes=1)
    assert "due now" in reminders_in(harness, now.channel_id or "")[-1]
    assert [e.kind for e in await harness.timeline(now.id)].count("reminder_snoozed") == 1


async def _snooze_answer(harness: Harness, incident: Incident, minutes: int) -> str:
    """Click Snooze on the first reminder in the room; what the clicker is told."""
    reminder = next(m for m in room(harness, incident) if "⏰" in m["text"])
    snooze = next(
        e
        for e in reminder["blocks"][-1]["elements"]
        if e["action_id"] == f"update_snooze:{minutes}"
    )
    before = len(harness.slack.calls_to("response_url"))
    status = await harness.click(
        snooze["action_id"], snooze["value"], channel_id=incident.channel_id
    )
    assert status == (200, "")
    calls = await harness.slack.wait_for("response_url", count=before + 1, timeout=WAIT_S)
    (told,) = calls[before:]
    assert told.args.get("response_type", "ephemeral") == "ephemeral"
    return str(told.args["text"])


async def test_snooze_on_an_old_reminder_never_pulls_a_promised_update_forward(
    harness: Harness,
) -> None:
    incident = await declare_with_ic(harness, "SEV1")
    await harness.tick(minutes=30)
    promised = harness.clock() + timedelta(minutes=60)
    assert (await submit_update(harness, incident, next_update=promised))[0] == 200
    await harness.settle()
    posted = len(room(harness, incident))

    answer = await _snooze_answer(harness, incident, 15)
    assert "Nothing to snooze" in answer and "already due" in answer
    now = await fresh(harness, incident)
    assert now.next_update_due_at == promised
    assert len(room(harness, now)) == posted
    assert "reminder_snoozed" not in [e.kind for e in await harness.timeline(now.id)]


async def test_snooze_after_resolving_is_answered_privately(harness: Harness) -> None:
    incident = await declare_with_ic(harness, "SEV1")
    await harness.tick(minutes=30)
    assert await resolve(harness, incident, "Failed over") == (200, "")
    assert (await fresh(harness, incident)).resolved_at is not None
    answer = await _snooze_answer(harness, incident, 30)
    assert "Nothing to snooze" in answer and "is resolved" in answer
    assert (await fresh(harness, incident)).next_update_due_at is None


async def test_severity_change_mid_cadence_retimes(harness: Harness) -> None:
    incident = await declare_with_ic(harness, "SEV2")
    harness.clock.advance(minutes=10)
    await harness.command("severity sev1", channel=incident.channel_id)
    await harness.settle()
    now = await fresh(harness, incident)
    assert now.next_update_due_at == incident.declared_at + timedelta(minutes=30)
    assert (await harness.tick(minutes=19)).claimed == 0
    await harness.tick(minutes=1)
    assert "due now" in reminders_in(harness, now.channel_id or "")[-1]


async def test_mitigated_slows_the_cadence_and_sev4_has_none(harness: Harness) -> None:
    incident = await harness.declare(severity="SEV1")
    await harness.command("status mitigated", channel=incident.channel_id)
    await harness.settle()
    now = await fresh(harness, incident)
    assert now.next_update_due_at == incident.declared_at + timedelta(hours=1)
    await harness.command("severity sev4", channel=incident.channel_id)
    await harness.settle()
    assert (await fresh(harness, incident)).next_update_due_at is None
    await harness.tick(hours=3)
    assert reminders_in(harness, incident.channel_id or "") == []


async def test_rate_limited_reminder_stays_due_and_is_sent_once(harness: Harness) -> None:
    incident = await harness.declare(severity="SEV1")
    await harness.press(incident, "role_take:commander")
    await harness.settle()
    harness.slack.rate_limit("chat.postMessage", retry_after=0, times=4)
    report = await harness.tick(minutes=30)
    assert report.retried == 1 and reminders_in(harness, incident.channel_id or "") == []
    report = await harness.tick(minutes=1)
    assert report.done == 1
    assert len(reminders_in(harness, incident.channel_id or "")) == 1


@pytest.mark.both_databases
async def test_two_schedulers_send_each_reminder_once(harness: Harness) -> None:
    declared = [await harness.declare(title=f"Outage {n}", severity="SEV1") for n in range(6)]
    for incident in declared:
        await harness.press(incident, "role_take:commander")
    await harness.settle()
    other = build_runtime(harness.runtime.settings, clock=harness.clock)
    try:
        harness.clock.advance(minutes=30)
        reports = await asyncio.gather(
            harness.runtime.scheduler.tick(),
            other.scheduler.tick(),
            harness.runtime.scheduler.tick(),
        )
        await harness.settle()
    finally:
        await other.close()
    assert sum(r.done for r in reports) == 6
    sent = Counter(
        c.args["channel"]
        for c in harness.slack.calls_to("chat.postMessage")
        if c.ok and "due now" in c.args.get("text", "")
    )
    assert sorted(sent.values()) == [1] * 6


@pytest.mark.both_databases
async def test_restart_between_claim_and_send_sends_once_after_the_lease(
    harness: Harness,
) -> None:
    from warroom.scheduler.tick import LEASE
    from warroom.store import jobs

    incident = await harness.declare(severity="SEV1")
    await harness.press(incident, "role_take:commander")
    await harness.settle()
    harness.clock.advance(minutes=30)
    async with harness.runtime.store.transaction() as session:
        claimed = await jobs.claim(session, now=harness.clock(), lease=LEASE, limit=10)
    assert [j.kind for j in claimed] == ["update_due"]
    assert (await harness.tick()).claimed == 0
    await harness.tick(seconds=LEASE.total_seconds())
    assert len(reminders_in(harness, incident.channel_id or "")) == 1
    async with harness.runtime.store.transaction() as session:
        rows = await session.execute(select(DueJobRow.kind, DueJobRow.state))
        states = Counter((kind, state) for kind, state in rows)
    assert states[("update_due", "done")] == 1


async def test_reminders_stop_once_resolved(harness: Harness) -> None:
    from warroom.store import incidents

    incident = await harness.declare(severity="SEV1")
    async with harness.runtime.store.transaction() as session:
        await incidents.record(session, incident.id, resolved_at=harness.clock())
    report = await harness.tick(hours=2)
    assert report.claimed >= 1 and report.failed == 0
    assert reminders_in(harness, incident.channel_id or "") == []
    assert reminders_in(harness, harness.broadcast_channel) == []


async def test_escalation_mentions_the_configured_user_group(harness: Harness) -> None:
    harness.runtime.reminders.escalation_usergroup = "S0ONCALL01"
    incident = await harness.declare(severity="SEV1")
    await harness.tick(minutes=15)
    (escalated,) = reminders_in(harness, harness.broadcast_channel)
    assert escalated.startswith("🚨 <!subteam^S0ONCALL01>") and "INC-1" in escalated
    assert incident.reference in escalated


async def test_the_card_and_announcement_show_the_promise_and_when_it_is_late(
    harness: Harness,
) -> None:
    incident = await declare_with_ic(harness, "SEV1")
    due = incident.next_update_due_at
    assert due is not None
    at = f"<!date^{int(due.timestamp())}^{{time}}|"

    def facts() -> str:
        return str(harness.card(incident)["blocks"][1])

    def context() -> str:
        shown = harness.slack.message(harness.broadcast_channel, incident.announcement_ts or "")
        return str((shown or {}).get("blocks", [])[-1])

    assert "*Next update*" in facts() and at in facts() and "overdue" not in facts()
    assert f"next update {at}" in context()
    await harness.tick(minutes=30)
    assert f"⚠️ overdue: was due {at}" in facts() and "{ago}" in facts()
    assert "overdue" in context()

    assert (await submit_update(harness, await fresh(harness, incident)))[0] == 200
    await harness.settle()
    assert "overdue" not in facts() and "overdue" not in context()
