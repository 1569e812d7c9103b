"""The postmortem draft: a pure function from an incident's facts to a blameless document.

The caller (a service) loads the incident, its timeline, role history and action
items and passes them in as plain values; `draft_postmortem` returns a frozen
`Postmortem`, `summary_facts` the few lines a Slack summary shows, and
`warroom.domain.postmortem_markdown.render_markdown` the whole document. No
Slack, no database, no clock: `drafted_at` and the zone are inputs too.

Text in a `Postmortem` is plain (Slack's `&amp;`, links and channel names are
undone); a person inside text is written `<@U123>`, so a renderer can name them.
All times in it are aware UTC; durations are measured in UTC, so an incident
that spans midnight or a daylight-saving change measures what the clock did.

This module assembles the draft; the pieces live beside it: the dataclasses in
`postmortem_model`, times and durations in `postmortem_time`, how a timeline
entry reads in `postmortem_timeline`, the prompts, blameless note and hints in
`postmortem_prompts`. Import everything from here.
"""

from __future__ import annotations

from warroom.domain.policy import COMMANDER
from warroom.domain.postmortem_model import (
    ActionItem,
    ActionItemFact,
    Duration,
    KeyTime,
    LateUpdate,
    Postmortem,
    PostmortemInput,
    Prompt,
    RoleRecord,
    RoleSpan,
    Tenure,
    TimelineFact,
    TimelineLine,
    Why,
)
from warroom.domain.postmortem_prompts import (
    BLAMELESS_NOTE,
    FACTORS,
    LESSONS,
    ROOT_CAUSE_PROMPT,
    SUMMARY_PROMPT,
    WENT_POORLY,
    WENT_WELL,
    process_hints,
)
from warroom.domain.postmortem_time import (
    MISSING,
    as_utc,
    as_utc_or_none,
    human_duration,
    seconds_between,
)
from warroom.domain.postmortem_timeline import (
    CHAT_KINDS,
    TYPED_KINDS,
    Names,
    describe,
    late_by,
    plain_text,
)

__all__ = [
    "CHAT_KINDS",
    "MISSING",
    "TYPED_KINDS",
    "ActionItem",
    "ActionItemFact",
    "Duration",
    "KeyTime",
    "LateUpdate",
    "Postmortem",
    "PostmortemInput",
    "Prompt",
    "RoleRecord",
    "RoleSpan",
    "Tenure",
    "TimelineFact",
    "TimelineLine",
    "Why",
    "draft_postmortem",
    "human_duration",
    "plain_text",
    "summary_facts",
]

WHYS = 5
_STATES = {"open": "Open", "done": "Done", "wont_do": "Won't do"}


def _roles(data: PostmortemInput) -> tuple[RoleRecord, ...]:
    spans = list(data.role_history) or [
        RoleSpan(h.role, h.user_id, h.assigned_by, h.assigned_at) for h in data.incident.roles
    ]
    by_role: dict[str, list[RoleSpan]] = {r.key: [] for r in data.policy.roles}
    for span in spans:
        by_role.setdefault(span.role, []).append(span)
    names = {r.key: r.name for r in data.policy.roles}
    records = []
    for role, held in by_role.items():
        held.sort(key=lambda s: as_utc(s.assigned_at, "assigned_at"))
        tenures: list[Tenure] = []
        previous: str | None = None
        for span in held:
            tenures.append(
                Tenure(
                    user_id=span.user_id,
                    assigned_by=span.assigned_by,
                    assigned_at=as_utc(span.assigned_at, "assigned_at"),
                    ended_at=as_utc_or_none(span.ended_at, "ended_at"),
                    previous=previous,
                )
            )
            previous = span.user_id
        records.append(RoleRecord(role, names.get(role, role), tuple(tenures)))
    return tuple(records)


