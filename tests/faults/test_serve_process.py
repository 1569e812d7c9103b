"""The child-process server the fault tests kill: it starts, answers Slack, and dies on SIGKILL."""

from __future__ import annotations

from pathlib import Path

from fakeslack import FakeSlack, SlackSender, slash_command
from fakeslack.serve_process import ServeProcess
from tests.harness import SIGNING_SECRET, TEAM_ID


async def test_serve_process_answers_a_signed_command_and_dies_on_sigkill(tmp_path: Path) -> None:
    async with FakeSlack() as slack, SlackSender() as sender:
        env = {
            "SLACK_BOT_TOKEN": slack.token,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": slack.api_url,
            "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'warroom.db'}",
        }
        server = ServeProcess(env, tmp_path)
        async with server:
            assert server.rss_bytes() > 0
            channel = slack.add_channel("general")
            body, content_type = slash_command(
                "help",
                user_id="U1",
                team_id=TEAM_ID,
                channel_id=channel,
                response_url=slack.response_url("r1"),
            )
            status, text = await sender.post(
                server.events_url, body, content_type, signing_secret=SIGNING_SECRET
            )
            assert status == 200, server.log()
            assert "declare" in text
            server.kill()
            assert server.process is not None and server.process.returncode == -9
