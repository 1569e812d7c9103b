"""Warroom under test: the real ASGI app on 127.0.0.1, talking to the Slack stand-in.

Requests go in signed exactly as Slack signs them; what Warroom sent back is
read off the stand-in's recorded calls. Modals are filled in from the view
Warroom actually opened, the way a person would in Slack.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any
from uuid import uuid4

from sqlalchemy import select

from fakeslack import FakeSlack, SlackSender, block_actions, slash_command, view_submission
from warroom.config import Settings
from warroom.demo.slack.driver import fill_view
from warroom.domain.clock import ManualClock
from warroom.domain.incident import Incident
from warroom.runtime import Runtime, build_runtime
from warroom.scheduler.tick import TickReport
from warroom.store import incidents
from warroom.store.models import IncidentRow, TimelineEntryRow
from warroom.web.asgi import create_asgi_app
from warroom.web.server import serve_locally

SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
TEAM_ID = "T0WARROOM"
REPORTER = "UREPORTER1"
WAIT_S = 10.0


Clock = ManualClock


@dataclass
class OpenedView:
    view: dict[str, Any]
    view_id: str
    view_hash: str


@dataclass
class Harness:
    url: str
    runtime: Runtime
    slack: FakeSlack
    sender: SlackSender
    broadcast_channel: str
    stakeholder_channel: str
    command_channel: str
    clock: Clock
    _responses: int = field(default=0)

    async def post(self, body: bytes, content_type: str, **signing: Any) -> tuple[int, str]:
        return await self.sender.post(
            self.url, body, content_type, signing_secret=SIGNING_SECRET, **signing
        )

    def new_response_url(self) -> str:
        self._responses += 1
        return self.slack.response_url(f"r{self._responses}")

    async def command(
        self,
        text: str,
        *,
        user: str = REPORTER,
        channel: str | None = None,
        response_url: str | None = None,
        **signing: Any,
    ) -> tuple[int, str]:
        body, content_type = slash_command(
            text,
            user_id=user,
            team_id=TEAM_ID,
            channel_id=channel or self.command_channel,
            response_url=response_url or self.new_response_url(),
        )
        return await self.post(body, content_type, **signing)

    def card(self, incident: Incident) -> dict[str, Any]:
        """The incident card as Slack shows it now (after every chat.update)."""
        assert incident.channel_id and incident.card_ts
        message = self.slack.message(incident.channel_id, incident.card_ts)
        assert message is not None
        return message

    async def press(
        self, incident: Incident, action_id: str, *, user: str = REPORTER, choose: str | None = None
    ) -> tuple[int, str]:
        """Click (or pick `choose` in) the element with `action_id` on the current card."""
        return await self.post(*self.card_click(incident, action_id, user=user, choose=choose))

    def card_click(
        self, incident: Incident, action_id: str, *, user: str = REPORTER, choose: str | None = None
    ) -> tuple[bytes, str]:
        """The block_actions Slack sends for a click on the card as it shows now."""
        card = self.card(incident)
        for block in card["blocks"]:
            elements = [block["accessory"]] if "accessory" in block else block.get("elements", [])
            for element in elements:
                if element.get("action_id") != action_id:
                    continue
                option = None
                if choose is not None:
                    option = next(o for o in element["options"] if o["value"] == choose)
                return block_actions(
                    action_id,
                    element.get("value"),
                    user_id=user,
                    team_id=TEAM_ID,
                    channel_id=incident.channel_id or "",
                    message_ts=incident.card_ts,
                    block_id=block["block_id"],
                    action_type=element["type"],
                    selected_option=option,
                    message=card,
                    response_url=self.new_response_url(),
                )
        raise AssertionError(f"no {action_id} on the card of {incident.reference}")

    async def tick(self, **advance: float) -> TickReport:
        """Move the clock, run one scheduler tick, and wait for what it set off."""
        if advance:
            self.clock.advance(**advance)
        report = await self.runtime.scheduler.tick()
        await self.settle()
        return report

    async def settle(self) -> None:
        """Wait until the work Warroom handed to the background after answering is done."""
        await asyncio.wait_for(self.runtime.alert_desk.idle(), WAIT_S)
        await asyncio.wait_for(self.runtime.background.idle(), WAIT_S)

    async def open_declare(self, title: str = "", *, user: str = REPORTER) -> OpenedView:
        before = len(self.slack.calls_to("views.open"))
        status, _ = await self.command(f"declare {title}".strip(), user=user)
        assert status == 200
        calls = await self.slack.wait_for("views.open", count=before + 1, timeout=WAIT_S)
        call = calls[before]
        assert call.response.get("ok"), call.response
        opened = call.response["view"]
        return OpenedView(view=call.args["view"], view_id=opened["id"], view_hash=opened["hash"])

    def submission(
        self, opened: OpenedView, answers: Mapping[str, Any], *, user: str = REPORTER
    ) -> tuple[bytes, str]:
        return submission_of(opened, answers, user=user)

    async def submit(
        self,
        opened: OpenedView,
        answers: Mapping[str, Any],
        *,
        user: str = REPORTER,
        **signing: Any,
    ) -> tuple[int, str]:
        return await self.post(*self.submission(opened, answers, user=user), **signing)

    async def click(
        self,
        action_id: str,
        value: str,
        *,
        user: str = REPORTER,
        channel_id: str | None = None,
        message_ts: str = "1700000000.000100",
        response_url: str | None = None,
    ) -> tuple[int, str]:
        body, content_type = block_actions(
            action_id,
            value,
            user_id=user,
            team_id=TEAM_ID,
            channel_id=channel_id or self.command_channel,
            message_ts=message_ts,
            response_url=response_url or self.new_response_url(),
        )
        return await self.post(body, content_type)

    async def declare(self, **answers: Any) -> Incident:
        """The whole flow a reporter goes through; returns the incident once they are told."""
        answers = {**DEFAULT_ANSWERS, **answers}
        told = len(self.slack.calls_to("response_url"))
        opened = await self.open_declare(answers.pop("command_title", ""))
        status, text = await self.submit(opened, answers)
        offered = json.loads(text) if status == 200 and text else {}
        if offered.get("response_action") == "update":  # similar open incidents: declare anyway
            # Slack gives the updated view a new hash
            opened = replace(opened, view=offered["view"], view_hash=f"{opened.view_hash}.1")
            status, text = await self.submit(opened, answers)
        assert status == 200 and text == "", (status, text)
        await self.slack.wait_for("response_url", count=told + 1, timeout=WAIT_S)
        (incident,) = [i for i in await self.incidents() if i.title == answers["title"].strip()]
        return incident

    async def incidents(self) -> list[Incident]:
        async with self.runtime.store.transaction() as session:
            ids = (await session.execute(select(IncidentRow.id).order_by(IncidentRow.id))).scalars()
            return [await incidents.load(session, incident_id) for incident_id in list(ids)]

    async def timeline(self, incident_id: int) -> list[TimelineEntryRow]:
        async with self.runtime.store.transaction() as session:
            rows = await session.execute(
                select(TimelineEntryRow)
                .where(TimelineEntryRow.incident_id == incident_id)
                .order_by(TimelineEntryRow.id)
            )
            return list(rows.scalars())

    def told(self) -> list[dict[str, Any]]:
        """Everything sent to people privately through response_urls, oldest first."""
        return [call.args for call in self.slack.calls_to("response_url")]


def submission_of(
    opened: OpenedView, answers: Mapping[str, Any], *, user: str = REPORTER
) -> tuple[bytes, str]:
    """The view_submission Slack would send for `opened` filled in with `answers`."""
    return view_submission(
        opened.view["callback_id"],
        fill_view(opened.view, answers),
        user_id=user,
        team_id=TEAM_ID,
        private_metadata=opened.view.get("private_metadata", ""),
        view_id=opened.view_id,
        view_hash=opened.view_hash,
    )


DEFAULT_ANSWERS: dict[str, Any] = {
    "title": "Checkout returns 500s",
    "severity": "SEV2",
    "impact": "About 30% of checkouts fail in EU",
}


@contextlib.asynccontextmanager
async def start_harness(database_url: str, clock: Clock, **settings: Any) -> AsyncIterator[Harness]:
    """`settings` override Warroom's settings (e.g. `slack_timeout=1` for fault tests)."""
    async with FakeSlack() as slack, harness_on(slack, database_url, clock, **settings) as running:
        yield running


