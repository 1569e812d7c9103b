"""Roles, severity and status through the card and the keyboard, on both databases."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

import warroom
from fakeslack import view_submission
from tests.harness import REPORTER, WAIT_S, Clock, Harness, start_harness
from tests.payloads import answer_text
from warroom.demo.slack.driver import fill_view
from warroom.domain.incident import Incident
from warroom.store.models import RoleAssignmentRow

ALICE, BOB = "UALICE0001", "UBOB00002"


async def fresh(harness: Harness, incident: Incident) -> Incident:
    (found,) = [i for i in await harness.incidents() if i.id == incident.id]
    return found


def card_text(harness: Harness, incident: Incident) -> str:
    return json.dumps(harness.card(incident)["blocks"])


def room_lines(harness: Harness, incident: Incident) -> list[str]:
    return [m.get("text", "") for m in harness.slack.messages(incident.channel_id or "")]


async def assignments(harness: Harness, incident: Incident) -> list[RoleAssignmentRow]:
    async with harness.runtime.store.transaction() as session:
        rows = await session.execute(
            select(RoleAssignmentRow)
            .where(RoleAssignmentRow.incident_id == incident.id)
            .order_by(RoleAssignmentRow.id)
        )
        return list(rows.scalars())


async def test_taking_ic_updates_everything(harness: Harness) -> None:
    incident = await harness.declare(responders=[ALICE])
    status, body = await harness.press(incident, "role_take:commander", user=ALICE)
    assert (status, body) == (200, "")
    await harness.settle()
    now = await fresh(harness, incident)
    assert now.holder("commander") == ALICE
    assert now.acknowledged_at == harness.clock()
    assert f"<@{ALICE}>" in card_text(harness, now)
    card_actions = json.dumps(harness.card(now)["blocks"])
    assert "role_handoff:commander" in card_actions and "role_take:commander" not in card_actions
    channel = harness.slack.channel(now.channel_id or "")
    assert channel is not None and channel.topic.startswith(
        f"SEV2 · Investigating · IC: <@{ALICE}>"
    )
    (announced,) = harness.slack.messages(harness.broadcast_channel)
    assert f"<@{ALICE}>" in json.dumps(announced["blocks"])
    assert any(
        f"<@{ALICE}> is now *Incident Commander* (took it)" in t for t in room_lines(harness, now)
    )
    (duties,) = [
        c.args for c in harness.slack.calls_to("chat.postMessage") if c.args["channel"] == ALICE
    ]
    assert "Does not debug" in duties["text"]  # by DM, to read again later
    assert harness.told()[-1]["text"].startswith("✅ You are now *Incident Commander*")
    entries = [e for e in await harness.timeline(now.id) if e.kind == "role_changed"]
    assert [(e.author_id, e.data["role"], e.data["user"]) for e in entries] == [
        (ALICE, "commander", ALICE)
    ]


@pytest.mark.both_databases
async def test_two_people_taking_ic_at_once_exactly_one_wins(harness: Harness) -> None:
    incident = await harness.declare(responders=[ALICE, BOB])
    results = await asyncio.gather(
        harness.press(incident, "role_take:commander", user=ALICE),
        harness.press(incident, "role_take:commander", user=BOB),
    )
    assert results == [(200, ""), (200, "")]
    await harness.settle()
    now = await fresh(harness, incident)
    winner = now.holder("commander")
    loser = BOB if winner == ALICE else ALICE
    assert winner in {ALICE, BOB}
    assert len(await assignments(harness, now)) == 1
    told = [t for t in harness.told() if "already holds" in t["text"]]
    assert len(told) == 1 and f"<@{winner}> already holds *Incident Commander*" in told[0]["text"]
    assert f"<@{winner}>" in card_text(harness, now) and f"<@{loser}>" not in card_text(
        harness, now
    )


async def test_taking_a_role_you_hold_says_so(harness: Harness) -> None:
    incident = await harness.declare()
    await harness.press(incident, "role_take:scribe")
    await harness.settle()
    await harness.press(await fresh(harness, incident), "role_handoff:scribe")
    await harness.settle()
    # the card now offers Hand off; an old card still showing Take is answered truthfully
    await harness.click("role_take:scribe", str(incident.id), channel_id=incident.channel_id)
    await harness.settle()
    assert "You already hold *Scribe*" in harness.told()[-1]["text"]


async def test_hand_off_through_the_modal_keeps_history(harness: Harness) -> None:
    incident = await harness.declare()
    await harness.press(incident, "role_take:commander")
    await harness.settle()
    incident = await fresh(harness, incident)
    opened_before = len(harness.slack.calls_to("views.open"))
    await harness.press(incident, "role_handoff:commander")
    (opened,) = (await harness.slack.wait_for("views.open", count=opened_before + 1))[
        opened_before:
    ]
    view: dict[str, Any] = opened.args["view"]
    assert view["blocks"][0]["element"]["initial_option"]["value"] == "commander"
    body, kind = view_submission(
        view["callback_id"],
        fill_view(view, {"user": BOB}),
        user_id=REPORTER,
        private_metadata=view["private_metadata"],
        view_id=opened.response["view"]["id"],
    )
    assert await harness.post(body, kind) == (200, "")
    await harness.settle()
    now = await fresh(harness, incident)
    assert now.holder("commander") == BOB
    first, second = await assignments(harness, now)
    assert (first.user_id, first.ended_at is not None) == (REPORTER, True)
    assert (second.user_id, second.assigned_by, second.ended_at) == (BOB, REPORTER, None)
    assert now.acknowledged_at == incident.acknowledged_at
    channel = harness.slack.channel(now.channel_id or "")
    assert channel is not None and BOB in channel.members
    line = room_lines(harness, now)[-1]
    assert f"<@{BOB}> is now *Incident Commander* (handed over by <@{REPORTER}>)" in line
    (duties,) = [
        c.args for c in harness.slack.calls_to("chat.postMessage") if c.args["channel"] == BOB
    ]
    assert f"<@{REPORTER}> gave you this role" in duties["text"]
    (confirmed,) = harness.slack.ephemerals(now.channel_id or "")[-1:]
    assert confirmed["to"] == REPORTER
    assert confirmed["message"]["text"].startswith(f"✅ <@{BOB}> is now *Incident Commander*")


async def test_role_command(harness: Harness) -> None:
    incident = await harness.declare()
    room = incident.channel_id
    status, body = await harness.command(f"role ops <@{ALICE}|alice>", channel=room)
    assert (status, body) == (200, "")
    await harness.settle()
    assert (await fresh(harness, incident)).holder("ops_lead") == ALICE
    _, body = await harness.command("role comms me", channel=room)
    await harness.settle()
    assert (await fresh(harness, incident)).holder("comms_lead") == REPORTER
    _, body = await harness.command(f"role boss <@{ALICE}>", channel=room)
    assert "`boss` is not a role" in answer_text(body)
    _, body = await harness.command("role ic", channel=room)
    assert "Usage: `/incident role" in answer_text(body)
    _, body = await harness.command(f"role ic <@{ALICE}>")
    answer = answer_text(body)
    assert "works inside an incident's war-room channel" in answer and f"<#{room}>" in answer


async def test_raising_to_sev1_updates_in_place_and_tells_the_broadcast_channel(
    harness: Harness,
) -> None:
    incident = await harness.declare(severity="SEV2")
    assert await harness.press(incident, "severity_select", choose="SEV1") == (200, "")
    await harness.settle()
    now = await fresh(harness, incident)
    assert now.severity == "SEV1"
    controls = harness.card(now)["blocks"][-2]
    assert controls["block_id"] == "controls:SEV1:investigating"
    assert controls["elements"][0]["initial_option"]["value"] == "SEV1"
    channel = harness.slack.channel(now.channel_id or "")
    assert channel is not None and channel.topic.startswith("SEV1 · ")
    announced, notice = harness.slack.messages(harness.broadcast_channel)
    assert "SEV1" in json.dumps(announced["blocks"]) and "raised to *SEV1*" in notice["text"]
    assert "Severity raised SEV2 → *SEV1*" in room_lines(harness, now)[-1]
    (entry,) = [e for e in await harness.timeline(now.id) if e.kind == "severity_changed"]
    assert entry.data == {"from": "SEV2", "to": "SEV1", "by": REPORTER}


async def test_private_incident_raise_is_not_broadcast(harness: Harness) -> None:
    incident = await harness.declare(severity="SEV3", private=["private"])
    await harness.command("severity sev1", channel=incident.channel_id)
    await harness.settle()
    assert (await fresh(harness, incident)).severity == "SEV1"
    assert harness.slack.messages(harness.broadcast_channel) == []


async def test_status_changes_and_mitigation_time(harness: Harness) -> None:
    incident = await harness.declare()
    await harness.press(incident, "status_select", choose="identified")
    await harness.settle()
    harness.clock.advance(minutes=20)
    status, body = await harness.command("status mitigated", channel=incident.channel_id)
    assert (status, body) == (200, "")
    await harness.settle()
    now = await fresh(harness, incident)
    assert now.status == "mitigated" and now.mitigated_at == harness.clock()
    assert "Status Identified → *Mitigated (monitoring)*" in room_lines(harness, now)[-1]
    kinds = [(e.kind, e.data.get("to")) for e in await harness.timeline(now.id)]
    assert kinds[-2:] == [("status_changed", "identified"), ("status_changed", "mitigated")]
    channel = harness.slack.channel(now.channel_id or "")
    assert channel is not None and "Mitigated (monitoring)" in channel.topic


async def test_invalid_values_list_the_valid_ones(harness: Harness) -> None:
    incident = await harness.declare()
    room = incident.channel_id
    _, body = await harness.command("severity sev9", channel=room)
    assert "Use one of: SEV1, SEV2, SEV3, SEV4" in answer_text(body)
    _, body = await harness.command("status resolved", channel=room)
    assert "investigating, identified, mitigated" in answer_text(body)
    _, body = await harness.command("severity sev2", channel=room)
    assert "already has that severity" in answer_text(body)


async def test_refused_card_update_is_reported_to_whoever_changed_it(harness: Harness) -> None:
    incident = await harness.declare()
    harness.slack.fail("chat.update", "ratelimited", times=None)
    await harness.press(incident, "role_take:commander")
    await harness.settle()
    assert (await fresh(harness, incident)).holder("commander") == REPORTER
    note = harness.told()[-1]["text"]
    assert "is saved" in note and "chat.update" in note and "ratelimited" in note
    await asyncio.wait_for(harness.runtime.background.idle(), WAIT_S)


async def test_private_incidents_are_listed_only_to_people_in_them(harness: Harness) -> None:
    public = await harness.declare(title="Public one")
    private = await harness.declare(title="Secret one", private=["private"], responders=[ALICE])
    _, body = await harness.command("severity sev1", user=BOB)
    shown = answer_text(body)
    assert f"<#{public.channel_id}>" in shown and f"<#{private.channel_id}>" not in shown
    _, body = await harness.command("severity sev1", user=ALICE)
    assert f"<#{private.channel_id}>" in answer_text(body)


async def test_a_status_added_in_the_policy_is_offered_on_the_card_and_by_command(
    database_url: str, clock: Clock, tmp_path: Path
) -> None:
    shipped = (Path(warroom.__file__).parent / "default_policy.toml").read_text(encoding="utf-8")
    monitoring = (
        '[[statuses]]\nkey = "monitoring"\nlabel = "Monitoring the fix"\n'
        'description = "Fixed; watching the graphs."\n\n'
    )
    resolved = '[[statuses]]\nkey = "resolved"'
    policy = tmp_path / "policy.toml"
    policy.write_text(shipped.replace(resolved, monitoring + resolved, 1), encoding="utf-8")
    async with start_harness(database_url, clock, policy_file=str(policy)) as harness:
        incident = await harness.declare()
        picker = next(
            e
            for b in harness.card(incident)["blocks"]
            if b["type"] == "actions"
            for e in b["elements"]
            if e["action_id"] == "status_select"
        )
        offered = [o["value"] for o in picker["options"]]
        assert offered == ["investigating", "identified", "mitigated", "monitoring"]
        assert await harness.command("status monitoring", channel=incident.channel_id) == (200, "")
        await harness.settle()
        now = next(i for i in await harness.incidents() if i.id == incident.id)
        assert now.status == "monitoring"
        assert "Monitoring the fix" in str(harness.card(now)["blocks"][1])
