"""Driving a `warroom serve` child the way Slack and a reporter do."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from fakeslack import FakeSlack, SlackSender, slash_command, view_submission
from fakeslack.serve_process import ServeProcess
from tests.harness import DEFAULT_ANSWERS, REPORTER, SIGNING_SECRET, TEAM_ID, WAIT_S
from warroom.demo.slack.driver import fill_view

__all__ = ["child_env", "declare_killed_at", "declare_on"]


def child_env(slack: FakeSlack, database_url: str, **settings: str) -> dict[str, str]:
    """The environment of a child wired to `slack` and `database_url`, plus `settings`."""
    return {
        "SLACK_BOT_TOKEN": slack.token,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": slack.api_url,
        "DATABASE_URL": database_url,
        **settings,
    }


async def declare_on(
    server: ServeProcess, slack: FakeSlack, command_channel: str, **answers: Any
) -> None:
    """The reporter's side: `/incident declare`, fill the modal Warroom opened, submit."""
    async with SlackSender() as sender:
        body, content_type = slash_command(
            "declare",
            user_id=REPORTER,
            team_id=TEAM_ID,
            channel_id=command_channel,
            response_url=slack.response_url("declare"),
        )
        status, _ = await sender.post(
            server.events_url, body, content_type, signing_secret=SIGNING_SECRET
        )
        assert status == 200, server.log()
        (opened,) = await slack.wait_for("views.open", count=1, timeout=WAIT_S)
        view = opened.args["view"]
        body, content_type = view_submission(
            view["callback_id"],
            fill_view(view, {**DEFAULT_ANSWERS, **answers}),
            user_id=REPORTER,
            team_id=TEAM_ID,
            private_metadata=view.get("private_metadata", ""),
            view_id=opened.response["view"]["id"],
            view_hash=opened.response["view"]["hash"],
        )
        assert await sender.post(
            server.events_url, body, content_type, signing_secret=SIGNING_SECRET
        ) == (200, ""), server.log()


async def declare_killed_at(
    server: ServeProcess,
    slack: FakeSlack,
    command_channel: str,
    *,
    phase: str,
    method: str,
    where: Callable[[dict[str, Any]], bool] = lambda _args: True,
    **answers: Any,
) -> None:
    """Start `server`, declare through it, and SIGKILL it the first time Slack gets a
    `method` call matching `where`: "before" Slack acts on it, or "after" it acted but
    before the answer leaves. Slack works normally again once this returns."""
    killed = asyncio.Event()

    def kill(seen_phase: str, seen_method: str, args: dict[str, Any]) -> bool:
        if killed.is_set() or (seen_phase, seen_method) != (phase, method) or not where(args):
            return False
        server.kill()
        killed.set()
        return True

    async with server:
        slack.intercept(kill)
        await declare_on(server, slack, command_channel, **answers)
        await asyncio.wait_for(killed.wait(), WAIT_S)
    slack.clear_faults()
