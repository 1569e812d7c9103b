"""`warroom serve --socket-mode`: Bolt's Socket Mode handler against a stand-in that speaks it.

The stand-in hands out the WebSocket URL from `apps.connections.open`, says
hello, delivers requests as envelopes and returns what Warroom acked.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from pathlib import Path
from typing import Any

from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

from fakeslack import FakeSlack, slash_command, socket_payload
from tests.test_cli import SETTINGS
from warroom.bolt.app import build_bolt_app
from warroom.config import Settings
from warroom.runtime import build_runtime

REPORTER = "UREPORTER1"
WAIT_S = 10.0


def command(fake: FakeSlack, text: str, channel_id: str) -> tuple[str, dict[str, Any]]:
    """`/incident <text>` as a Socket Mode `slash_commands` envelope carries it."""
    body, content_type = slash_command(
        text, user_id=REPORTER, channel_id=channel_id, response_url=fake.response_url(text)
    )
    return socket_payload(body, content_type)


def read_log(path: Path) -> str:
    return path.read_text(errors="replace")


def title_input(view: dict[str, Any]) -> dict[str, Any]:
    (block,) = [b for b in view["blocks"] if b.get("block_id") == "title"]
    element: dict[str, Any] = block["element"]
    return element


async def test_commands_arrive_and_are_acked_over_socket_mode(database_url: str) -> None:
    async with FakeSlack() as fake:
        channel = fake.add_channel("general")
        settings = Settings(
            _env_file=None,
            slack_bot_token=fake.token,
            slack_app_token=fake.app_token,
            slack_api_url=fake.api_url,
            database_url=database_url,
        )
        runtime = build_runtime(settings)
        assert settings.slack_app_token is not None
        handler = AsyncSocketModeHandler(
            build_bolt_app(runtime, socket_mode=True), settings.slack_app_token.get_secret_value()
        )
        try:
            await handler.connect_async()  # type: ignore[no-untyped-call]
            await fake.socket_connected(timeout=WAIT_S)
            (opened,) = fake.calls_to("apps.connections.open")
            assert opened.ok and opened.headers["Authorization"] == f"Bearer {fake.app_token}"

            ack = await fake.socket_request(*command(fake, "help", channel), timeout=WAIT_S)
            assert "/incident declare" in json.dumps(ack["payload"])

            ack = await fake.socket_request(
                *command(fake, "declare Broken", channel), timeout=WAIT_S
            )
            assert "payload" not in ack  # a bare ack: the modal opens instead
            (call,) = await fake.wait_for("views.open", timeout=WAIT_S)
            assert call.ok, call.response
            assert title_input(call.args["view"])["initial_value"] == "Broken"
        finally:
            await handler.close_async()  # type: ignore[no-untyped-call]
            await runtime.close()


async def start_serve(fake: FakeSlack, tmp_path: Path) -> asyncio.subprocess.Process:
    """`warroom serve --socket-mode` in `tmp_path`, Warroom settings only from the stand-in."""
    env = {k: v for k, v in os.environ.items() if k not in SETTINGS}
    env.update(
        SLACK_BOT_TOKEN=fake.token,
        SLACK_APP_TOKEN=fake.app_token,
        SLACK_API_URL=fake.api_url,
    )
    log_path = tmp_path / "serve.log"
    with log_path.open("wb") as log:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "warroom.cli",
            "serve",
            "--socket-mode",
            cwd=tmp_path,
            env=env,
            stdout=log,
            stderr=log,
        )
    try:
        await wait_connected(fake, process, log_path)
    except BaseException:
        process.kill()
        await process.wait()
        raise
    return process


async def test_serve_socket_mode_process(tmp_path: Path) -> None:
    """The real command, default SQLite store in its working directory."""
    async with FakeSlack() as fake:
        channel = fake.add_channel("general")
        process = await start_serve(fake, tmp_path)
        try:
            ack = await fake.socket_request(*command(fake, "help", channel), timeout=WAIT_S)
            assert "/incident declare" in json.dumps(ack["payload"])
            assert (tmp_path / "warroom.db").is_file()
        finally:
            if process.returncode is None:
                process.terminate()
            await process.wait()


async def wait_connected(
    fake: FakeSlack, process: asyncio.subprocess.Process, log_path: Path
) -> None:
    """Until the process holds a Socket Mode connection (start-up readiness, not a sleep)."""
    for _ in range(400):
        if process.returncode is not None:
            raise AssertionError(f"warroom serve exited: {read_log(log_path)}")
        try:
            await fake.socket_connected(timeout=0.05)
            return
        except AssertionError:
            continue
    raise AssertionError(f"warroom serve did not connect in 20 s: {read_log(log_path)}")


async def test_sigterm_lets_background_work_finish(tmp_path: Path) -> None:
    """Like HTTP mode (uvicorn + lifespan): stop on SIGTERM, finish what was acked, exit 0."""
    async with FakeSlack() as fake:
        channel = fake.add_channel("general")
        process = await start_serve(fake, tmp_path)
        try:
            fake.latency = 1.0  # views.open is still in flight when the signal comes
            ack = await fake.socket_request(*command(fake, "declare Slow", channel), timeout=WAIT_S)
            assert "payload" not in ack
            process.send_signal(signal.SIGTERM)
            assert await asyncio.wait_for(process.wait(), WAIT_S * 3) == 0
            (call,) = fake.calls_to("views.open")
            assert call.ok
        finally:
            if process.returncode is None:
                process.kill()
            await process.wait()
