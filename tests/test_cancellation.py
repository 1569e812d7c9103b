"""False alarms and duplicates: `/incident cancel` and `/incident duplicate`."""

from __future__ import annotations

import pytest

from tests.harness import Harness
from tests.payloads import answer_text
from tests.test_lifecycle import pending_kinds, resolve
from warroom.domain.incident import Incident

OUTSIDER = "UOUTSIDER1"


async def fresh(harness: Harness, incident: Incident) -> Incident:
    return await harness.runtime.rooms.incident(incident.id)


def texts(harness: Harness, channel: str | None) -> list[str]:
    return [m["text"] for m in harness.slack.messages(channel or "")]


@pytest.mark.both_databases
async def test_a_false_alarm_is_cancelled_without_a_postmortem_and_stays_quiet(
    harness: Harness,
) -> None:
    incident = await harness.declare(severity="SEV1")
    status, body = await harness.command(
        "cancel false alarm: the probe was misconfigured", channel=incident.channel_id
    )
    assert (status, body) == (200, "")
    await harness.settle()

    now = await fresh(harness, incident)
    assert now.cancelled_at is not None and now.resolved_at == now.closed_at == now.cancelled_at
    assert now.cancel_reason == "false alarm: the probe was misconfigured"
    assert now.next_update_due_at is None
    assert await pending_kinds(harness, now) == []
    card = harness.card(now)
    assert card["blocks"][0]["text"]["text"].startswith("🚫 INC-1")
    facts = str(card["blocks"][1])
    assert "Cancelled: false alarm: the probe was misconfigured" in facts
    assert "cancelled by" in texts(harness, now.channel_id)[-1]
    assert "*INC-1* SEV1 cancelled" in texts(harness, harness.broadcast_channel)[-1]

    await harness.tick(hours=3)
    shown = texts(harness, now.channel_id)
    assert not any("Postmortem draft" in t or "⏰" in t or "🧭" in t for t in shown)
    kinds = [e.kind for e in await harness.timeline(now.id)]
    assert kinds.count("cancelled") == 1 and "resolved" not in kinds


async def test_cancel_asks_for_a_reason_and_refuses_a_resolved_incident(
    harness: Harness,
) -> None:
    incident = await harness.declare(severity="SEV2")
    status, body = await harness.command("cancel", channel=incident.channel_id)
    assert status == 200 and "Say why it is cancelled" in answer_text(body)
    assert (await fresh(harness, incident)).cancelled_at is None

    assert await resolve(harness, incident, "Rolled back") == (200, "")
    status, body = await harness.command("cancel oops", channel=incident.channel_id)
    assert "is resolved, so it happened" in answer_text(body)
    assert (await fresh(harness, incident)).cancelled_at is None


@pytest.mark.both_databases
async def test_a_duplicate_points_both_rooms_at_each_other_and_ends(harness: Harness) -> None:
    original = await harness.declare(title="Checkout returns 500s", severity="SEV1")
    again = await harness.declare(title="Payments failing", severity="SEV2")
    status, body = await harness.command("duplicate inc-1", channel=again.channel_id)
    assert (status, body) == (200, "")
    await harness.settle()

    ended = await fresh(harness, again)
    assert ended.cancelled_at is not None and ended.duplicate_of == original.id
    assert ended.cancel_reason == "Duplicate of INC-1"
    here = texts(harness, again.channel_id)[-1]
    assert "*INC-2* is a duplicate of *INC-1*" in here and f"<#{original.channel_id}>" in here
    there = texts(harness, original.channel_id)[-1]
    assert "*INC-2* “Payments failing”" in there and "duplicate of *INC-1*" in there
    assert "a duplicate of *INC-1*" in texts(harness, harness.broadcast_channel)[-1]
    linked = [e for e in await harness.timeline(original.id) if e.kind == "duplicate_linked"]
    assert len(linked) == 1 and (await fresh(harness, original)).cancelled_at is None


async def test_duplicate_names_only_an_incident_the_person_can_see(harness: Harness) -> None:
    secret = await harness.declare(title="Payroll leak", severity="SEV1", private=["private"])
    public = await harness.declare(title="Search slow", severity="SEV3")
    room = public.channel_id
    harness.slack.add_member(room or "", OUTSIDER)

    for text, expected in [
        ("duplicate INC-99", "There is no INC-99 that you can see."),
        ("duplicate", "Name the incident this one duplicates"),
        ("duplicate INC-2", "INC-2 cannot be a duplicate of itself."),
    ]:
        status, body = await harness.command(text, channel=room)
        assert status == 200 and expected in answer_text(body), text
    status, body = await harness.command(
        f"duplicate INC-{secret.number}", channel=room, user=OUTSIDER
    )
    assert answer_text(body) == f"There is no INC-{secret.number} that you can see."
    assert (await fresh(harness, public)).cancelled_at is None
    assert all("Payroll" not in t for t in texts(harness, room))


async def test_a_cancelled_incident_gets_no_postmortem_until_it_is_reopened(
    harness: Harness,
) -> None:
    incident = await harness.declare(severity="SEV2")
    await harness.command("cancel false alarm", channel=incident.channel_id)
    await harness.settle()
    status, body = await harness.command("postmortem", channel=incident.channel_id)
    assert status == 200 and "gets no postmortem" in answer_text(body)

    assert (await harness.command("reopen", channel=incident.channel_id)) == (200, "")
    await harness.settle()
    reopened = await fresh(harness, incident)
    assert reopened.cancelled_at is None and reopened.cancel_reason is None
    assert reopened.resolved_at is None and reopened.closed_at is None
    assert reopened.next_update_due_at is not None
    assert "update_due" in await pending_kinds(harness, reopened)
