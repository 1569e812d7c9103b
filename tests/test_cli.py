"""The `warroom` command as an operator meets it: real processes, real environment."""

from __future__ import annotations

import asyncio
import os
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

import aiohttp
import pytest

from fakeslack import FakeSlack, SlackSender, slash_command
from warroom.cli import main

SECRET = "cli-test-secret"
DEFAULT_POLICY = Path(__file__).parents[1] / "src" / "warroom" / "default_policy.toml"
SETTINGS = (
    "SLACK_BOT_TOKEN",
    "SLACK_SIGNING_SECRET",
    "SLACK_APP_TOKEN",
    "SLACK_API_URL",
    "SLACK_TIMEOUT",
    "DATABASE_URL",
    "PORT",
    "BROADCAST_CHANNEL",
    "POLICY_FILE",
    "LOG_LEVEL",
    "HOST",
    "REQUEST_READ_TIMEOUT",
    "RETENTION_DAYS",
)


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No Warroom settings from the developer's shell or .env leak into the test."""
    for name in SETTINGS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run_main(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, "SLACK_BOT_TOKEN is missing: set it to the Bot User OAuth Token (xoxb-...)"),
        ({"SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_SIGNING_SECRET is missing"),
        ({"SLACK_BOT_TOKEN": "xoxp-user"}, "SLACK_BOT_TOKEN is not a bot token"),
        ({"BROADCAST_CHANNEL": "#incidents"}, "BROADCAST_CHANNEL '#incidents' is not a channel ID"),
        ({"DATABASE_URL": "mysql://x/y"}, "DATABASE_URL names a database driver"),
        ({"PORT": "http"}, "PORT "),
        ({"SLACK_TIMEOUT": "0"}, "SLACK_TIMEOUT Input should be greater than or equal to 1"),
        ({"POLICY_FILE": "nope.toml"}, "POLICY_FILE nope.toml does not exist"),
        (
            {"SLACK_API_URL": "http://slack.example.com/api/"},
            "SLACK_API_URL is plain http to another machine, which would send the bot token "
            "unencrypted: leave it unset (Slack's own API) or give an https URL",
        ),
        ({"SLACK_API_URL": "http://10.0.0.7:8080/api/"}, "SLACK_API_URL is plain http"),
        ({"SLACK_API_URL": "http://127.0.0.1.evil.example/"}, "SLACK_API_URL is plain http"),
        ({"SLACK_API_URL": "ftp://slack.com/api/"}, "SLACK_API_URL is not an http(s) URL"),
        ({"HOST": "0.0.0.0 --reload"}, "HOST '0.0.0.0 --reload' is not an address to listen on"),
        ({"HOST": "http://localhost"}, "HOST 'http://localhost' is not an address"),
        ({"REQUEST_READ_TIMEOUT": "0"}, "REQUEST_READ_TIMEOUT Input should be greater than"),
        ({"REQUEST_READ_TIMEOUT": "soon"}, "REQUEST_READ_TIMEOUT "),
    ],
)
def test_bad_settings_stop_serve_with_one_line(
    clean_env: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    env: dict[str, str],
    expected: str,
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    code, out, err = run_main(["serve"], capsys)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("warroom: ") and expected in err


def test_socket_mode_needs_the_app_token(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1")
    code, _, err = run_main(["serve", "--socket-mode"], capsys)
    assert code == 2 and "SLACK_APP_TOKEN is missing" in err


def test_settings_come_from_dotenv(clean_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (clean_env / ".env").write_text("SLACK_BOT_TOKEN=not-a-bot-token\n")
    code, _, err = run_main(["serve"], capsys)
    assert code == 2 and "SLACK_BOT_TOKEN is not a bot token" in err


def test_policy_check(clean_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_main(["policy", "check", str(DEFAULT_POLICY)], capsys)
    assert code == 0 and "4 severities" in out
    bad = clean_env / "bad.toml"
    bad.write_text(
        DEFAULT_POLICY.read_text().replace('update_every = "30m"', 'update_every = "soon"')
    )
    code, _, err = run_main(["policy", "check", str(bad)], capsys)
    assert code == 1 and "bad.toml line" in err and "not a duration" in err
    code, _, err = run_main(["policy", "check", "missing.toml"], capsys)
    assert code == 2 and "does not exist" in err


def test_migrate_creates_the_schema(clean_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_main(["migrate"], capsys)
    assert code == 0 and "up to date" in out
    tables = {
        row[0]
        for row in sqlite3.connect(clean_env / "warroom.db").execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'"
        )
    }
    assert {"incidents", "timeline_entries", "role_assignments", "due_jobs"} <= tables
    assert {"processed_requests", "team_sequences", "alembic_version"} <= tables


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


async def test_serve_runs_on_the_default_sqlite_store(tmp_path: Path) -> None:
    """The quick start's main job: no DATABASE_URL, schema created on first start."""
    async with FakeSlack() as slack:
        port = free_port()
        env = {k: v for k, v in os.environ.items() if k not in SETTINGS}
        env.update(
            SLACK_BOT_TOKEN=slack.token,
            SLACK_SIGNING_SECRET=SECRET,
            SLACK_API_URL=slack.api_url,
        )
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "warroom.cli",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            cwd=tmp_path,
            env=env,
            stderr=subprocess.PIPE,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            async with aiohttp.ClientSession() as session:
                health = await wait_healthy(session, f"{base}/healthz", process)
                assert health == {"ok": True, "database": "sqlite"}
            body, kind = slash_command("help", response_url=slack.response_url("x"))
            async with SlackSender() as sender:
                status, text = await sender.post(
                    f"{base}/slack/events", body, kind, signing_secret=SECRET
                )
            assert status == 200 and "/incident declare" in text
            assert (tmp_path / "warroom.db").is_file()
        finally:
            process.terminate()
            await process.wait()


async def wait_healthy(
    session: aiohttp.ClientSession, url: str, process: asyncio.subprocess.Process
) -> object:
    """Poll until the server answers (start-up readiness, not waiting for time to pass)."""
    for _ in range(400):
        if process.returncode is not None:
            assert process.stderr is not None
            raise AssertionError((await process.stderr.read()).decode())
        try:
            async with session.get(url) as response:
                return await response.json()
        except aiohttp.ClientConnectionError:
            await asyncio.sleep(0.05)
    raise AssertionError("warroom serve did not start in 20 s")


def test_export_names_a_missing_incident(
    clean_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_main(["migrate"], capsys)[0] == 0
    code, out, err = run_main(["export", "INC-9"], capsys)
    assert code == 2 and out == "" and "INC-9 is not in this database" in err


def test_version_is_the_installed_packages(capsys: pytest.CaptureFixture[str]) -> None:
    import tomllib
    from importlib.metadata import version

    pyproject = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text("utf-8"))

    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    out, err = capsys.readouterr()

    assert exited.value.code == 0 and err == ""
    assert out == f"warroom {version('warroom')}\n"
    assert version("warroom") == pyproject["project"]["version"], "one version, from pyproject"


def test_report_in_each_format_and_its_mistakes(
    clean_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import csv
    import io
    import json

    assert run_main(["migrate"], capsys)[0] == 0
    code, out, err = run_main(["report", "--format", "json", "--since", "2026-01-01"], capsys)
    assert code == 0 and err == ""
    document = json.loads(out)
    assert document["incidents"]["total"] == 0 and document["timezone"] == "UTC"
    assert document["durations"]["resolve"]["median_s"] is None
    code, out, _ = run_main(["report", "--format", "csv", "--severity", "sev1"], capsys)
    rows = list(csv.reader(io.StringIO(out)))
    assert code == 0 and rows[0] == ["section", "name", "value", "over"]
    assert ["period", "severity", "SEV1", ""] in rows
    code, out, _ = run_main(["report"], capsys)
    assert code == 0 and out.startswith("# Incident report\n") and "| Time to resolve |" in out
    code, out, err = run_main(["report", "--severity", "SEV9"], capsys)
    assert code == 2 and out == "" and "unknown severity 'SEV9'" in err
    code, out, err = run_main(["report", "--since", "2026-03-02", "--until", "2026-03-01"], capsys)
    assert code == 2 and "is before --since" in err
    with pytest.raises(SystemExit) as exited:
        main(["report", "--since", "last week"])
    assert exited.value.code == 2 and "is not a date" in capsys.readouterr().err
