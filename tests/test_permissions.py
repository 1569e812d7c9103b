"""Only the right people steer an incident: the attacks replayed over signed HTTP, both databases.

Each attack is one person who may not do something trying it the ways Slack lets
them (slash command, card button or menu, a form); each is refused privately,
saying who may, and nothing changes: no store write, no room line, no broadcast.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from sqlalchemy import select

from tests.harness import REPORTER, WAIT_S, Harness, OpenedView, submission_of
from tests.payloads import answer_text
from warroom.domain.incident import Incident
from warroom.domain.permissions import Admins
from warroom.slack.blocks.action_items import DONE_ACTION, ItemRef
from warroom.slack.blocks.card import RESOLVE_ACTION, SEVERITY_ACTION, STATUS_ACTION
from warroom.store.models import ActionItemRow

ALICE = "UALICE0001"  # a responder: in the room
BOB = "UBOB000001"  # another responder
IC = "UCAROL0001"  # takes Incident Commander
OUTSIDER = "UEVE000001"  # not in the room
ADMIN = "UADMIN0001"  # named in the policy, not in the room
GROUP_ADMIN = "UGROUPADM1"  # in the admin user group, not in the room
ADMIN_GROUP = "S0WRADMINS"


async def fresh(harness: Harness, incident: Incident) -> Incident:
    (found,) = [i for i in await harness.incidents() if i.id == incident.id]
    return found


async def declared(harness: Harness) -> Incident:
    """A SEV2 with ALICE, BOB and IC in the room, IC holding Incident Commander."""
    incident = await harness.declare(responders=[ALICE, BOB, IC])
    assert await harness.press(incident, "role_take:commander", user=IC) == (200, "")
    await harness.settle()
    return await fresh(harness, incident)


class Unchanged:
    """What anyone but the actor sees of an incident: store, timeline, room and broadcast."""

    def __init__(self, harness: Harness, incident: Incident) -> None:
        self.harness, self.incident = harness, incident

    async def snapshot(self) -> tuple[Any, ...]:
        harness, room = self.harness, self.incident.channel_id or ""
        now = await fresh(harness, self.incident)
        entries = [(e.kind, e.author_id) for e in await harness.timeline(self.incident.id)]
        return (
            now,
            entries,
            [m["ts"] for m in harness.slack.messages(room)],
            harness.slack.message(room, self.incident.card_ts or ""),
            [m["ts"] for m in harness.slack.messages(harness.broadcast_channel)],
            len(harness.slack.calls_to("views.open")),
        )

    async def __aenter__(self) -> Unchanged:
        await self.harness.settle()  # what earlier steps post is not part of the comparison
        self.before = await self.snapshot()
        return self

    async def __aexit__(self, *exc: object) -> None:
        if exc[0] is None:
            await self.harness.settle()
            assert await self.snapshot() == self.before


async def command(harness: Harness, incident: Incident, text: str, user: str) -> str:
    status, body = await harness.command(text, user=user, channel=incident.channel_id)
    assert status == 200
    return answer_text(body)


async def told_after_click(harness: Harness, before: int) -> str:
    """The private answer to a click or command (through its response_url), as text."""
    calls = await harness.slack.wait_for("response_url", count=before + 1, timeout=WAIT_S)
    (answer,) = [call.args for call in calls[before:]]
    assert answer.get("response_type", "ephemeral") == "ephemeral"
    return str(answer["text"])


async def open_resolve_form(harness: Harness, incident: Incident, user: str) -> OpenedView:
    before = len(harness.slack.calls_to("views.open"))
    assert await harness.press(incident, RESOLVE_ACTION, user=user) == (200, "")
    call = (await harness.slack.wait_for("views.open", count=before + 1, timeout=WAIT_S))[before]
    opened = call.response["view"]
    return OpenedView(view=call.args["view"], view_id=opened["id"], view_hash=opened["hash"])


async def resolve_and_close(harness: Harness, incident: Incident) -> Incident:
    opened = await open_resolve_form(harness, incident, REPORTER)
    assert await harness.submit(opened, {"resolution": "Rolled back"}) == (200, "")
    await harness.tick()  # the postmortem draft, which closing needs
    assert await command(harness, incident, "close", REPORTER) == ""
    await harness.settle()
    closed = await fresh(harness, incident)
    assert closed.status == "closed"
    return closed


# -- outsiders ----------------------------------------------------------------------


async def test_an_outsider_cannot_raise_to_sev1_by_command(harness: Harness) -> None:
    incident = await declared(harness)
    async with Unchanged(harness, incident):
        answer = await command(harness, incident, "severity SEV1", OUTSIDER)
    assert answer == (
        f"🚫 Only members of <#{incident.channel_id}> can change the severity of INC-1."
    )
    assert "raised to SEV1" not in json.dumps(harness.slack.messages(harness.broadcast_channel))


async def test_an_outsider_cannot_raise_to_sev1_from_the_card(harness: Harness) -> None:
    incident = await declared(harness)
    before = len(harness.slack.calls_to("response_url"))
    async with Unchanged(harness, incident):
        status = await harness.press(incident, SEVERITY_ACTION, user=OUTSIDER, choose="SEV1")
        assert status == (200, "")
        answer = await told_after_click(harness, before)
    assert "Only members of" in answer and "change the severity of INC-1" in answer
    assert (await fresh(harness, incident)).severity == "SEV2"


async def test_an_outsider_cannot_change_status_or_resolve(harness: Harness) -> None:
    incident = await declared(harness)
    async with Unchanged(harness, incident):
        answer = await command(harness, incident, "status mitigated", OUTSIDER)
        assert "can change the status of INC-1" in answer
        before = len(harness.slack.calls_to("response_url"))
        assert await harness.press(incident, STATUS_ACTION, user=OUTSIDER, choose="mitigated") == (
            200,
            "",
        )
        assert "can change the status of INC-1" in await told_after_click(harness, before)
        before = len(harness.slack.calls_to("response_url"))
        assert await harness.press(incident, RESOLVE_ACTION, user=OUTSIDER) == (200, "")
        assert "can resolve INC-1" in await told_after_click(harness, before)  # no form opened
        before = len(harness.slack.calls_to("response_url"))
        assert await command(harness, incident, "resolve", OUTSIDER) == ""
        assert "can resolve INC-1" in await told_after_click(harness, before)
    assert (await fresh(harness, incident)).resolved_at is None


async def test_an_outsider_submitting_a_resolve_form_is_refused(harness: Harness) -> None:
    """A form opened by someone allowed, submitted as someone who is not (a forged submit)."""
    incident = await declared(harness)
    opened = await open_resolve_form(harness, incident, REPORTER)
    async with Unchanged(harness, incident):
        body, kind = submission_of(opened, {"resolution": "Nothing wrong"}, user=OUTSIDER)
        assert await harness.post(body, kind) == (200, "")
    dm = harness.slack.messages(harness.slack.dm_channel(OUTSIDER) or "")
    assert "can resolve INC-1" in dm[-1]["text"]
    assert (await fresh(harness, incident)).resolved_at is None


async def test_an_outsider_cannot_hand_out_roles_but_may_take_a_free_one(
    harness: Harness,
) -> None:
    incident = await declared(harness)
    async with Unchanged(harness, incident):
        answer = await command(harness, incident, f"role scribe <@{ALICE}>", OUTSIDER)
    assert (
        answer
        == f"🚫 Only members of <#{incident.channel_id}> can give someone else a role in INC-1."
    )
    # Taking a free role stays open to anyone: who answers a "no IC yet" escalation.
    assert await command(harness, incident, "role scribe me", OUTSIDER) == ""
    await harness.settle()
    assert (await fresh(harness, incident)).holder("scribe") == OUTSIDER


async def test_someone_just_added_to_the_room_may_steer_at_once(harness: Harness) -> None:
    """The member list Warroom remembers is asked again before refusing: no event needed."""
    incident = await declared(harness)
    refused = await command(harness, incident, "severity SEV3", OUTSIDER)
    assert refused.startswith("🚫 Only members of")
    assert incident.channel_id is not None
    harness.slack.add_member(incident.channel_id, OUTSIDER)
    assert await command(harness, incident, "severity SEV3", OUTSIDER) == ""
    await harness.settle()
    assert (await fresh(harness, incident)).severity == "SEV3"


async def test_a_member_is_told_when_slack_cannot_say_who_is_in_the_room(
    harness: Harness,
) -> None:
    incident = await declared(harness)
    assert incident.channel_id is not None
    harness.runtime.audience.forget(incident.channel_id)
    harness.slack.fail("conversations.members", "internal_error", times=None)
    async with Unchanged(harness, incident):
        answer = await command(harness, incident, "severity SEV1", BOB)
    assert answer == (
        f"⚠️ Only members of <#{incident.channel_id}> can change the severity of INC-1, and "
        "Slack did not answer when Warroom asked whether you are one of them "
        "(`conversations.members: internal_error`). Try again in a minute."
    )


async def test_taking_a_role_from_outside_the_room_brings_the_taker_in(
    harness: Harness,
) -> None:
    """ "Take IC" from the broadcast channel's escalation: the new IC needs the room."""
    incident = await declared(harness)
    assert incident.channel_id is not None
    assert await command(harness, incident, "role scribe me", OUTSIDER) == ""
    await harness.settle()
    channel = harness.slack.channel(incident.channel_id)
    assert channel is not None and OUTSIDER in channel.members
    assert await command(harness, incident, "severity SEV3", OUTSIDER) == ""


