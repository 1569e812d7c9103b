"""What deciding "may this person see these private incidents" costs.

Every listing (the open rooms named when a war-room command is typed elsewhere,
the timeline picker) filters up to 20 open incidents through `Audience`, which
asks Slack `conversations.members` for each private room and keeps the answer
for `MEMBERS_TTL`. Against the Slack stand-in answering every call after
`--slack-latency-ms`, with `--private` private rooms of `--members` members each,
this measures one listing with the cache cold (after a member left) and warm:
its latency and the Slack calls it made.

Prints one JSON object. Example:
    .venv/bin/python bench/private_visibility.py --private 20 --members 50
"""

from __future__ import annotations

import argparse
import asyncio
import json
import platform
import time
from datetime import UTC, datetime
from typing import Any

from fakeslack import FakeSlack
from stats import percentiles  # bench/stats.py, beside this script
from warroom.domain.clock import ManualClock
from warroom.domain.incident import Incident
from warroom.services.audience import MEMBERS_TTL, Audience
from warroom.slack.client import build_client
from warroom.slack.gateway import SlackGateway

VIEWER = "UVIEWER001"


async def run(private: int, members: int, rounds: int, latency_ms: float) -> dict[str, Any]:
    async with FakeSlack(latency=latency_ms / 1000) as slack:
        now = datetime.now(UTC)
        incidents = []
        for n in range(private):
            people = [slack.bot_user_id, *(f"UMEMBER{n:03d}{m:03d}" for m in range(members))]
            if n % 2 == 0:
                people.append(VIEWER)
            room = slack.add_channel(f"inc-{n}", is_private=True, members=people)
            incidents.append(
                Incident(
                    id=n,
                    team_id=slack.team_id,
                    number=n,
                    title="t",
                    impact="i",
                    severity="SEV2",
                    status="investigating",
                    private=True,
                    reporter_id=people[1],
                    declared_at=now,
                    channel_id=room,
                )
            )
        clock = ManualClock(now)
        gateway = SlackGateway(build_client(slack.token, slack.api_url))
        audience = Audience(gateway, clock)
        cold: list[float] = []
        warm: list[float] = []
        calls_cold = calls_warm = 0
        try:
            for _ in range(rounds):
                for incident in incidents:
                    assert incident.channel_id
                    audience.forget(incident.channel_id)  # as after member_left_channel
                before = len(slack.calls_to("conversations.members"))
                started = time.perf_counter()
                shown = await audience.visible(VIEWER, incidents)
                cold.append((time.perf_counter() - started) * 1000)
                calls_cold = len(slack.calls_to("conversations.members")) - before
                assert len(shown) == (private + 1) // 2
                before = len(slack.calls_to("conversations.members"))
                started = time.perf_counter()
                await audience.visible(VIEWER, incidents)
                warm.append((time.perf_counter() - started) * 1000)
                calls_warm = len(slack.calls_to("conversations.members")) - before
        finally:
            await gateway.close()
    return {
        "python": platform.python_version(),
        "slack_latency_ms": latency_ms,
        "private_rooms": private,
        "members_per_room": members,
        "rounds": rounds,
        "members_ttl_s": MEMBERS_TTL.total_seconds(),
        "cold_listing_ms": percentiles(cold),
        "cold_slack_calls": calls_cold,
        "warm_listing_ms": percentiles(warm),
        "warm_slack_calls": calls_warm,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--private", type=int, default=20)
    parser.add_argument("--members", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--slack-latency-ms", type=float, default=50.0)
    args = parser.parse_args()
    result = asyncio.run(run(args.private, args.members, args.rounds, args.slack_latency_ms))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
