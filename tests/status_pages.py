"""Warroom with the public status page on: the policy file that enables it, and a
harness serving it (for the HTTP tests and the browser tests)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from datetime import timedelta
from importlib.resources import files
from pathlib import Path

from tests.harness import REPORTER, Clock, Harness, start_harness
from warroom.domain.incident import Incident
from warroom.domain.status_update import StatusUpdate

__all__ = ["base_url", "enabled_policy", "post_update", "status_harness"]

DEFAULT_POLICY = files("warroom").joinpath("default_policy.toml")


def enabled_policy(folder: Path, *lines: str, timezone: str | None = None) -> Path:
    """The shipped policy with `[status_page]` enabled, plus `lines` in that section."""
    path = folder / "status-policy.toml"
    section = "\n".join(("[status_page]", "enabled = true", *lines))
    zone = f'timezone = "{timezone}"\n' if timezone else ""
    path.write_text(zone + DEFAULT_POLICY.read_text(encoding="utf-8") + "\n" + section + "\n")
    return path


@contextlib.asynccontextmanager
async def status_harness(
    database_url: str, clock: Clock, folder: Path, *lines: str, timezone: str | None = None
) -> AsyncIterator[Harness]:
    policy = enabled_policy(folder, *lines, timezone=timezone)
    async with start_harness(database_url, clock, policy_file=policy) as harness:
        yield harness


def base_url(harness: Harness) -> str:
    return harness.url.removesuffix("/slack/events")


async def post_update(
    harness: Harness, incident: Incident, happening: str, impact: str, *, by: str = REPORTER
) -> None:
    """A status update as the form posts it (the service, without the modal)."""
    promised = harness.clock() + timedelta(minutes=30)
    update = StatusUpdate("identified", happening, impact, "Rolling back", promised)
    await harness.runtime.updates.post(incident.id, update, by)