async def test_someone_elses_action_item_is_settled_only_by_its_people_the_ic_or_an_admin(
    harness: Harness,
) -> None:
    incident = await declared(harness)
    await command(harness, incident, f"action Add an alert <@{ALICE}>", REPORTER)
    async with harness.runtime.store.read() as session:
        (item,) = (await session.execute(select(ActionItemRow))).scalars()
    done = ItemRef(item.id).encode()
    for user in (OUTSIDER, BOB):
        before = len(harness.slack.calls_to("response_url"))
        async with Unchanged(harness, incident):
            await harness.click(DONE_ACTION, done, user=user, channel_id=incident.channel_id)
            answer = await told_after_click(harness, before)
        assert answer == (
            f"🚫 Only the Incident Commander (<@{IC}>) or a Warroom admin can mark someone "
            "else's action item done or won't do in INC-1."
        )
    await harness.click(DONE_ACTION, done, user=IC, channel_id=incident.channel_id)
    await harness.settle()
    async with harness.runtime.store.read() as session:
        settled = await session.get(ActionItemRow, item.id)
    assert settled is not None and settled.state == "done"


async def test_an_outsider_cannot_post_a_status_update(harness: Harness) -> None:
    incident = await declared(harness)
    before = len(harness.slack.calls_to("response_url"))
    async with Unchanged(harness, incident):
        assert await harness.press(incident, "update_open", user=OUTSIDER) == (200, "")
        assert "can post status updates for INC-1" in await told_after_click(harness, before)
    opened_before = len(harness.slack.calls_to("views.open"))
    assert await harness.press(incident, "update_open", user=IC) == (200, "")
    call = (await harness.slack.wait_for("views.open", count=opened_before + 1))[opened_before]
    opened = OpenedView(
        call.args["view"], call.response["view"]["id"], call.response["view"]["hash"]
    )
    answers = {"happening": "All fine", "impact": "None", "doing": "Nothing", "status": "mitigated"}
    async with Unchanged(harness, incident):
        body, kind = submission_of(opened, answers, user=OUTSIDER)
        assert await harness.post(body, kind) == (200, "")
    assert harness.slack.messages(harness.stakeholder_channel) == []
    dm = harness.slack.messages(harness.slack.dm_channel(OUTSIDER) or "")
    assert "can post status updates for INC-1" in dm[-1]["text"]


