"""What rendering one App Home tab costs: the service's reads and the builder.

A viewer who may see `--open` open incidents (a fifth of them private rooms they are
in, the rest public; they hold a role in every other one), owns `--items` open action
items and sees `--resolved` incidents resolved this week, in a workspace with as many
again private incidents they may not see. Each round is `Homes.view`: the store's
reads, the audience check and the Block Kit builder (not `views.publish` itself).
The room members come from the Slack stand-in and are cached for `MEMBERS_TTL`, so
the first render ("cold") asks Slack for every private room and later ones
("warm", what a refresh within 30 s costs) do not.

Prints one JSON object (milliseconds). Goal (issue 15): p50 and p95 ≤ 50 ms for 50
open incidents. Example:
    .venv/bin/python bench/home.py
    .venv/bin/python bench/home.py --database-url \\
        postgresql+asyncpg://postgres@127.0.0.1:5432/warroom_bench_home
"""

from __future__ import annotations

import argparse
import asyncio
import json
import platform
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from fakeslack import FakeSlack
from stats import percentiles  # bench/stats.py, beside this script
from warroom.config import Settings
from warroom.domain.clock import ManualClock
from warroom.domain.declaration import Declaration
from warroom.domain.policy import COMMANDER
from warroom.runtime import build_runtime
from warroom.slack.client import build_client
from warroom.slack.gateway import SlackGateway
from warroom.store import action_items, incidents, roles
from warroom.store.migrations import upgrade

VIEWER = "UVIEWER001"


async def seed(runtime: Any, slack: FakeSlack, team: str, args: argparse.Namespace) -> None:
    now = runtime.clock()
    async with runtime.store.transaction() as session:

        async def incident(n: int, *, private: bool, member: bool, resolved: bool) -> int:
            declaration = Declaration(
                title=f"Incident number {n}: checkout returns 500s for some",
                severity=("SEV1", "SEV2", "SEV3")[n % 3],
                impact="Some checkouts fail",
                started_at=None,
                private=private,
                responders=(),
            )
            made = await incidents.insert_incident(
                session,
                team_id=team,
                reporter_id="UREPORTER1",
                declaration=declaration,
                declare_key=None,
                status="investigating",
                now=now - timedelta(hours=n),
            )
            people = [slack.bot_user_id, "UREPORTER1", *([VIEWER] if member else [])]
            room = slack.add_channel(f"inc-{n}", is_private=private, members=people)
            facts: dict[str, Any] = {
                "channel_id": room,
                "next_update_due_at": now + timedelta(minutes=30),
            }
            if resolved:
                facts.update(status="resolved", resolved_at=now - timedelta(days=1))
            await incidents.record(session, made.id, **facts)
            return made.id

        numbers = iter(range(1, 10_000))
        for k in range(args.open):
            made = await incident(next(numbers), private=k % 5 == 0, member=True, resolved=False)
            if k % 2 == 0:
                await roles.hand_to(
                    session, made, COMMANDER, user_id=VIEWER, by="UREPORTER1", now=now
                )
            if k < args.items:
                await action_items.add(
                    session,
                    incident_id=made,
                    text=f"Follow-up {k}: add an alert on checkout errors",
                    owner_id=VIEWER,
                    due_on=(now + timedelta(days=k)).date(),
                    created_by="UREPORTER1",
                    now=now,
                )
        for _ in range(args.open):  # private rooms the viewer is not in
            await incident(next(numbers), private=True, member=False, resolved=False)
        for _ in range(args.resolved):
            await incident(next(numbers), private=False, member=True, resolved=True)


async def run(args: argparse.Namespace, url: str) -> dict[str, Any]:
    async with FakeSlack(latency=args.slack_latency_ms / 1000) as slack:
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            slack_bot_token=slack.token,
            slack_signing_secret="not-used",
            database_url=url,
        )
        clock = ManualClock(datetime.now(UTC).replace(microsecond=0))
        gateway = SlackGateway(build_client(slack.token, slack.api_url))
        runtime = build_runtime(settings, clock=clock, gateway=gateway)
        try:
            await seed(runtime, slack, slack.team_id, args)
            started = time.perf_counter()
            view = await runtime.homes.view(VIEWER, slack.team_id)
            cold = (time.perf_counter() - started) * 1000
            samples: list[float] = []
            for _ in range(args.rounds):
                started = time.perf_counter()
                view = await runtime.homes.view(VIEWER, slack.team_id)
                samples.append((time.perf_counter() - started) * 1000)
            blocks = len(view["blocks"])
        finally:
            await runtime.close()
    return {
        "python": platform.python_version(),
        "database": url.split(":", 1)[0],
        "open_visible": args.open,
        "open_hidden_private": args.open,
        "items": args.items,
        "resolved": args.resolved,
        "rounds": args.rounds,
        "slack_latency_ms": args.slack_latency_ms,
        "blocks": blocks,
        "cold_ms": round(cold, 2),
        "render_ms": percentiles(samples),
        "goal_ms": 50,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--open", type=int, default=50)
    parser.add_argument("--items", type=int, default=15)
    parser.add_argument("--resolved", type=int, default=15)
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--slack-latency-ms", type=float, default=20.0)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        url = args.database_url or f"sqlite+aiosqlite:///{Path(scratch) / 'home.db'}"
        upgrade(url)  # runs its own event loop
        print(json.dumps(asyncio.run(run(args, url)), indent=2))


if __name__ == "__main__":
    main()
