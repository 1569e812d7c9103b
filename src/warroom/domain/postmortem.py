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
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any

from warroom.domain.incident import Incident
from warroom.domain.policy import COMMANDER, Policy

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

CHAT_KINDS = frozenset({"message", "file_share", "bot_message", "pending"})
"""What people said in the room: on the postmortem timeline only when highlighted."""
TYPED_KINDS = ("note", "symptom", "hypothesis", "action", "result")
_SLACK_TEXT_KINDS = CHAT_KINDS | frozenset(TYPED_KINDS)
MISSING = "—"
WHYS = 5

# -- what the caller passes in ------------------------------------------------------


@dataclass(frozen=True)
class TimelineFact:
    """One timeline entry. `text` is in Slack's format for chat and typed kinds (and
    when `data["slack_format"]` is true), plain otherwise, as the store keeps it."""

    kind: str
    author_id: str | None
    text: str
    occurred_at: datetime
    highlighted: bool = False
    edited: bool = False
    deleted: bool = False
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RoleSpan:
    """One holder of one role, from `assigned_at` until `ended_at` (None: still holds it)."""

    role: str
    user_id: str
    assigned_by: str
    assigned_at: datetime
    ended_at: datetime | None = None


@dataclass(frozen=True)
class ActionItemFact:
    text: str
    owner_id: str | None = None
    due: date | None = None
    state: str = "open"  # open | done | wont_do
    reason: str | None = None  # why it won't be done


@dataclass(frozen=True)
class PostmortemInput:
    incident: Incident
    policy: Policy
    entries: Sequence[TimelineFact]
    role_history: Sequence[RoleSpan]
    action_items: Sequence[ActionItemFact]
    resolution: str | None
    root_cause: str | None
    drafted_at: datetime
    zone: tzinfo = UTC


# -- what the draft holds -----------------------------------------------------------


@dataclass(frozen=True)
class KeyTime:
    key: str  # started | declared | acknowledged | mitigated | resolved
    label: str
    at: datetime | None


@dataclass(frozen=True)
class Duration:
    key: str  # detect | acknowledge | mitigate | resolve
    label: str  # "Time to resolve"
    since: str  # KeyTime keys: where it is measured from ...
    until: str  # ... and to
    seconds: int | None  # None: one end is missing
    text: str  # "1 h 05 min", or "—"


@dataclass(frozen=True)
class Tenure:
    user_id: str
    assigned_by: str
    assigned_at: datetime
    ended_at: datetime | None
    previous: str | None  # the holder this one took over from: a handoff


@dataclass(frozen=True)
class RoleRecord:
    role: str
    name: str
    holders: tuple[Tenure, ...]  # in order; empty: nobody held it


@dataclass(frozen=True)
class TimelineLine:
    at: datetime
    kind: str
    label: str  # "Status", "Hypothesis", "Key message", ...
    author_id: str | None
    text: str  # "" when deleted
    highlighted: bool
    edited: bool
    deleted: bool


@dataclass(frozen=True)
class Why:
    """A line of the Five Whys; `candidate` is a hypothesis logged during the incident."""

    candidate: str | None
    author_id: str | None = None
    at: datetime | None = None


@dataclass(frozen=True)
class Prompt:
    key: str
    title: str
    prompt: str
    hints: tuple[str, ...] = ()  # facts from the timeline to start from


@dataclass(frozen=True)
class ActionItem:
    text: str
    owner_id: str | None
    due: date | None
    state: str
    state_label: str
    reason: str | None
    overdue: bool  # open and past its due date when drafted


@dataclass(frozen=True)
class LateUpdate:
    at: datetime
    author_id: str | None
    due_at: datetime | None
    late_by_s: int
    late_by: str


@dataclass(frozen=True)
class Postmortem:
    reference: str
    title: str
    status: str
    status_label: str
    private: bool
    reporter_id: str
    severity: str
    severity_label: str
    impact: str
    summary: str  # the resolution, or a prompt to write one
    summary_given: bool
    key_times: tuple[KeyTime, ...]
    durations: tuple[Duration, ...]  # time to detect only when the start is known
    roles: tuple[RoleRecord, ...]
    timeline: tuple[TimelineLine, ...]  # automatic events, typed notes, highlighted messages
    entries_total: int
    status_updates: int
    late_updates: tuple[LateUpdate, ...]
    root_cause: str  # as given, or a prompt
    root_cause_given: bool
    five_whys: tuple[Why, ...]
    contributing_factors: tuple[Prompt, ...]  # people, process, technology, environment
    went_well: Prompt
    went_poorly: Prompt
    action_items: tuple[ActionItem, ...]
    lessons_learned: Prompt
    blameless_note: str
    drafted_at: datetime
    zone: tzinfo

    def duration(self, key: str) -> Duration | None:
        return next((d for d in self.durations if d.key == key), None)


