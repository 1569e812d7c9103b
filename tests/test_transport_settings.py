"""HOST, REQUEST_READ_TIMEOUT and SLACK_API_URL's scheme, and the SQLite file's mode,
as an operator meets them through the `warroom` command."""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

import pytest

from tests.test_cli import SETTINGS, run_main
from warroom import cli
from warroom.config import load_settings


@pytest.fixture
def clean(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    for name in SETTINGS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "secret")
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize(
    "url",
    [
        "https://slack.com/api/",
        "https://slack.example.com:8443/api/",
        "http://127.0.0.1:9999/api/",
        "http://127.8.0.1/api/",
        "http://[::1]:9999/api/",
        "http://localhost:9999/api/",
    ],
)
def test_https_or_a_stand_in_on_this_machine_is_accepted(url: str) -> None:
    assert load_settings(slack_api_url=url, _env_file=None).slack_api_url == url


@pytest.mark.parametrize(
    ("env", "argv", "expected"),
    [
        ({}, [], "0.0.0.0"),
        ({"HOST": "127.0.0.1"}, [], "127.0.0.1"),
        ({"HOST": "::1"}, [], "::1"),
        ({"HOST": "127.0.0.1"}, ["--host", "0.0.0.0"], "0.0.0.0"),
    ],
)
def test_host_comes_from_the_flag_then_the_setting(
    clean: Path,
    monkeypatch: pytest.MonkeyPatch,
    env: dict[str, str],
    argv: list[str],
    expected: str,
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    seen: dict[str, Any] = {}

    def fake_run(runtime: Any, *, socket_mode: bool, host: str, port: int) -> Any:
        seen["host"] = host

        async def done() -> int:
            await runtime.close()
            return 0

        return done()

    monkeypatch.setattr(cli, "_run", fake_run)
    assert cli.main(["serve", *argv]) == 0
    assert seen["host"] == expected


def test_the_sqlite_file_is_created_readable_by_its_owner_only(
    clean: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, _ = run_main(["migrate"], capsys)
    assert code == 0
    files = sorted(clean.glob("warroom.db*"))
    assert clean / "warroom.db" in files
    for path in files:  # the database, and its -wal and -shm while they exist
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
