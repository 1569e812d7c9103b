"""Play the demo: Warroom served for real, its Slack stood in for, the people scripted."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from warroom.config import Settings
from warroom.demo.cast import NAMES, ORG_ZONE, PEOPLE, SECRET, ZONES
from warroom.demo.people import People
from warroom.demo.script import play
from warroom.demo.slack import SlackSender, SlackStandIn
from warroom.demo.transcript import Transcript
from warroom.domain.clock import ManualClock
from warroom.policy_file import load_policy
from warroom.runtime import build_runtime
from warroom.store.models import PostmortemRow
from warroom.web.asgi import create_asgi_app
from warroom.web.server import serve_locally

__all__ = ["run_demo"]


async def run_demo(database_url: str, say: Callable[[str], None]) -> str | None:
    """Play the incident, printing the transcript; returns the postmortem Markdown."""
    night = datetime.now(ZoneInfo(ORG_ZONE)).replace(hour=2, minute=47, second=0, microsecond=0)
    clock = ManualClock(night.astimezone(UTC))
    say(f"Times are in {ORG_ZONE}, the organisation's zone (the policy's `timezone`).")
    async with SlackStandIn() as slack:
        for user, name in PEOPLE.items():
            slack.add_user(user, name, display_name=NAMES[user], tz=ZONES[user])
        broadcast = slack.add_channel("incidents")
        ops = slack.add_channel("ops", members=[*PEOPLE, slack.bot_user_id])
        settings = Settings(
            _env_file=None,
            slack_bot_token=slack.token,
            slack_signing_secret=SECRET,
            slack_api_url=slack.api_url,
            database_url=database_url,
            broadcast_channel=broadcast,
        )
        policy = replace(load_policy(None), timezone=ORG_ZONE)
        runtime = build_runtime(settings, clock=clock, policy=policy)
        try:
            async with serve_locally(create_asgi_app(runtime)) as base, SlackSender() as sender:
                show = Transcript(slack, say)
                people = People(slack, sender, f"{base}/slack/events", clock, show)
                await play(runtime, slack, people, show, clock, ops)
            async with runtime.store.transaction() as session:
                stored = await session.get(PostmortemRow, 1)
        finally:
            await runtime.close()
    return stored.markdown if stored is not None else None