# -- closing and reopening ----------------------------------------------------------


async def test_a_room_member_who_is_not_a_lead_cannot_close(harness: Harness) -> None:
    incident = await declared(harness)
    opened = await open_resolve_form(harness, incident, ALICE)  # members may resolve
    assert await harness.submit(opened, {"resolution": "Rolled back"}, user=ALICE) == (200, "")
    await harness.tick()  # the postmortem draft, which closing needs
    incident = await fresh(harness, incident)
    assert incident.status == "resolved"
    async with Unchanged(harness, incident):
        answer = await command(harness, incident, "close", ALICE)
    assert answer == (
        f"🚫 Only the Incident Commander (<@{IC}>), the reporter (<@{REPORTER}>) or a "
        "Warroom admin can close INC-1."
    )
    assert await command(harness, incident, "close", IC) == ""
    await harness.settle()
    assert (await fresh(harness, incident)).status == "closed"


async def test_a_closed_incident_is_read_only_until_the_ic_reopens_it(harness: Harness) -> None:
    incident = await resolve_and_close(harness, await declared(harness))
    read_only = "INC-1 is closed, so it is read-only"
    async with Unchanged(harness, incident):
        for text in ("severity SEV1", "status investigating", f"role scribe <@{ALICE}>", "note hi"):
            assert read_only in await command(harness, incident, text, IC), text
        assert read_only in await command(harness, incident, "role scribe me", ALICE)
        before = len(harness.slack.calls_to("response_url"))
        assert await command(harness, incident, "resolve", IC) == ""  # the form is not opened
        assert read_only in await told_after_click(harness, before)
        answer = await command(harness, incident, "reopen", ALICE)  # a member, not a lead
        assert "Only the Incident Commander" in answer and "can reopen INC-1" in answer
    assert await command(harness, incident, "reopen", IC) == ""
    await harness.settle()
    reopened = await fresh(harness, incident)
    assert (reopened.status, reopened.closed_at, reopened.resolved_at) == (
        "investigating",
        None,
        None,
    )
    assert await command(harness, incident, "severity SEV1", ALICE) == ""
    await harness.settle()
    assert (await fresh(harness, incident)).severity == "SEV1"


