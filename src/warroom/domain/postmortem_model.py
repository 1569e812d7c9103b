"""The postmortem's data: the facts a caller passes in and the draft that comes out.

Plain frozen dataclasses, no behaviour beyond a lookup. They are built by
`warroom.domain.postmortem.draft_postmortem`; import them from there.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, tzinfo
from typing import Any

from warroom.domain.incident import Incident
from warroom.domain.policy import Policy

__all__ = [
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
]

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
    entries_total: int | None = None
    """Every entry on the timeline. A caller may pass in only the entries the draft shows
    (typed notes, automatic events, highlighted messages) and count the rest here;
    None: `entries` are all of them."""


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
