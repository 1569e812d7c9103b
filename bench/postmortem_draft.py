"""How long the postmortem draft takes for a long incident: draft + Markdown render.

Builds one incident with `--entries` timeline entries (default 10,000) spread over
a night that crosses midnight, in America/Los_Angeles: mostly chat (1 in 10
highlighted, a few edited or deleted), typed notes and hypotheses, role handoffs,
severity and status changes, a status update every 30 minutes (some late) and
reminders. Then times `draft_postmortem` + `render_markdown` over `--runs` runs
after one warm-up. `--all-key` makes every chat message highlighted, so every
entry lands on the postmortem timeline (the worst case for the render).

Prints one JSON object: draft / render / total milliseconds (p50, p95, max), the
timeline lines kept and the Markdown size. Goal: total ≤ 500 ms for 10,000 entries.

    .venv/bin/python bench/postmortem_draft.py
    .venv/bin/python bench/postmortem_draft.py --all-key
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import statistics
import time
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from stats import percentiles  # bench/stats.py, beside this script
from warroom.domain.incident import Incident
from warroom.domain.postmortem import (
    ActionItemFact,
    PostmortemInput,
    RoleSpan,
    TimelineFact,
    draft_postmortem,
)
from warroom.domain.postmortem_markdown import render_markdown
from warroom.policy_file import load_policy

PEOPLE = [f"UBENCH{n:04d}" for n in range(1, 13)]
TYPED = ("note", "symptom", "hypothesis", "action", "result")
TEXT = (
    "checked <https://grafana.example/d/abc|the dashboard>: p99 is still *4s* on "
    "payments-db &amp; the pool is at max=20, <@UBENCH0003> can you look | thanks"
)


def build(entries: int, *, all_key: bool) -> PostmortemInput:
    rng = random.Random(42)
    declared = datetime(2026, 11, 23, 22, 0, tzinfo=UTC)
    span = timedelta(hours=6)
    step = span / entries
    facts: list[TimelineFact] = []
    statuses = ["investigating", "identified", "mitigated"]
    for n in range(entries):
        at = declared + step * n
        author = rng.choice(PEOPLE)
        if n == 0:
            facts.append(TimelineFact("declared", author, "Declared SEV2: Checkout 500s", at))
        elif n % 500 == 0:
            facts.append(
                TimelineFact(
                    "status_update",
                    author,
                    "Checkout still failing for some users",
                    at,
                    data={
                        "status": "identified",
                        "impact": "Some checkouts fail",
                        "doing": "Rolling back",
                        "due_at": (at - timedelta(minutes=3)).isoformat(),
                        "late_by_s": 180.0 if n % 1000 == 0 else None,
                    },
                )
            )
        elif n % 1500 == 250:
            role = rng.choice(["commander", "ops_lead", "comms_lead", "scribe"])
            data = {"role": role, "user": author, "previous": None, "by": PEOPLE[0]}
            facts.append(TimelineFact("role_changed", PEOPLE[0], f"<@{author}>", at, data=data))
        elif n % 2500 == 125:
            old, new = statuses[n // 2500 % 3], statuses[(n // 2500 + 1) % 3]
            data = {"from": old, "to": new, "by": author}
            facts.append(TimelineFact("status_changed", author, f"{old} → {new}", at, data=data))
        elif n % 700 == 0:
            facts.append(TimelineFact("reminder", None, "due", at, data={"job": "update_due"}))
        elif n % 20 == 0:
            facts.append(TimelineFact(rng.choice(TYPED), author, TEXT, at))
        else:
            facts.append(
                TimelineFact(
                    "message",
                    author,
                    TEXT,
                    at,
                    highlighted=all_key or n % 10 == 1,
                    edited=n % 37 == 0,
                    deleted=n % 101 == 0,
                )
            )
    incident = Incident(
        id=1,
        team_id="T1",
        number=4242,
        title="Checkout returns 500s",
        impact="Some checkouts fail",
        severity="SEV2",
        status="resolved",
        private=False,
        reporter_id=PEOPLE[0],
        declared_at=declared,
        started_at=declared - timedelta(minutes=12),
        acknowledged_at=declared + timedelta(minutes=4),
        mitigated_at=declared + timedelta(hours=4, minutes=10),
        resolved_at=declared + span,
    )
    roles = [
        RoleSpan("commander", PEOPLE[n], PEOPLE[0], declared + timedelta(hours=n), None)
        for n in range(1, 4)
    ]
    items = [
        ActionItemFact(f"Follow-up {n}", PEOPLE[n], date(2026, 12, n + 1), "open")
        for n in range(10)
    ]
    return PostmortemInput(
        incident=incident,
        policy=load_policy(),
        entries=facts,
        role_history=roles,
        action_items=items,
        resolution="Rolled back deploy 4121.",
        root_cause=None,
        drafted_at=declared + span + timedelta(minutes=5),
        zone=ZoneInfo("America/Los_Angeles"),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--all-key", action="store_true", help="highlight every chat message")
    args = parser.parse_args()

    data = build(args.entries, all_key=args.all_key)
    names = {user: f"person-{n}" for n, user in enumerate(PEOPLE)}
    render_markdown(draft_postmortem(data), names=names)  # warm-up
    drafts, renders, totals = [], [], []
    markdown = ""
    pm = draft_postmortem(data)
    for _ in range(args.runs):
        started = time.perf_counter()
        pm = draft_postmortem(data)
        drafted = time.perf_counter()
        markdown = render_markdown(pm, names=names)
        done = time.perf_counter()
        drafts.append((drafted - started) * 1000)
        renders.append((done - drafted) * 1000)
        totals.append((done - started) * 1000)
    print(
        json.dumps(
            {
                "entries": args.entries,
                "all_key": args.all_key,
                "runs": args.runs,
                "timeline_lines": len(pm.timeline),
                "late_updates": len(pm.late_updates),
                "draft_ms": percentiles(drafts),
                "render_ms": percentiles(renders),
                "total_ms": percentiles(totals),
                "total_mean_ms": round(statistics.fmean(totals), 2),
                "markdown_bytes": len(markdown.encode("utf-8")),
                "markdown_lines": markdown.count("\n"),
                "goal_ms": 500,
                "python": platform.python_version(),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