async def test_a_form_opened_before_closing_is_refused_when_submitted_after(
    harness: Harness,
) -> None:
    incident = await declared(harness)
    stale = await open_resolve_form(harness, incident, IC)  # allowed when opened
    closed = await resolve_and_close(harness, incident)
    async with Unchanged(harness, closed):
        assert await harness.submit(stale, {"resolution": "Late"}, user=IC) == (200, "")
    (told,) = [e for e in harness.slack.ephemerals(closed.channel_id or "") if e["to"] == IC][-1:]
    assert "INC-1 is closed, so it is read-only" in told["message"]["text"]
    assert (await fresh(harness, closed)).summary == "Rolled back"


# -- admins -------------------------------------------------------------------------


async def test_admins_by_user_id_and_by_user_group_may_close(harness: Harness) -> None:
    guard = harness.runtime.guard
    guard.permissions = replace(
        guard.permissions, admins=Admins(users=frozenset({ADMIN}), usergroup=ADMIN_GROUP)
    )
    harness.slack.set_usergroup(ADMIN_GROUP, [GROUP_ADMIN])
    for closer in (ADMIN, GROUP_ADMIN):
        incident = await harness.declare(title=f"Closed by {closer}")
        opened = await open_resolve_form(harness, incident, REPORTER)
        assert await harness.submit(opened, {"resolution": "Fixed"}) == (200, "")
        await harness.tick()  # the postmortem draft, which closing needs
        async with Unchanged(harness, incident):
            assert "can close" in await command(harness, incident, "close", OUTSIDER)
        assert await command(harness, incident, "close", closer) == ""
        await harness.settle()
        assert (await fresh(harness, incident)).status == "closed"
    looked_up = harness.slack.calls_to("usergroups.users.list")
    assert looked_up and all(call.args["usergroup"] == ADMIN_GROUP for call in looked_up)


async def test_an_admin_group_slack_cannot_read_admits_nobody(harness: Harness) -> None:
    guard = harness.runtime.guard
    guard.permissions = replace(guard.permissions, admins=Admins(usergroup="S0NOSUCHGRP"))
    incident = await declared(harness)
    async with Unchanged(harness, incident):
        answer = await command(harness, incident, "reopen", GROUP_ADMIN)
    assert "can reopen INC-1" in answer
    (call,) = harness.slack.calls_to("usergroups.users.list")
    assert call.response == {"ok": False, "error": "no_such_subteam"}
