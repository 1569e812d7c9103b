"""Services called directly, in process: the real runtime and store, with the way out
to Slack replaced by `GatewayDouble`. No HTTP server, no Slack stand-in: these tests
are about what a use case decides and stores, and what it asks Slack to do."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from itertools import count
from typing import Any

import pytest

from tests.harness import Clock
from tests.services.gateway_double import BOT_USER, GatewayDouble
from warroom.config import Settings
from warroom.domain.declaration import Declaration
from warroom.domain.incident import Incident
from warroom.runtime import Runtime, build_runtime
from warroom.services.declare import ProvisionResult
from warroom.store import jobs, timeline

TEAM = "T0SERVICES"
REPORTER = "UREPORTER1"
_keys = count(1)


@dataclass
class World:
    runtime: Runtime
    slack: GatewayDouble
    clock: Clock
    broadcast: str

    async def record(
        self,
        title: str = "Checkout returns 500s",
        *,
        severity: str = "SEV2",
        reporter: str = REPORTER,
        responders: tuple[str, ...] = (),
        private: bool = False,
        key: str | None = None,
    ) -> Incident:
        """An incident as the declare form stores it (no war room yet)."""
        declaration = Declaration(
            title=title,
            severity=severity,
            impact="About 30% of checkouts fail in EU",
            started_at=None,
            private=private,
            responders=responders,
        )
        return await self.runtime.declare.record(
            team_id=TEAM,
            reporter_id=reporter,
            declaration=declaration,
            declare_key=key or f"view:{next(_keys)}",
        )

    async def declare(self, title: str = "Checkout returns 500s", **details: Any) -> Incident:
        """An incident with its war room built, as after a declare form's submission."""
        incident = await self.record(title, **details)
        result = await self.runtime.declare.provision(incident.id, response_url="urn:reporter")
        assert result is ProvisionResult.READY
        return await self.runtime.rooms.incident(incident.id)

    async def pending_jobs(self, incident_id: int) -> list[str]:
        """The kinds of what is planned for the incident, in due order."""
        async with self.runtime.store.read() as session:
            return [job.kind for job in await jobs.pending(session, incident_id)]

    async def timeline_kinds(self, incident_id: int) -> list[str]:
        async with self.runtime.store.read() as session:
            page = await timeline.key_entries(session, incident_id, before=None, limit=100)
        return [item.kind for item in reversed(page)]


@pytest.fixture
async def world(database_url: str, clock: Clock) -> AsyncIterator[World]:
    slack = GatewayDouble(clock_now=clock())
    broadcast = slack.add_channel("incidents", members=[BOT_USER])
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        slack_bot_token="xoxb-not-used",
        slack_signing_secret="not-used",
        database_url=database_url,
        broadcast_channel=broadcast,
    )
    runtime = build_runtime(settings, clock=clock, gateway=slack)
    try:
        yield World(runtime, slack, clock, broadcast)
    finally:
        await runtime.close()
