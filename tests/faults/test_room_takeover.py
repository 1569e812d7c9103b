"""Nobody can hand Warroom a channel, or a message, and have it taken as its own.

A workspace member pre-creates the channel names a declare will try, invites
@warroom, and waits: a setup that "resumes" by name would make their public
channel the war room of a private incident. Another app posts a message with
the block id of Warroom's card, announcement or reminder: a resumed setup or
reminder that matched it would pin it, link it, or skip the real one.

Each attack is replayed over signed HTTP against the real ASGI app (and once
against a real `warroom serve` killed mid-setup), the squatter and the other
app acting through their own Slack tokens. Whatever happens, the room ends up
a fresh channel Warroom's bot created, private like the incident, and only
Warroom's own messages count as its card, announcement and reminders.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from fakeslack import FakeSlack
from fakeslack.serve_process import ServeProcess
from tests.faults.child import child_env, declare_killed_at
from tests.harness import REPORTER, WAIT_S, Clock, Harness, harness_on, start_harness
from warroom.domain.incident import Incident
from warroom.services.declare import NAME_ATTEMPTS
from warroom.slack.blocks.announcement import announcement_block_id
from warroom.slack.blocks.card import CARD_BLOCK_ID
from warroom.slack.blocks.reminders import reminder_block_id
from warroom.store import jobs

SQUATTER = "USQUATTER1"
OTHER_BOT = "UOTHERBOT1"
OTHER_BOT_ID = "B0OTHERBOT"
TITLE = "Payroll export leaks"
READABLE = "inc-1-payroll-export-leaks"
OUR_NAMES = re.compile(rf"{READABLE}(-[a-z0-9]{{8}})?")
CLIENT_TIMEOUT_S = 1
HOLD_S = 1.5


def _client(slack: FakeSlack, token: str) -> AsyncWebClient:
    return AsyncWebClient(token=token, base_url=slack.api_url, retry_handlers=[])


class Squatter:
    """A workspace member with their own token, creating channels Warroom may try."""

    def __init__(self, slack: FakeSlack) -> None:
        self.slack = slack
        self.client = _client(slack, slack.token_for(SQUATTER))
        self.channels: set[str] = set()

    async def squat(self, name: str, *, private: bool = False) -> str:
        made = (await self.client.conversations_create(name=name, is_private=private))["channel"]
        await self.client.conversations_invite(channel=made["id"], users=[self.slack.bot_user_id])
        self.channels.add(made["id"])
        return str(made["id"])


class OtherApp:
    """Another app's bot in the workspace, posting blocks with Warroom's block ids."""

    def __init__(self, slack: FakeSlack) -> None:
        self.client = _client(slack, slack.token_for(OTHER_BOT, bot_id=OTHER_BOT_ID))

    async def post_lookalike(self, channel: str, block_id: str) -> str:
        await self.client.conversations_join(channel=channel)
        block = {"type": "section", "block_id": block_id, "text": {"type": "mrkdwn", "text": "!"}}
        posted = await self.client.chat_postMessage(channel=channel, text="!", blocks=[block])
        return str(posted["ts"])


def _by_warroom(slack: FakeSlack, method: str) -> list[dict[str, Any]]:
    """The arguments of every call to `method` Warroom made (with its own token)."""
    mine = f"Bearer {slack.token}"
    return [c.args for c in slack.calls_to(method) if c.headers.get("Authorization") == mine]


async def _fresh(harness: Harness, incident_id: int) -> Incident:
    return next(i for i in await harness.incidents() if i.id == incident_id)


async def _retry(harness: Harness, incident: Incident) -> None:
    told = len(harness.slack.calls_to("response_url"))
    assert (await harness.click("declare_retry", str(incident.id)))[0] == 200
    await harness.slack.wait_for("response_url", count=told + 1, timeout=WAIT_S)
    await harness.settle()


async def _finish_room_job(harness: Harness, incident: Incident) -> None:
    await harness.tick(minutes=3, seconds=30)


RESUMES = [
    pytest.param(_retry, id="retry"),
    pytest.param(_finish_room_job, id="finish_room-job"),
]
Resume = Callable[[Harness, Incident], Awaitable[None]]


async def assert_fresh_private_room(
    harness: Harness, incident_id: int, not_ours: set[str]
) -> Incident:
    """The room is a private channel Warroom made; Warroom did nothing in `not_ours`."""
    slack = harness.slack
    incident = await _fresh(harness, incident_id)
    assert incident.provisioned_at is not None and incident.pending_channel_name is None
    assert incident.channel_id is not None and incident.channel_id not in not_ours
    room = slack.channel(incident.channel_id)
    assert room is not None and room.is_private and room.creator == slack.bot_user_id
    assert OUR_NAMES.fullmatch(room.name), room.name
    assert REPORTER in room.members and incident.card_ts in room.pins
    for method in ("chat.postMessage", "conversations.invite", "conversations.setTopic"):
        touched = {args.get("channel") for args in _by_warroom(slack, method)}
        assert not touched & not_ours, method
    for channel_id in not_ours:
        channel = slack.channel(channel_id)
        assert channel is not None and REPORTER not in channel.members and not channel.pins
        assert all(m["user"] != slack.bot_user_id for m in slack.messages(channel_id))
    return incident


async def test_predictable_names_squatted_in_advance_are_never_a_private_room(
    harness: Harness,
) -> None:
    squatter = Squatter(harness.slack)
    for name in [READABLE, *(f"{READABLE}-{n}" for n in range(2, NAME_ATTEMPTS + 1)), "inc-1"]:
        await squatter.squat(name)

    incident = await harness.declare(title=TITLE, private=["private"])
    await assert_fresh_private_room(harness, incident.id, squatter.channels)
    tried = [args["name"] for args in _by_warroom(harness.slack, "conversations.create")]
    assert len(tried) == 2 and tried[0] == READABLE

    await _retry(harness, incident)
    await assert_fresh_private_room(harness, incident.id, squatter.channels)
    assert len(_by_warroom(harness.slack, "conversations.create")) == 2


@pytest.mark.parametrize("resume", RESUMES)
async def test_after_name_taken_a_resumed_setup_makes_a_new_room(
    harness: Harness, resume: Resume
) -> None:
    """Every name taken (the fault stands in for a squatter who took them all): Slack
    refused, nothing of Warroom's is in doubt, so resuming adopts nothing."""
    squatter = Squatter(harness.slack)
    await squatter.squat(READABLE)
    harness.slack.fail("conversations.create", "name_taken", times=NAME_ATTEMPTS)
    incident = await harness.declare(title=TITLE, private=["private"])
    assert incident.channel_id is None and "name_taken" in (incident.provision_error or "")
    assert incident.pending_channel_name is None
    tried = {args["name"] for args in _by_warroom(harness.slack, "conversations.create")}
    for name in tried - {READABLE}:
        await squatter.squat(name)

    await resume(harness, incident)
    done = await assert_fresh_private_room(harness, incident.id, squatter.channels)
    assert done.channel_name not in tried