SUMMARY_PROMPT = (
    "Write two or three sentences: what happened, who was affected and for how long, "
    "and how service was restored."
)
ROOT_CAUSE_PROMPT = (
    "What conditions made this incident possible? Describe systems and decisions, not "
    "people. Work down from the impact with the Five Whys below."
)
BLAMELESS_NOTE = (
    "This postmortem is blameless. Everyone involved acted in good faith on the "
    "information, tools and time they had. Ask how the system (code, process, tooling, "
    "incentives) allowed this, not who caused it: write “the deploy removed the index”, "
    "not a person's name. People appear in the timeline for who did what, never for fault."
)
FACTORS = (
    ("people", "People", "Did responders have the knowledge, access, rest and help they "
     "needed? Where did handoffs, paging or on-call load make the work harder?"),
    ("process", "Process", "Which review, rollout, runbook or alerting step let this through, "
     "or slowed detection and response?"),
    ("technology", "Technology", "Which systems, dependencies, limits or missing safeguards "
     "contributed? What would have contained the blast radius?"),
    ("environment", "Environment", "What outside conditions played a part: traffic, vendors, "
     "time of day, concurrent changes or incidents?"),
)  # fmt: skip
WENT_WELL = "What helped? Tools, alerts, people or habits worth keeping."
WENT_POORLY = "What got in the way or cost time? Where were we lucky?"
LESSONS = (
    "What do we know now that we did not before? What would you tell a team facing the "
    "same alert tomorrow?"
)
_STATES = {"open": "Open", "done": "Done", "wont_do": "Won't do"}
_REMINDERS = {
    "update_due": "Status update due",
    "update_overdue": "Status update overdue; the Incident Commander was asked",
    "update_broadcast": "Status update overdue; the broadcast channel was told",
    "commander_nag": "No Incident Commander yet; the room was asked for one",
    "commander_escalate": "Still no Incident Commander; escalated in the broadcast channel",
}
_LABELS = {
    "declared": "Declared",
    "role_changed": "Role",
    "severity_changed": "Severity",
    "status_changed": "Status",
    "status_update": "Status update",
    "reminder": "Reminder",
    "reminder_snoozed": "Reminder snoozed",
    "message": "Key message",
    "file_share": "Key file",
    "bot_message": "Key bot message",
}


def human_duration(span: timedelta | int | None) -> str:
    """`1 h 05 min`, `3 min`, `45 s`, `2 d 4 h`; `—` for None. Whole units, rounded down."""
    if span is None:
        return MISSING
    total = int(span.total_seconds()) if isinstance(span, timedelta) else int(span)
    if total < 0:
        return MISSING
    days, rest = divmod(total, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes, seconds = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    if hours:
        return f"{hours} h {minutes:02d} min" if minutes else f"{hours} h"
    return f"{minutes} min" if minutes else f"{seconds} s"


def _utc(at: datetime, what: str) -> datetime:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"{what} {at!r} has no time zone; pass an aware datetime")
    return at.astimezone(UTC)


def _opt_utc(at: datetime | None, what: str) -> datetime | None:
    return None if at is None else _utc(at, what)


def _seconds(since: datetime | None, until: datetime | None) -> int | None:
    if since is None or until is None or until < since:
        return None
    return int((until - since).total_seconds())


_SLACK_MARKUP = re.compile(r"<([@#!]?)([^<>|]*)(?:\|([^<>]*))?>")


def plain_text(text: str) -> str:
    """Slack's format made plain: `<@U1|al>` → `<@U1>`, `<#C1|ops>` → `#ops`, `<!here>` →
    `@here`, `<https://x|docs>` → `docs (https://x)`, and `&amp;`, `&lt;`, `&gt;` undone."""

    def readable(match: re.Match[str]) -> str:
        sigil, target, label = match.groups()
        if sigil == "@":
            return f"<@{target}>"
        if sigil == "#":
            return f"#{label or target}"
        if sigil == "!":
            return label or f"@{target.split('^')[0]}"
        if label and label != target and not target.startswith("mailto:"):
            return f"{label} ({target})"
        return label or target

    if "<" in text:
        text = _SLACK_MARKUP.sub(readable, text)
    if "&" in text:
        text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return text


def _text_of(fact: TimelineFact) -> str:
    if fact.kind in _SLACK_TEXT_KINDS or fact.data.get("slack_format"):
        return plain_text(fact.text).strip()
    return fact.text.strip()


class _Names:
    """Policy labels by key, falling back to the key for values the policy no longer has."""

    def __init__(self, policy: Policy) -> None:
        self.severity = {s.key: s.label for s in policy.severities}
        self.status = {s.key: s.label for s in policy.statuses}
        self.role = {r.key: r.name for r in policy.roles}

    def sev(self, key: object) -> str:
        return f"{key} ({self.severity[key]})" if key in self.severity else str(key)


