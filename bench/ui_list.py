"""What the web list `/ui` costs the server over 10,000 incidents.

Seeds `--incidents` incidents (default 10,000) over the last two years: a tenth of
them private rooms, half of those with the viewer in them; a third still open; half
with an Incident Commander the directory knows; titles drawn from a small vocabulary,
so words match hundreds of incidents. Each round calls the real routes
(`warroom.web.ui.ui_routes` behind Starlette's session middleware) in process, as
one ASGI call with the viewer's session cookie: routing, the session, the store's
reads, the audience check of the private incidents on the page (room members come
from the Slack stand-in and are cached for 30 s: "cold" is the first call, asking
Slack), names, and the template; no socket. Scenarios: the first page, a page deep
in the history (`below`), status and severity filters, a date range, common and rare
words, a page back (`above`).

Prints one JSON object (milliseconds per call). Goal (issue 17): ≤ 100 ms server time
per page at 10,000 incidents. Example:
    .venv/bin/python bench/ui_list.py
    .venv/bin/python bench/ui_list.py --database-url \\
        postgresql+asyncpg://postgres@127.0.0.1:5432/warroom_bench_ui
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

from sqlalchemy import insert, select, text
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from fakeslack import FakeSlack
from stats import percentiles  # bench/stats.py, beside this script
from warroom.config import Settings
from warroom.domain.clock import ManualClock
from warroom.domain.people import Person
from warroom.runtime import build_runtime
from warroom.slack.client import build_client
from warroom.slack.gateway import SlackGateway
from warroom.store import people
from warroom.store.migrations import upgrade
from warroom.store.models import IncidentRow, RoleAssignmentRow, TeamSequenceRow
from warroom.web.session import Viewer, sign_in
from warroom.web.ui import ui_routes

VIEWER = "UVIEWER001"
WORDS = (
    "checkout", "search", "payments", "login", "database", "cache", "queue", "dns",
    "latency", "errors", "timeouts", "outage", "degraded", "eu", "us", "mobile",
)  # fmt: skip
RARE = "kerberos"


async def seed(runtime: Any, slack: FakeSlack, team: str, count: int) -> None:
    now = runtime.clock()
    span = timedelta(days=730)
    rows: list[dict[str, Any]] = []
    channels: list[tuple[int, bool, bool]] = []
    for n in range(1, count + 1):
        declared = now - span + span * n / count
        private = n % 10 == 0
        member = private and n % 20 == 0
        words = [WORDS[(n * k) % len(WORDS)] for k in (1, 3, 7)]
        if n % 997 == 0:
            words.append(RARE)
        resolved = n % 3 != 0
        rows.append(
            {
                "team_id": team,
                "number": n,
                "title": f"Incident {n}: {' '.join(words)}",
                "impact": f"Some {words[0]} requests fail",
                "summary": f"{words[1]} {words[2]}" if resolved else None,
                "severity": ("SEV1", "SEV2", "SEV3", "SEV4")[n % 4],
                "status": "resolved" if resolved else "investigating",
                "private": private,
                "reporter_id": "UREPORTER1",
                "invitees": [],
                "declared_at": declared,
                "resolved_at": declared + timedelta(hours=2) if resolved else None,
                "channel_id": None,
            }
        )
        channels.append((n, private, member))
    for (n, private, member), row in zip(channels, rows, strict=True):
        members = [slack.bot_user_id, "UREPORTER1", *([VIEWER] if member else [])]
        row["channel_id"] = slack.add_channel(f"inc-{n}", is_private=private, members=members)
    async with runtime.store.transaction() as session:
        for start in range(0, len(rows), 1_000):
            await session.execute(insert(IncidentRow), rows[start : start + 1_000])
        await session.execute(insert(TeamSequenceRow), [{"team_id": team, "last_number": count}])
    async with runtime.store.transaction() as session:
        numbered = await session.execute(select(IncidentRow.number, IncidentRow.id))
        ids = {number: incident_id for number, incident_id in numbered.all()}
        commanders = [
            {
                "incident_id": ids[n],
                "role": "commander",
                "user_id": f"UCMD{n % 40:05d}",
                "assigned_by": "UREPORTER1",
                "assigned_at": now - span + span * n / count,
            }
            for n in range(2, count + 1, 2)
        ]
        for start in range(0, len(commanders), 1_000):
            await session.execute(insert(RoleAssignmentRow), commanders[start : start + 1_000])
        await people.save(
            session,
            [Person(f"UCMD{k:05d}", f"commander {k}", None) for k in range(40)],
            now=now,
        )
    if runtime.store.dialect == "postgresql":
        async with runtime.store.transaction() as session:
            # What autovacuum does soon after a bulk load: statistics, and the GIN
            # indexes' pending entries merged (else the planner guesses, and pays).
            await session.execute(text("ANALYZE"))
            await session.execute(text("SELECT gin_clean_pending_list('ix_incidents_search')"))


def bench_app(runtime: Any) -> Starlette:
    def sign_in_here(request: Request) -> Response:  # the bench's stand-in for Sign in
        sign_in(request, Viewer(VIEWER, request.query_params["team"], "Bench Viewer"))
        return PlainTextResponse("ok")

    return Starlette(
        routes=[*ui_routes(runtime), Route("/bench/sign-in", sign_in_here)],
        middleware=[Middleware(SessionMiddleware, secret_key="bench-only-session-secret")],
    )


async def call(
    app: Starlette, path: str, query: str = "", cookie: str = ""
) -> tuple[int, bytes, dict[bytes, bytes]]:
    """One GET through the ASGI app, in process."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": [(b"host", b"bench"), (b"cookie", cookie.encode())],
        "client": ("127.0.0.1", 1),
        "server": ("bench", 80),
    }
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app(scope, receive, send)
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], body, dict(start["headers"])


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
            started = time.perf_counter()
            await seed(runtime, slack, slack.team_id, args.incidents)
            seeded_s = time.perf_counter() - started
            app = bench_app(runtime)
            _, _, headers = await call(app, "/bench/sign-in", f"team={slack.team_id}")
            set_cookie = headers[b"set-cookie"].decode()
            cookie = set_cookie.split(";", 1)[0]

            today = clock().date()
            scenarios = {
                "first_page": "",
                "deep_page": f"below={args.incidents // 2}",
                "page_back": f"above={args.incidents // 2}",
                "open_sev1": "status=open&severity=SEV1",
                "resolved": "status=resolved",
                "date_range": f"from={today - timedelta(days=90)}&to={today - timedelta(days=30)}",
                "words_common": "q=checkout",
                "words_two": "q=payments+queue",
                "words_rare": f"q={RARE}",
            }
            results: dict[str, Any] = {}
            for name, query in scenarios.items():
                begun = time.perf_counter()
                status, body, _ = await call(app, "/ui", query, cookie)
                cold = (time.perf_counter() - begun) * 1000
                assert status == 200, (name, status, body[:300])
                samples = []
                for _ in range(args.rounds):
                    begun = time.perf_counter()
                    status, body, _ = await call(app, "/ui", query, cookie)
                    samples.append((time.perf_counter() - begun) * 1000)
                results[name] = {
                    "rows": body.count(b'<th scope="row"><a href="/ui/incidents/'),
                    "cold_ms": round(cold, 2),
                    **{f"{k}_ms": v for k, v in percentiles(samples).items() if k != "p99"},
                }
        finally:
            await runtime.close()
    return {
        "python": platform.python_version(),
        "database": url.split(":", 1)[0],
        "incidents": args.incidents,
        "private": args.incidents // 10,
        "rounds": args.rounds,
        "slack_latency_ms": args.slack_latency_ms,
        "seed_s": round(seeded_s, 1),
        "pages": results,
        "goal_ms": 100,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=50)
    parser.add_argument("--slack-latency-ms", type=float, default=20.0)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        url = args.database_url or f"sqlite+aiosqlite:///{Path(scratch) / 'ui.db'}"
        upgrade(url)  # runs its own event loop
        print(json.dumps(asyncio.run(run(args, url)), indent=2))


if __name__ == "__main__":
    main()