def _warroom_made_it_an_hour_before(slack: FakeSlack, name: str, declared: float) -> str:
    members = [slack.bot_user_id, SQUATTER]
    created = int(declared) - 3600
    return slack.add_channel(name, is_private=True, members=members, created=created)


def _warroom_made_it_public(slack: FakeSlack, name: str, declared: float) -> str:
    return slack.add_channel(name, members=[slack.bot_user_id, SQUATTER])


MISFITS = ["public-by-squatter", "private-by-squatter", "older", "public"]


@pytest.mark.parametrize("resume", RESUMES)
@pytest.mark.parametrize("misfit", MISFITS)
async def test_after_an_unknown_outcome_only_warroom_s_own_channel_is_adopted(
    database_url: str, clock: Clock, resume: Resume, misfit: str
) -> None:
    """conversations.create got no answer, so the name is in doubt; a channel of that
    name made by someone else, before the declaration, or public, is still not ours."""
    async with start_harness(database_url, clock, slack_timeout=CLIENT_TIMEOUT_S) as harness:
        slack = harness.slack
        slack.hold_s = HOLD_S
        slack.time_out("conversations.create")
        incident = await harness.declare(title=TITLE, private=["private"])
        assert incident.channel_id is None and "unreachable" in (incident.provision_error or "")
        assert incident.pending_channel_name == READABLE

        squatter = Squatter(slack)
        declared = incident.declared_at.timestamp()
        if misfit == "public-by-squatter":
            await squatter.squat(READABLE)
        elif misfit == "private-by-squatter":
            await squatter.squat(READABLE, private=True)
        elif misfit == "older":
            squatter.channels.add(_warroom_made_it_an_hour_before(slack, READABLE, declared))
        else:
            squatter.channels.add(_warroom_made_it_public(slack, READABLE, declared))

        await resume(harness, incident)
        await assert_fresh_private_room(harness, incident.id, squatter.channels)