def draft_postmortem(data: PostmortemInput) -> Postmortem:
    """The blameless postmortem draft for `data`; ValueError on a naive datetime."""
    incident, policy, names = data.incident, data.policy, Names(data.policy)
    drafted_at = as_utc(data.drafted_at, "drafted_at")
    roles = _roles(data)
    commanders = [t.assigned_at for r in roles if r.role == COMMANDER for t in r.holders]
    started = as_utc_or_none(incident.started_at, "started_at")
    declared = as_utc(incident.declared_at, "declared_at")
    acknowledged = as_utc_or_none(incident.acknowledged_at, "acknowledged_at") or min(
        commanders, default=None
    )
    mitigated = as_utc_or_none(incident.mitigated_at, "mitigated_at")
    resolved = as_utc_or_none(incident.resolved_at, "resolved_at")
    key_times = (
        KeyTime("started", "Started", started),
        KeyTime("declared", "Declared", declared),
        KeyTime("acknowledged", "First Incident Commander", acknowledged),
        KeyTime("mitigated", "Mitigated", mitigated),
        KeyTime("resolved", "Resolved", resolved),
    )
    at = {k.key: k.at for k in key_times}
    measures = [
        ("detect", "Time to detect", "started", "declared"),
        ("acknowledge", "Time to acknowledge", "declared", "acknowledged"),
        ("mitigate", "Time to mitigate", "declared", "mitigated"),
        ("resolve", "Time to resolve", "declared", "resolved"),
    ]
    durations = tuple(
        Duration(key, label, since, until, s, human_duration(s))
        for key, label, since, until in measures
        if key != "detect" or started is not None
        for s in [seconds_between(at[since], at[until])]
    )

    ordered = sorted(
        ((as_utc(f.occurred_at, "occurred_at"), f) for f in data.entries), key=lambda p: p[0]
    )
    timeline: list[TimelineLine] = []
    late: list[LateUpdate] = []
    whys: list[Why] = []
    updates = reminders = 0
    for when, fact in ordered:
        kind = fact.kind
        if kind == "pending" or (kind in CHAT_KINDS and not fact.highlighted):
            continue
        label, text = describe(fact, names)
        if kind == "status_update":
            updates += 1
            lateness = late_by(fact, when)
            if lateness is not None:
                seconds, due = lateness
                late.append(LateUpdate(when, fact.author_id, due, seconds, human_duration(seconds)))
                text += f" (late by {human_duration(seconds)})"
        elif kind == "reminder":
            reminders += 1
        elif kind == "hypothesis" and not fact.deleted and text:
            whys.append(Why(text, fact.author_id, when))
        timeline.append(
            TimelineLine(
                at=when,
                kind=kind,
                label=label,
                author_id=fact.author_id,
                text="" if fact.deleted else text,
                highlighted=fact.highlighted,
                edited=fact.edited,
                deleted=fact.deleted,
            )
        )
    whys += [Why(None)] * (WHYS - len(whys))

    resolution = (data.resolution or "").strip()
    root_cause = (data.root_cause or "").strip()
    today = drafted_at.astimezone(data.zone).date()
    level = next((s for s in policy.severities if s.key == incident.severity), None)
    well, poorly = process_hints(
        acknowledged=seconds_between(declared, acknowledged),
        nag=level.commander_nag_after if level else None,
        updates=updates,
        late=late,
        reminders=reminders,
    )
    return Postmortem(
        reference=incident.reference,
        title=incident.title,
        status=incident.status,
        status_label=names.status.get(incident.status, incident.status),
        private=incident.private,
        reporter_id=incident.reporter_id,
        severity=incident.severity,
        severity_label=level.label if level else incident.severity,
        impact=incident.impact,
        summary=resolution or SUMMARY_PROMPT,
        summary_given=bool(resolution),
        key_times=key_times,
        durations=durations,
        roles=roles,
        timeline=tuple(timeline),
        entries_total=len(data.entries) if data.entries_total is None else data.entries_total,
        status_updates=updates,
        late_updates=tuple(late),
        root_cause=root_cause or ROOT_CAUSE_PROMPT,
        root_cause_given=bool(root_cause),
        five_whys=tuple(whys),
        contributing_factors=tuple(Prompt(k, t, p) for k, t, p in FACTORS),
        went_well=Prompt("went_well", "What went well", WENT_WELL, well),
        went_poorly=Prompt("went_poorly", "What went poorly", WENT_POORLY, poorly),
        action_items=tuple(
            ActionItem(
                text=item.text.strip(),
                owner_id=item.owner_id,
                due=item.due,
                state=item.state,
                state_label=_STATES.get(item.state, item.state),
                reason=item.reason,
                overdue=item.state == "open" and item.due is not None and item.due < today,
            )
            for item in data.action_items
        ),
        lessons_learned=Prompt("lessons_learned", "Lessons learned", LESSONS),
        blameless_note=BLAMELESS_NOTE,
        drafted_at=drafted_at,
        zone=data.zone,
    )


def summary_facts(pm: Postmortem) -> list[tuple[str, str]]:
    """(label, value) lines for a short summary, plain text: severity, time to resolve,
    action items open/total, late status updates."""
    resolve = pm.duration("resolve")
    items = len(pm.action_items)
    open_items = sum(1 for item in pm.action_items if item.state == "open")
    return [
        ("Severity", f"{pm.severity} · {pm.severity_label}"),
        ("Time to resolve", resolve.text if resolve else MISSING),
        ("Action items", f"{open_items} open of {items}" if items else "none yet"),
        ("Late status updates", str(len(pm.late_updates))),
    ]