@contextlib.asynccontextmanager
async def harness_on(
    slack: FakeSlack,
    database_url: str,
    clock: Clock,
    *,
    broadcast: str | None = None,
    stakeholders: str | None = None,
    command_channel: str | None = None,
    **overrides: Any,
) -> AsyncIterator[Harness]:
    """Warroom served in this process against `slack` (channels made unless given)."""
    broadcast = broadcast or slack.add_channel("incidents")
    stakeholders = stakeholders or slack.add_channel("stakeholders")
    command_channel = command_channel or slack.add_channel(f"general-{uuid4().hex[:6]}")
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        slack_bot_token=slack.token,
        slack_signing_secret=SIGNING_SECRET,
        slack_api_url=slack.api_url,
        database_url=database_url,
        broadcast_channel=broadcast,
        stakeholder_channel=stakeholders,
        **overrides,
    )
    runtime = build_runtime(settings, clock=clock)
    async with (
        contextlib.AsyncExitStack() as cleanup,
        serve_locally(create_asgi_app(runtime)) as base_url,
        SlackSender() as sender,
    ):
        cleanup.push_async_callback(runtime.close)
        yield Harness(
            url=f"{base_url}/slack/events",
            runtime=runtime,
            slack=slack,
            sender=sender,
            broadcast_channel=broadcast,
            stakeholder_channel=stakeholders,
            command_channel=command_channel,
            clock=clock,
        )
