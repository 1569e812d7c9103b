"""A policy file with a mistake stops `warroom serve` before it listens, saying where and how
to fix it; `warroom policy check` says the same. Both run as real child processes.

The policy has no field that names a severity (cadences and escalation live on
each severity), so "an unknown severity referenced" can only be a key that is not
a severity's shape or one used twice; both are covered.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

DEFAULT_POLICY = Path(__file__).parents[2] / "src" / "warroom" / "default_policy.toml"
DATA = Path(__file__).parents[1] / "data" / "policies"

MISTAKES: dict[str, tuple[tuple[str, str] | Path, str]] = {
    "typo'd key": (
        ('commander_nag_after = "5m"', 'comander_nag_after = "5m"'),
        "unknown key; did you mean commander_nag_after?",
    ),
    "duration in words": (
        ('update_every = "30m"', 'update_every = "30 mins"'),
        "is not a duration; write it like 45s, 30m, 1h",
    ),
    "negative cadence": (('update_every = "1h"', 'update_every = "-1h"'), "is negative"),
    "severity key not a severity": (
        ('key = "SEV3"', 'key = "P3"'),
        "is not a valid key; write it like SEV1",
    ),
    "severity key used twice": (
        ('key = "SEV2"', 'key = "SEV1"'),
        "is already used by severities[0]",
    ),
    "not TOML": (DATA / "not_toml.toml", "line 6: not valid TOML"),
}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _policy(tmp_path: Path, mistake: tuple[str, str] | Path) -> tuple[Path, int | None]:
    """The file to start with, and the line the mistake is on (None: the case says)."""
    if isinstance(mistake, Path):
        return mistake, None
    text = DEFAULT_POLICY.read_text(encoding="utf-8")
    old, new = mistake
    at = text.index(old)
    path = tmp_path / "policy.toml"
    path.write_text(text[:at] + new + text[at + len(old) :], encoding="utf-8")
    return path, text[:at].count("\n") + 1


def _run(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "warroom.cli", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize("case", list(MISTAKES))
def test_serve_refuses_a_policy_with_a_mistake_before_listening(tmp_path: Path, case: str) -> None:
    mistake, fix = MISTAKES[case]
    policy, line = _policy(tmp_path, mistake)
    database = tmp_path / "warroom.db"
    port = _free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_"))},
        "SLACK_BOT_TOKEN": "xoxb-policy-test",
        "SLACK_SIGNING_SECRET": "policy-test-secret",
        "SLACK_API_URL": f"http://127.0.0.1:{_free_port()}/api/",
        "DATABASE_URL": f"sqlite+aiosqlite:///{database}",
        "POLICY_FILE": str(policy),
    }

    served = _run(["serve", "--host", "127.0.0.1", "--port", str(port)], env, tmp_path)
    assert served.returncode != 0, served
    where = f"{policy} line {line}:" if line else f"{policy} line"
    assert where in served.stderr and fix in served.stderr, served.stderr
    assert "listening" not in served.stderr + served.stdout
    assert not database.exists(), "nothing was started: not even the schema"
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", port)) != 0

    checked = _run(["policy", "check", str(policy)], env, tmp_path)
    assert checked.returncode != 0, checked
    assert where in checked.stderr and fix in checked.stderr, checked.stderr


@pytest.mark.parametrize(
    ("name", "why"), [("missing.toml", "does not exist"), (".", "is a directory")]
)
def test_serve_refuses_a_policy_file_that_is_not_a_file(
    tmp_path: Path, name: str, why: str
) -> None:
    policy = (tmp_path / name).resolve()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_"))},
        "SLACK_BOT_TOKEN": "xoxb-policy-test",
        "SLACK_SIGNING_SECRET": "policy-test-secret",
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'warroom.db'}",
        "POLICY_FILE": str(policy),
    }
    served = _run(["serve", "--port", str(_free_port())], env, tmp_path)
    assert served.returncode == 2 and f"POLICY_FILE {policy} {why}" in served.stderr, served
    assert "give the path of an existing TOML policy file" in served.stderr
    checked = _run(["policy", "check", str(policy)], env, tmp_path)
    assert checked.returncode == 2 and f"{policy} {why}" in checked.stderr, checked
