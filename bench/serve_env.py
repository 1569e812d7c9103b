"""The environment a bench gives the `warroom serve` it starts against a Slack stand-in."""

from __future__ import annotations

from fakeslack import FakeSlack


def serve_env(
    slack: FakeSlack, *, signing_secret: str, database_url: str, pythonpath: str | None = None
) -> dict[str, str]:
    """`pythonpath` runs another checkout's code (a before/after comparison)."""
    env = {
        "SLACK_BOT_TOKEN": slack.token,
        "SLACK_SIGNING_SECRET": signing_secret,
        "SLACK_API_URL": slack.api_url,
        "DATABASE_URL": database_url,
    }
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    return env
