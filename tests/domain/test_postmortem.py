"""The postmortem draft: golden files for a rich incident, then the edges one at a time."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import asdict, replace
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.golden import GOLDEN_DIR, assert_golden
from warroom.domain.incident import Incident
from warroom.domain.postmortem import (
    ActionItemFact,
    PostmortemInput,
    RoleSpan,
    TimelineFact,
    draft_postmortem,
    human_duration,
    plain_text,
    summary_facts,
)
from warroom.domain.postmortem_markdown import escape_markdown, format_time, render_markdown
from warroom.domain.postmortem_timeline import Names, describe
from warroom.policy_file import load_policy

POLICY = load_policy()
DAY = datetime(2026, 11, 23, tzinfo=UTC)
LA = ZoneInfo("America/Los_Angeles")
NAMES = {"UBOB": "bob", "UALICE": "alice", "UCAROL": "carol | ops"}


def at(hour: int, minute: int, second: int = 0) -> datetime:
    return DAY + timedelta(hours=hour, minutes=minute, seconds=second)


def fact(kind: str, author: str | None, text: str, when: datetime, **kw: Any) -> TimelineFact:
    return TimelineFact(kind, author, text, when, **kw)


def incident(**changes: Any) -> Incident:
    base = Incident(
        id=1,
        team_id="T1",
        number=42,
        title="Checkout returns 500s",
        impact="38% of checkouts fail",
        severity="SEV1",
        status="resolved",
        private=False,
        reporter_id="UREP",
        declared_at=at(2, 52, 10),
        started_at=at(2, 40),
        acknowledged_at=at(2, 55, 40),
        mitigated_at=at(4, 1),
        resolved_at=at(5, 7),
    )
    return replace(base, **changes)


def pm_input(**changes: Any) -> PostmortemInput:
    base = PostmortemInput(
        incident=incident(),
        policy=POLICY,
        entries=[],
        role_history=[],
        action_items=[],
        resolution=None,
        root_cause=None,
        drafted_at=at(5, 10),
    )
    return replace(base, **changes)


def rich_entries() -> list[TimelineFact]:
    def role(when: datetime, role: str, user: str, prev: str | None, by: str) -> TimelineFact:
        data = {"role": role, "user": user, "previous": prev, "by": by, "slack_format": True}
        return fact("role_changed", by, f"{role}: <@{user}>", when, data=data)

    def update(when: datetime, due: datetime, late: float | None, **data: Any) -> TimelineFact:
        data |= {"due_at": due.isoformat(), "late_by_s": late, "update_id": 1}
        return fact("status_update", "UEVE", data.pop("happening"), when, data=data)

    def changed(kind: str, when: datetime, old: str, new: str) -> TimelineFact:
        data = {"from": old, "to": new, "by": "UBOB"}
        return fact(kind, "UBOB", f"{kind} {old} → {new}", when, data=data)

    return [
        fact(
            "declared",
            "UREP",
            "Declared SEV2: Checkout returns 500s",
            at(2, 52, 10),
            data={"severity": "SEV2", "impact": "38% of checkouts fail", "private": False},
        ),
        fact("message", "UREP", "seeing 500s on /checkout since ~02:40", at(2, 53)),
        fact(
            "message",
            "UALICE",
            "Error rate 38% on checkout-api <https://grafana.example/d/abc|dashboard> &amp; rising",
            at(2, 54),
            highlighted=True,
        ),
        role(at(2, 55, 40), "commander", "UBOB", None, "UBOB"),
        fact("symptom", "UALICE", "p99 latency on payments-db is 4s", at(2, 57)),
        fact("hypothesis", "UALICE", "Connection pool exhausted after the 02:30 deploy", at(2, 58)),
        changed("severity_changed", at(3, 0), "SEV2", "SEV1"),
        role(at(3, 1), "ops_lead", "UALICE", None, "UBOB"),
        changed("status_changed", at(3, 2), "investigating", "identified"),
        fact("hypothesis", "UCAROL", "Retry storm from mobile clients", at(3, 5), deleted=True),
        fact(
            "hypothesis",
            "UDAN",
            "Pool size `max=20` too small for *peak* traffic, see <#C42|payments>",
            at(3, 10),
            edited=True,
        ),
        role(at(3, 15), "comms_lead", "UEVE", None, "UBOB"),
        update(
            at(3, 20),
            at(3, 22, 10),
            None,
            status="identified",
            happening="Checkout fails for a third of users",
            impact="38% of checkouts fail",
            doing="Rolling back | deploy 4121",
        ),
        role(at(3, 30), "commander", "UCAROL", "UBOB", "UBOB"),
        fact("message", "UBOB", "handing IC to carol, going on the rollback", at(3, 30)),
        fact(
            "reminder",
            None,
            "⏰ <@UEVE>, a status update is due",
            at(3, 50),
            data={"job": "update_due"},
        ),
        fact(
            "reminder_snoozed",
            "UEVE",
            "Status update reminder snoozed for 10 min",
            at(3, 51),
            data={"minutes": 10},
        ),
        changed("status_changed", at(4, 1), "identified", "mitigated"),
        fact("reminder", None, "⚠️ overdue", at(4, 1, 5), data={"job": "update_overdue"}),
        update(
            at(4, 5),
            at(4, 1),
            240.0,
            status="mitigated",
            happening="Rollback done; error rate falling",
            impact="A few retries still failing",
            doing="Watching the pool",
        ),
        fact("action", "UALICE", "Rolled back deploy 4121", at(4, 10)),
        fact("result", "UALICE", "Error rate back to 0.1%", at(4, 20)),
        fact(
            "file_share",
            "UDAN",
            "pool saturation",
            at(4, 30),
            highlighted=True,
            data={"files": ["pool.png"]},
        ),
        fact(
            "message", "UFRANK", "# it was bob's change", at(4, 40), highlighted=True, deleted=True
        ),
        fact("note", "UCAROL", "# customer comms sent\n- via status page | and email", at(4, 45)),
        update(
            at(4, 50),
            at(5, 5),
            None,
            status="mitigated",
            happening="Stable for 45 minutes",
            impact="None",
            doing="Preparing to resolve",
        ),
        changed("status_changed", at(5, 7), "mitigated", "resolved"),
    ]


def rich_input() -> PostmortemInput:
    return pm_input(
        entries=rich_entries(),
        role_history=[
            RoleSpan("commander", "UBOB", "UBOB", at(2, 55, 40), at(3, 30)),
            RoleSpan("commander", "UCAROL", "UBOB", at(3, 30), None),
            RoleSpan("ops_lead", "UALICE", "UBOB", at(3, 1), None),
            RoleSpan("comms_lead", "UEVE", "UBOB", at(3, 15), None),
        ],
        action_items=[
            ActionItemFact("Raise pool size and alert on saturation", "UDAN", date(2026, 12, 7)),
            ActionItemFact("Canary checkout-api deploys", "UALICE", date(2026, 11, 20)),
            ActionItemFact("Rollback runbook", None, None, "done"),
            ActionItemFact("Rewrite checkout", "UBOB", None, "wont_do", "Out of proportion"),
        ],
        resolution=(
            "Deploy 4121 shrank the payments-db connection pool; rolling it back restored "
            "checkout.\n\n# About 38% of checkouts failed for 69 minutes."
        ),
        root_cause="A config default changed in deploy 4121 | the pool fell from 100 to 20.",
    )


def jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, tzinfo):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value


def assert_golden_text(name: str, text: str) -> None:
    path = GOLDEN_DIR / name
    if os.environ.get("UPDATE_GOLDEN") == "1" or not path.exists():
        if os.environ.get("CI") and not path.exists():
            raise AssertionError(f"golden file {path} is missing; generate it with UPDATE_GOLDEN=1")
        path.write_text(text, encoding="utf-8")
    assert path.read_text(encoding="utf-8") == text, (
        f"{name} differs from {path}; if intended, rerun with UPDATE_GOLDEN=1"
    )


# -- the rich incident ----------------------------------------------------------------


def test_rich_draft_golden() -> None:
    pm = draft_postmortem(rich_input())
    assert_golden("postmortem_rich", jsonable(asdict(pm)))


def test_rich_markdown_golden() -> None:
    text = render_markdown(draft_postmortem(rich_input()), UTC, names=NAMES)
    assert_golden_text("postmortem_rich.md", text)


def test_rich_draft_in_brief() -> None:
    pm = draft_postmortem(rich_input())
    assert (pm.reference, pm.severity, pm.severity_label) == ("INC-42", "SEV1", "Critical")
    assert {d.key: d.text for d in pm.durations} == {
        "detect": "12 min",
        "acknowledge": "3 min",
        "mitigate": "1 h 08 min",
        "resolve": "2 h 14 min",
    }
    # chat messages only when highlighted; the rest of the entries all appear
    assert len(pm.timeline) == len(rich_entries()) - 2
    assert [line.label for line in pm.timeline][:3] == ["Declared", "Key message", "Role"]
    commander = pm.roles[0]
    assert [(t.user_id, t.previous, t.assigned_by) for t in commander.holders] == [
        ("UBOB", None, "UBOB"),
        ("UCAROL", "UBOB", "UBOB"),
    ]
    assert [r.role for r in pm.roles if not r.holders] == ["scribe"]
    assert [a.overdue for a in pm.action_items] == [False, True, False, False]
    assert summary_facts(pm) == [
        ("Severity", "SEV1 · Critical"),
        ("Time to resolve", "2 h 14 min"),
        ("Action items", "2 open of 4"),
        ("Late status updates", "1"),
    ]


def test_rich_markdown_structure() -> None:
    text = render_markdown(draft_postmortem(rich_input()), names=NAMES)
    headings = [line for line in text.splitlines() if line.startswith("#")]
    assert headings == [
        "# Postmortem: INC-42 — Checkout returns 500s",
        "## Summary",
        "## Key times",
        "## Roles",
        "## Timeline",
        "## Late status updates",
        "## Root cause",
        "### Five Whys",
        "## Contributing factors",
        "### People",
        "### Process",
        "### Technology",
        "### Environment",
        "## What went well",
        "## What went poorly",
        "## Action items",
        "## Lessons learned",
    ]
    # every table row has as many cells as its header: no user `|` leaked
    header_cells = 0
    for line in text.splitlines():
        if not line.startswith("|"):
            header_cells = 0
            continue
        cells = len(line.replace("\\|", "").split("|")) - 2
        header_cells = header_cells or cells
        assert cells == header_cells, line
    assert "@carol \\| ops" in text
    assert "| 2026-11-23 04:40:00 UTC | @UFRANK | **Key message** _(deleted)_ |" in text
    assert "bob's change" not in text


# -- durations, midnight and zones -------------------------------------------------------


@pytest.mark.parametrize(
    ("span", "text"),
    [
        (timedelta(hours=1, minutes=5), "1 h 05 min"),
        (timedelta(minutes=3, seconds=59), "3 min"),
        (timedelta(days=2, hours=4, minutes=30), "2 d 4 h"),
        (timedelta(days=3), "3 d"),
        (timedelta(hours=2), "2 h"),
        (timedelta(seconds=45), "45 s"),
        (timedelta(0), "0 s"),
        (90, "1 min"),
        (None, "—"),
        (timedelta(seconds=-5), "—"),
    ],
)
def test_human_duration(span: timedelta | int | None, text: str) -> None:
    assert human_duration(span) == text


def test_durations_across_midnight() -> None:
    late_night = incident(
        started_at=at(23, 30),
        declared_at=at(23, 50),
        acknowledged_at=at(23, 58),
        mitigated_at=at(24, 20),
        resolved_at=at(24, 40),
    )
    pm = draft_postmortem(pm_input(incident=late_night, drafted_at=at(25, 0)))
    assert {d.key: d.text for d in pm.durations} == {
        "detect": "20 min",
        "acknowledge": "8 min",
        "mitigate": "30 min",
        "resolve": "50 min",
    }
    text = render_markdown(pm)
    assert "| Declared | 2026-11-23 23:50 UTC |" in text
    assert "| Resolved | 2026-11-24 00:40 UTC |" in text


def test_durations_across_a_dst_change_in_a_local_zone() -> None:
    # 2026-11-01: Los Angeles falls back from PDT (UTC-7) to PST (UTC-8) at 02:00 local.
    declared = datetime(2026, 11, 1, 0, 30, tzinfo=LA)  # 07:30 UTC
    resolved = datetime(2026, 11, 1, 2, 30, tzinfo=LA)  # 10:30 UTC: three hours later
    assert resolved - declared == timedelta(hours=2)  # Python's same-zone arithmetic is naive
    ack = datetime(2026, 11, 1, 1, 10, tzinfo=LA)
    mitigated = datetime(2026, 11, 1, 1, 40, fold=1, tzinfo=LA)  # the second 01:40 (PST)
    local = incident(
        started_at=None,
        declared_at=declared,
        acknowledged_at=ack,
        mitigated_at=mitigated,
        resolved_at=resolved,
    )
    entries = [
        fact("declared", "UREP", "Declared", declared),
        fact("note", "UBOB", "after the change", mitigated),
        fact("note", "UBOB", "before the change", datetime(2026, 11, 1, 1, 40, tzinfo=LA)),
    ]
    pm = draft_postmortem(pm_input(incident=local, entries=entries, drafted_at=resolved, zone=LA))
    assert {d.key: d.text for d in pm.durations} == {
        "acknowledge": "40 min",
        "mitigate": "2 h 10 min",
        "resolve": "3 h",
    }
    assert [line.text for line in pm.timeline] == [
        "Declared",
        "before the change",
        "after the change",
    ]
    assert all(line.at.tzinfo is UTC for line in pm.timeline)
    text = render_markdown(pm)  # the draft's zone
    assert "| Declared | 2026-11-01 00:30 PDT |" in text
    assert "| Mitigated | 2026-11-01 01:40 PST |" in text
    assert "| Resolved | 2026-11-01 02:30 PST |" in text
    assert (
        "Times are in America/Los_Angeles (PDT, UTC-07:00; PST, UTC-08:00 after the clocks "
        "changed)." in text
    )
    assert "| 2026-11-01 01:40:00 PDT | @UBOB | **Note** before the change |" in text
    assert "| Resolved | 2026-11-01 10:30 UTC |" in render_markdown(pm, UTC)


def test_times_in_zones_without_an_abbreviation() -> None:
    moment = datetime(2026, 11, 23, 3, 4, tzinfo=UTC)
    assert format_time(moment, ZoneInfo("America/Sao_Paulo")) == "2026-11-23 00:04 UTC-03:00"
    assert format_time(moment, ZoneInfo("Asia/Kolkata")) == "2026-11-23 08:34 IST"
    assert format_time(moment, UTC, seconds=True) == "2026-11-23 03:04:00 UTC"
    assert format_time(None, UTC) == "—"


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="no time zone"):
        draft_postmortem(pm_input(entries=[fact("note", "U1", "x", datetime(2026, 1, 1))]))


# -- late updates, Five Whys, deleted and edited entries ----------------------------------


def test_late_updates_are_listed_with_how_late() -> None:
    def update(when: datetime, **data: Any) -> TimelineFact:
        return fact("status_update", "UEVE", "gist", when, data={"status": "identified", **data})

    entries = [
        update(at(3, 20), due_at=at(3, 22).isoformat(), late_by_s=None),
        update(at(4, 5), due_at=at(3, 50).isoformat(), late_by_s=900.4),
        update(at(5, 30), due_at=None, late_by_s=3_900),  # no due time kept: derived
        update(
            at(6, 0),
            due_at=at(
                5,
                59,
                59,
            ).isoformat(),
            late_by_s=0.6,
        ),  # under a second
        update(at(7, 0), due_at=at(6, 30).isoformat()),  # older entries: no late_by_s, derived
    ]
    pm = draft_postmortem(pm_input(entries=entries))
    assert [(u.at, u.due_at, u.late_by_s, u.late_by) for u in pm.late_updates] == [
        (at(4, 5), at(3, 50), 900, "15 min"),
        (at(5, 30), at(4, 25), 3_900, "1 h 05 min"),
        (at(7, 0), at(6, 30), 1_800, "30 min"),
    ]
    assert pm.timeline[1].text == "Identified: gist (late by 15 min)"
    assert dict(summary_facts(pm))["Late status updates"] == "3"
    assert pm.went_poorly.hints[-1] == "3 of 5 status updates went out late (at worst 1 h 05 min)."
    text = render_markdown(pm)
    assert "| 2026-11-23 04:05 UTC | @UEVE | 2026-11-23 03:50 UTC | 15 min |" in text


def test_on_time_updates() -> None:
    update = fact("status_update", "UEVE", "gist", at(3, 0), data={"late_by_s": None})
    pm = draft_postmortem(pm_input(entries=[update]))
    assert pm.late_updates == ()
    assert pm.timeline[0].text == "gist"  # no status kept: the gist alone
    assert "All 1 status updates went out on time." in pm.went_well.hints
    assert "Every status update (1) went out on time." in render_markdown(pm)


def test_hypotheses_seed_the_five_whys() -> None:
    entries = [
        fact("hypothesis", f"U{n}", f"cause {n}", at(3, n), deleted=n == 2, edited=n == 3)
        for n in range(1, 8)
    ]
    pm = draft_postmortem(pm_input(entries=entries))
    assert [w.candidate for w in pm.five_whys] == [f"cause {n}" for n in (1, 3, 4, 5, 6, 7)]
    assert pm.five_whys[0].author_id == "U1" and pm.five_whys[0].at == at(3, 1)
    text = render_markdown(pm)
    assert "1. **Why?** cause 1 — _hypothesis by @U1, 2026-11-23 03:01 UTC_" in text
    assert "6. **Why?** cause 7 — _hypothesis by @U7, 2026-11-23 03:07 UTC_" in text


def test_no_hypotheses_leave_five_empty_whys() -> None:
    pm = draft_postmortem(pm_input())
    assert [w.candidate for w in pm.five_whys] == [None] * 5
    text = render_markdown(pm)
    assert "5. **Why?** …" in text and "6. **Why?**" not in text


def test_deleted_and_edited_entries() -> None:
    entries = [
        fact("message", "U1", "plain chat", at(3, 0)),
        fact("message", "U1", "deleted chat", at(3, 1), deleted=True),
        fact("message", "U2", "secret token abc", at(3, 2), highlighted=True, deleted=True),
        fact("message", "U3", "fixed <@U4|dan>", at(3, 3), highlighted=True, edited=True),
        fact("note", "U3", "typed then deleted", at(3, 4), deleted=True),
        fact("pending", None, "", at(3, 5), highlighted=True),
    ]
    pm = draft_postmortem(pm_input(entries=entries))
    assert [(line.kind, line.text, line.deleted, line.edited) for line in pm.timeline] == [
        ("message", "", True, False),
        ("message", "fixed <@U4>", False, True),
        ("note", "", True, False),
    ]
    assert pm.entries_total == 6
    text = render_markdown(pm, names={"U4": "dan"})
    assert "**Key message** _(deleted)_" in text
    assert "**Key message** fixed @dan _(edited)_" in text
    assert "**Note** _(deleted)_" in text
    assert "secret token" not in text and "plain chat" not in text


def test_missing_times_and_empty_incident() -> None:
    open_incident = incident(
        started_at=None, acknowledged_at=None, mitigated_at=None, resolved_at=None,
        status="investigating",
    )  # fmt: skip
    pm = draft_postmortem(pm_input(incident=open_incident))
    assert [(d.key, d.seconds, d.text) for d in pm.durations] == [
        ("acknowledge", None, "—"),
        ("mitigate", None, "—"),
        ("resolve", None, "—"),
    ]
    assert pm.timeline == () and pm.late_updates == () and pm.action_items == ()
    assert not pm.summary_given and not pm.root_cause_given
    assert all(not r.holders for r in pm.roles)
    assert pm.went_poorly.hints == ("No Incident Commander was assigned.",)
    assert summary_facts(pm) == [
        ("Severity", "SEV1 · Critical"),
        ("Time to resolve", "—"),
        ("Action items", "none yet"),
        ("Late status updates", "0"),
    ]
    text = render_markdown(pm)
    assert "| Started | — (not reported) |" in text
    assert "| First Incident Commander | — (not assigned) |" in text
    assert "| Resolved | — (not resolved yet) |" in text
    assert "_Time to detect needs the start time; add it if you know it._" in text
    assert "_Nothing was recorded._" in text
    assert "No status updates were posted." in text
    assert "| Incident Commander | _nobody_ | — | — | — |" in text


def test_first_ic_falls_back_to_role_history_and_current_roles() -> None:
    from warroom.domain.incident import RoleHolder

    spans = [RoleSpan("commander", "UBOB", "UREP", at(3, 0))]
    pm = draft_postmortem(pm_input(incident=incident(acknowledged_at=None), role_history=spans))
    assert pm.key_times[2].at == at(3, 0)
    held = incident(roles=(RoleHolder("scribe", "USAM", "UBOB", at(3, 3)),))
    pm = draft_postmortem(pm_input(incident=held))
    assert [(r.role, [t.user_id for t in r.holders]) for r in pm.roles][-1] == ("scribe", ["USAM"])


def test_slow_commander_is_a_poorly_hint() -> None:
    pm = draft_postmortem(pm_input(incident=incident(acknowledged_at=at(3, 10))))
    assert pm.went_poorly.hints == (
        "An Incident Commander took charge 17 min after the declaration; "
        "the policy asks for one within 5 min.",
    )


def test_unknown_severity_and_kinds_still_draft() -> None:
    entries = [fact("resolved_by_bot", None, "done <@U1>", at(5, 0), data={"slack_format": True})]
    pm = draft_postmortem(pm_input(incident=incident(severity="SEV9"), entries=entries))
    assert pm.severity_label == "SEV9"
    assert (pm.timeline[0].label, pm.timeline[0].text) == ("Resolved by bot", "done <@U1>")


# -- user text in Markdown ------------------------------------------------------------------


def test_plain_text_from_slack() -> None:
    assert plain_text("<@U1|al> see <#C1|ops> <!here> <https://x.io|docs> <https://y.io>") == (
        "<@U1> see #ops @here docs (https://x.io) https://y.io"
    )
    assert plain_text("a &lt;b&gt; &amp;amp; <mailto:a@b.c|a@b.c>") == "a <b> &amp; a@b.c"


def test_escape_markdown() -> None:
    assert escape_markdown("a|b *c* `d` [e](f) <script> ~g~ \\") == (
        "a\\|b \\*c\\* \\`d\\` \\[e\\](f) \\<script\\> \\~g\\~ \\\\"
    )
    assert escape_markdown("snake_case _em_ &amp; R&D") == "snake_case \\_em\\_ \\&amp; R&D"


def test_user_text_cannot_break_the_structure() -> None:
    hostile = "# Title\n> quote\n- item\n1. one\n    code\n| a | b |\n<img src=x onerror=1>"
    as_slack_sends_it = hostile.replace("<", "&lt;").replace(">", "&gt;")
    pm = draft_postmortem(
        pm_input(
            incident=incident(title="## fake | heading", impact="a | b\nc"),
            entries=[fact("note", "U1", as_slack_sends_it, at(3, 0))],
            action_items=[ActionItemFact("fix | it\n# now", "U1", None, "wont_do", "no | way")],
            resolution=hostile,
            root_cause=hostile,
        )
    )
    text = render_markdown(pm, names={"U1": "<b>x</b> | y"})
    lines = text.splitlines()
    assert lines[0] == "# Postmortem: INC-42 — ## fake \\| heading"
    assert re.search(r"(?<!\\)<(?!br>)", text) is None  # the only HTML is our own <br>
    summary = lines[lines.index("## Summary") + 2 : lines.index("## Summary") + 9]
    assert summary == [
        "\\# Title",
        "\\> quote",
        "\\- item",
        "1\\. one",
        "code",
        "\\| a \\| b \\|",
        "\\<img src=x onerror=1\\>",
    ]
    assert "| Impact | a \\| b<br>c |" in text
    assert (
        "**Note** # Title<br>\\> quote<br>- item<br>1. one<br>code<br>\\| a \\| b \\|<br>"
        "\\<img src=x onerror=1\\>" in text
    )
    assert (
        "| 1 | fix \\| it<br># now | @\\<b\\>x\\</b\\> \\| y | — | Won't do: no \\| way |" in text
    )


def test_timeline_rows_say_each_word_once_and_carry_no_slack_markup() -> None:
    names = Names(POLICY)
    declared = fact("declared", "UREP", "Declared SEV1: Checkout down", at(2, 0))
    assert describe(declared, names) == ("Declared", "SEV1: Checkout down")
    linked = fact(
        "duplicate_linked",
        "UCHI",
        "🔗 *INC-2* “Payments” (<#C4>) was declared for the same problem …",
        at(3, 0),
        data={"duplicate": "INC-2"},
    )
    assert describe(linked, names) == (
        "Duplicate linked",
        "INC-2 was declared for the same problem and closed as a duplicate",
    )