def _describe(fact: TimelineFact, names: _Names) -> tuple[str, str]:
    """(label, text) of an entry on the postmortem timeline."""
    kind, data = fact.kind, fact.data
    label = _LABELS.get(kind) or kind.replace("_", " ").capitalize()
    if kind == "role_changed" and data.get("role") and data.get("user"):
        role = str(data["role"])
        text = f"{names.role.get(role, role)}: <@{data['user']}>"
        if data.get("previous"):
            text += f" (took over from <@{data['previous']}>)"
        return label, text
    if kind == "severity_changed" and "from" in data and "to" in data:
        return label, f"{names.sev(data['from'])} → {names.sev(data['to'])}"
    if kind == "status_changed" and "from" in data and "to" in data:
        old, new = str(data["from"]), str(data["to"])
        return label, f"{names.status.get(old, old)} → {names.status.get(new, new)}"
    if kind == "status_update":
        status, gist = str(data.get("status") or ""), _text_of(fact)
        parts = [f"{names.status.get(status, status)}: {gist}" if status else gist]
        parts += [
            f"{name}: {str(data[key]).strip()}" for key, name in _UPDATE_PARTS if data.get(key)
        ]
        return label, " — ".join(p for p in parts if p)
    if kind == "reminder" and data.get("job") in _REMINDERS:
        return label, _REMINDERS[str(data["job"])]
    text = _text_of(fact)
    files = data.get("files") if kind == "file_share" else None
    if files:
        text = f"{text} (files: {', '.join(str(f) for f in files)})".lstrip()
    return label, text


_UPDATE_PARTS = (("impact", "Impact"), ("doing", "Doing"))


def _late_by(fact: TimelineFact, at: datetime) -> tuple[int, datetime | None] | None:
    """How late a status update was (whole seconds), and when it was due."""
    due: datetime | None = None
    raw_due = fact.data.get("due_at")
    if isinstance(raw_due, str):
        try:
            due = _utc(datetime.fromisoformat(raw_due), "due_at")
        except ValueError:
            due = None
    late = fact.data.get("late_by_s") if "late_by_s" in fact.data else _seconds(due, at)
    if not isinstance(late, int | float) or isinstance(late, bool) or late < 1:
        return None
    return int(late), due if due is not None else at - timedelta(seconds=int(late))


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
        held.sort(key=lambda s: _utc(s.assigned_at, "assigned_at"))
        tenures: list[Tenure] = []
        previous: str | None = None
        for span in held:
            tenures.append(
                Tenure(
                    user_id=span.user_id,
                    assigned_by=span.assigned_by,
                    assigned_at=_utc(span.assigned_at, "assigned_at"),
                    ended_at=_opt_utc(span.ended_at, "ended_at"),
                    previous=previous,
                )
            )
            previous = span.user_id
        records.append(RoleRecord(role, names.get(role, role), tuple(tenures)))
    return tuple(records)


def draft_postmortem(data: PostmortemInput) -> Postmortem:
    """The blameless postmortem draft for `data`; ValueError on a naive datetime."""
    incident, policy, names = data.incident, data.policy, _Names(data.policy)
    drafted_at = _utc(data.drafted_at, "drafted_at")
    roles = _roles(data)
    commanders = [t.assigned_at for r in roles if r.role == COMMANDER for t in r.holders]
    started = _opt_utc(incident.started_at, "started_at")
    declared = _utc(incident.declared_at, "declared_at")
    acknowledged = _opt_utc(incident.acknowledged_at, "acknowledged_at") or min(
        commanders, default=None
    )
    mitigated = _opt_utc(incident.mitigated_at, "mitigated_at")
    resolved = _opt_utc(incident.resolved_at, "resolved_at")
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
        for s in [_seconds(at[since], at[until])]
    )

    ordered = sorted(
        ((_utc(f.occurred_at, "occurred_at"), f) for f in data.entries), key=lambda p: p[0]
    )
    timeline: list[TimelineLine] = []
    late: list[LateUpdate] = []
    whys: list[Why] = []
    updates = reminders = 0
    for when, fact in ordered:
        kind = fact.kind
        if kind == "pending" or (kind in CHAT_KINDS and not fact.highlighted):
            continue
        label, text = _describe(fact, names)
        if kind == "status_update":
            updates += 1
            lateness = _late_by(fact, when)
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
    well, poorly = _hints(
        acknowledged=_seconds(declared, acknowledged),
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
        entries_total=len(data.entries),
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


def _hints(
    *,
    acknowledged: int | None,
    nag: timedelta | None,
    updates: int,
    late: list[LateUpdate],
    reminders: int,
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Facts to start "what went well / poorly" from; about the process, never a person."""
    well: list[str] = []
    poorly: list[str] = []
    took = human_duration(acknowledged)
    if acknowledged is None:
        poorly.append("No Incident Commander was assigned.")
    elif nag is not None and acknowledged > nag.total_seconds():
        poorly.append(
            f"An Incident Commander took charge {took} after the declaration; "
            f"the policy asks for one within {human_duration(nag)}."
        )
    else:
        well.append(f"An Incident Commander took charge {took} after the declaration.")
    if late:
        worst = human_duration(max(u.late_by_s for u in late))
        poorly.append(f"{len(late)} of {updates} status updates went out late (at worst {worst}).")
    elif updates:
        well.append(f"All {updates} status updates went out on time.")
    if reminders:
        poorly.append(f"Warroom sent {reminders} reminders or escalations.")
    return tuple(well), tuple(poorly)


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