async def test_killed_before_create_then_squatted_is_not_adopted_after_restart(
    database_url: str, clock: Clock, tmp_path: Path
) -> None:
    """SIGKILL as conversations.create leaves: the name is in doubt. A squatter takes it
    (public, @warroom invited); the restarted Warroom's `finish_room` job must not adopt it."""
    async with FakeSlack() as slack:
        command_channel = slack.add_channel("general")
        server = ServeProcess(child_env(slack, database_url), tmp_path)
        await declare_killed_at(
            server,
            slack,
            command_channel,
            phase="before",
            method="conversations.create",
            title=TITLE,
            private=["private"],
        )
        squatter = Squatter(slack)
        await squatter.squat(READABLE)

        async with harness_on(slack, database_url, clock, command_channel=command_channel) as h:
            (incident,) = await h.incidents()
            assert incident.channel_id is None and incident.pending_channel_name == READABLE
            await h.tick(minutes=3, seconds=30)
            await assert_fresh_private_room(h, incident.id, squatter.channels)


class DropWhileArmed:
    """Slack never answers the matching calls while armed (the SDK retries, then gives up)."""

    def __init__(self, slack: FakeSlack, matches: Callable[[dict[str, Any]], bool]) -> None:
        self.armed = True
        self.matches = matches
        slack.intercept(self)

    def __call__(self, phase: str, method: str, args: dict[str, Any]) -> bool:
        return (
            self.armed
            and phase == "before"
            and method == "chat.postMessage"
            and (self.matches(args))
        )


def _blocks(args: dict[str, Any]) -> set[str]:
    blocks = args.get("blocks") or []
    return {b.get("block_id", "") for b in blocks if isinstance(b, dict)}


@pytest.mark.parametrize("what", ["card", "announcement"])
async def test_another_apps_lookalike_is_not_taken_for_the_setups_message(
    harness: Harness, what: str
) -> None:
    slack = harness.slack
    # Warroom is in the broadcast channel, as it is once it has announced anything.
    await _client(slack, slack.token).conversations_join(channel=harness.broadcast_channel)
    marker = CARD_BLOCK_ID if what == "card" else "announcement:INC-1"
    drop = DropWhileArmed(slack, lambda args: marker in _blocks(args))
    incident = await harness.declare(title=TITLE)
    assert incident.channel_id and incident.provisioned_at is None
    assert marker == (CARD_BLOCK_ID if what == "card" else announcement_block_id(incident))
    drop.armed = False
    where = incident.channel_id if what == "card" else harness.broadcast_channel
    theirs = await OtherApp(slack).post_lookalike(where, marker)

    await _retry(harness, incident)
    done = await _fresh(harness, incident.id)
    assert done.provisioned_at is not None
    ours = done.card_ts if what == "card" else done.announcement_ts
    assert ours is not None and ours != theirs
    message = slack.message(where, ours)
    assert message is not None and message["user"] == slack.bot_user_id
    room = slack.channel(incident.channel_id)
    assert room is not None and room.pins == (done.card_ts,)


async def test_another_apps_lookalike_is_not_taken_for_a_sent_reminder(
    harness: Harness,
) -> None:
    """The IC nag fails once; meanwhile another app posts a message with its block id.
    Taken up again, the reminder must still go out (and be logged once)."""
    slack = harness.slack
    incident = await harness.declare(title=TITLE)
    assert incident.channel_id is not None
    async with harness.runtime.store.transaction() as session:
        (nag,) = [j for j in await jobs.pending(session, incident.id) if j.kind == "commander_nag"]
    marker = reminder_block_id(nag.id)
    drop = DropWhileArmed(slack, lambda args: marker in _blocks(args))
    harness.clock.advance(seconds=(nag.due_at - harness.clock()).total_seconds())
    assert (await harness.tick()).retried == 1
    drop.armed = False
    theirs = await OtherApp(slack).post_lookalike(incident.channel_id, marker)

    await harness.tick(minutes=1)
    sent = [m for m in slack.messages(incident.channel_id) if marker in _blocks(m)]
    assert [m["user"] for m in sent] == [OTHER_BOT, slack.bot_user_id]
    assert sent[0]["ts"] == theirs
    logged = [
        e
        for e in await harness.timeline(incident.id)
        if e.kind == "reminder" and (e.data or {}).get("job_id") == nag.id
    ]
    assert len(logged) == 1
