"""A private incident is seen only by the people in it.

It lives its whole life (raised to the top, status changes, a status update,
reminders and escalations falling due, an action item, resolution and the
postmortem draft) while a non-member uses every surface that lists incidents:
a war-room command typed elsewhere (which lists open rooms), the "Add to
timeline" shortcut and its picker. Every call Warroom makes to Slack that
carries the incident's title, room or reference must go to its room, to a DM or
private note of someone in it, or to a response_url of something they did.

Warroom has no App Home, no `/incident list` and no /metrics; `warroom export`
is an operator's command on the database host, not reachable from Slack.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, timedelta
from typing import Any

from fakeslack import RecordedCall, view_submission
from tests.faults.hostile import Outbox
from tests.harness import REPORTER, TEAM_ID, WAIT_S, Harness, OpenedView
from tests.timeline.room import message_shortcut
from warroom.domain.incident import Incident
from warroom.slack.blocks.timeline import PICK_ACTION, PICK_BLOCK

SECRET = "Payroll export leaks PRIVSECRET"
MEMBER = "UMEMBER001"
OUTSIDER = "UOUTSIDE01"
OWNER = "UOWNER0001"
UPDATE = {"happening": "PRIVSECRET rows", "impact": "payroll", "doing": "rotating keys"}


async def _open(harness: Harness, incident: Incident, action_id: str) -> OpenedView:
    before = len(harness.slack.calls_to("views.open"))
    assert await harness.press(incident, action_id) == (200, "")
    call = (await harness.slack.wait_for("views.open", count=before + 1, timeout=WAIT_S))[before]
    return OpenedView(call.args["view"], call.response["view"]["id"], call.response["view"]["hash"])


async def _fresh(harness: Harness, incident: Incident) -> Incident:
    return next(i for i in await harness.incidents() if i.id == incident.id)


class Outsider:
    """What a non-member does, and the response_urls and triggers Slack gave them."""

    def __init__(self, harness: Harness) -> None:
        self.harness = harness
        self.response_keys: set[str] = set()
        self.answers: list[str] = []
        self.triggers: set[str] = set()

    def url(self) -> str:
        url = self.harness.new_response_url()
        self.response_keys.add(url.rsplit("/", 1)[1])
        return url

    async def command(self, text: str) -> None:
        status, body = await self.harness.command(
            text, user=OUTSIDER, channel=self.harness.command_channel, response_url=self.url()
        )
        assert status == 200, body
        self.answers.append(body)

    async def shortcut(self) -> None:
        ts = self.harness.slack.add_message(
            self.harness.command_channel, "our payroll looks odd", user=OUTSIDER
        )
        message = {"type": "message", "user": OUTSIDER, "text": "our payroll looks odd", "ts": ts}
        body, kind = message_shortcut(
            message,
            channel_id=self.harness.command_channel,
            user_id=OUTSIDER,
            response_url=self.url(),
        )
        before = len(self.harness.slack.calls_to("views.open"))
        status, answer = await self.harness.post(body, kind)
        assert status == 200, answer
        await self.harness.settle()
        for call in self.harness.slack.calls_to("views.open")[before:]:
            self.answers.append(json.dumps(call.args["view"]))
            self.triggers.add(call.args["trigger_id"])


def _destination(call: RecordedCall) -> tuple[str, Any]:
    args = call.args
    if call.method == "response_url":
        return "response_url", args.get("key")
    if call.method == "chat.postEphemeral":
        return "ephemeral", (args.get("channel"), args.get("user"))
    if call.method == "files.completeUploadExternal":
        return "channel", args.get("channel_id")
    if call.method.startswith("views."):
        return "view", args.get("trigger_id") or args.get("user_id")
    return "channel", args.get("channel") or args.get("users")


async def test_a_private_incident_is_seen_only_by_the_people_in_it(harness: Harness) -> None:
    public = await harness.declare(title="Public checkout outage", severity="SEV2")
    outbox = Outbox(harness)
    incident = await harness.declare(
        title=SECRET, severity="SEV2", private=["private"], responders=[MEMBER]
    )
    room = incident.channel_id
    assert room is not None and incident.private
    channel = harness.slack.channel(room)
    assert channel is not None and channel.is_private
    assert OUTSIDER not in channel.members and {REPORTER, MEMBER} <= channel.members
    outsider = Outsider(harness)

    async def in_room(text: str, user: str = REPORTER) -> None:
        status, body = await harness.command(text, user=user, channel=room)
        assert status == 200, body

    await harness.tick(minutes=20)  # no IC: nag, then the escalation a public one broadcasts
    await in_room("severity SEV1")
    await in_room("status identified")
    await harness.tick(minutes=50)  # the status update is late, then broadcast-late
    opened = await _open(harness, await _fresh(harness, incident), "update_open")
    assert (await harness.submit(opened, UPDATE))[0] == 200
    await harness.press(await _fresh(harness, incident), "role_take:commander", user=MEMBER)
    due = (harness.clock().astimezone(UTC) + timedelta(days=1)).date()
    await in_room(f"action Rotate the PRIVSECRET keys <@{OWNER}> due {due}")
    await in_room("note PRIVSECRET export stopped", user=MEMBER)
    await harness.settle()

    await outsider.command("note where is the payroll incident?")
    await outsider.command("timeline")
    await outsider.command("declare")
    await outsider.shortcut()

    opened = await _open(harness, await _fresh(harness, incident), "resolve_open")
    answers = {"resolution": "Keys rotated PRIVSECRET", "root_cause": "export job"}
    assert (await harness.submit(opened, answers))[0] == 200
    await harness.settle()
    for _ in range(4):
        await harness.tick(days=1)
    await outsider.command("note anything open?")
    await outsider.shortcut()
    await outbox.check()

    incident = await _fresh(harness, incident)
    members = harness.slack.channel(room)
    assert members is not None and OWNER in members.members and OUTSIDER not in members.members
    insiders = set(members.members)
    insider_dms = {harness.slack.dm_channel(u) for u in insiders} - {None}
    secret = re.compile(rf"PRIVSECRET|{room}|{incident.reference}(?!\d)")
    leaks = []
    for call in harness.slack.calls[outbox.start :]:
        if not secret.search(json.dumps(call.args, ensure_ascii=False)):
            continue
        kind, where = _destination(call)
        allowed = (
            (kind == "channel" and (where == room or where in insider_dms | insiders))
            or (kind == "ephemeral" and where[0] == room and where[1] in insiders)
            or (kind == "response_url" and where not in outsider.response_keys)
            or (kind == "view" and where not in outsider.triggers)
            or (call.method == "conversations.invite" and where == room)
        )
        if not allowed:
            leaks.append((call.method, kind, where))
    assert leaks == [], leaks
    for answer in outsider.answers:
        assert not secret.search(answer), answer
    for elsewhere in (harness.broadcast_channel, harness.stakeholder_channel):
        assert not secret.search(json.dumps(harness.slack.messages(elsewhere)))
    assert any(public.reference in a for a in outsider.answers), "the outsider sees public ones"
    broadcast = json.dumps(harness.slack.messages(harness.broadcast_channel))
    assert public.reference in broadcast, "the public one was announced (and escalated) there"
    uploads = harness.slack.calls_to("files.completeUploadExternal")
    assert [c.args.get("channel_id") for c in uploads] == [room], "the draft went to the room"
    owner_dm = harness.slack.dm_channel(OWNER)
    assert owner_dm and "PRIVSECRET" in json.dumps(harness.slack.messages(owner_dm))
    assert harness.slack.calls_to("views.publish") == [], "no App Home to leak through"


async def test_an_owner_who_cannot_join_a_private_room_is_not_told_its_secrets(
    harness: Harness,
) -> None:
    incident = await harness.declare(title=SECRET, private=["private"])
    harness.slack.fail("conversations.invite", "user_is_restricted")
    status, _ = await harness.command(
        f"action Rotate the PRIVSECRET keys <@{OWNER}>", channel=incident.channel_id
    )
    assert status == 200
    await harness.settle()
    told = [c for c in harness.slack.calls if OWNER in json.dumps(c.args.get("user", ""))]
    assert told == [] and harness.slack.dm_channel(OWNER) is None
    assert f"couldn't tell <@{OWNER}>" in harness.told()[-1]["text"]


async def test_the_timeline_picker_takes_no_private_incident_from_a_non_member(
    harness: Harness,
) -> None:
    """Slack only submits offered options; a submission naming another is still refused."""
    await harness.declare(title="Public checkout outage")
    incident = await harness.declare(title=SECRET, private=["private"])
    outsider = Outsider(harness)
    await outsider.shortcut()
    call = harness.slack.calls_to("views.open")[-1]
    view = call.args["view"]
    options = next(b for b in view["blocks"] if b["block_id"] == PICK_BLOCK)["element"]["options"]
    assert str(incident.id) not in {o["value"] for o in options}
    entries = len(await harness.timeline(incident.id))
    forged = {"value": str(incident.id), "text": {"type": "plain_text", "text": "INC-2"}}
    values = {PICK_BLOCK: {PICK_ACTION: {"type": "static_select", "selected_option": forged}}}
    body, kind = view_submission(
        view["callback_id"],
        values,
        user_id=OUTSIDER,
        team_id=TEAM_ID,
        private_metadata=view["private_metadata"],
        view_id=call.response["view"]["id"],
    )
    status, answer = await harness.post(body, kind)
    assert status == 200 and json.loads(answer)["response_action"] == "errors"
    await harness.settle()
    assert len(await harness.timeline(incident.id)) == entries
    assert not any(
        "PRIVSECRET" in json.dumps(c.args) for c in harness.slack.calls_to("response_url")
    )
