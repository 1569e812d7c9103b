"""What the web pages under `/ui` ask for and get: the incident list's filter and one
page of it, an incident as its page shows it, and a week of figures.

Pure values. Who may see what is decided before any of these is built
(`warroom.services.dashboard`): a private incident someone is not in is never in a
page, a count, or a cursor they are given.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from warroom.domain.incident import Incident
from warroom.domain.postmortem_model import Postmortem
from warroom.domain.report import Report

__all__ = [
    "ALL",
    "LIST_STATUSES",
    "OPEN",
    "PAGE_SIZE",
    "RESOLVED",
    "IncidentFilter",
    "IncidentPage",
    "IncidentView",
    "PostedUpdate",
    "WeekFigures",
]

OPEN, RESOLVED, ALL = "open", "resolved", "all"
LIST_STATUSES = (ALL, OPEN, RESOLVED)
"""`open`: not resolved yet; `resolved`: resolved (cancelled ones too); `all`."""
PAGE_SIZE = 50


@dataclass(frozen=True)
class IncidentFilter:
    """Which incidents the list shows, newest (highest number) first."""

    status: str = ALL
    severities: tuple[str, ...] = ()
    """The policy's keys (`SEV1`); empty for every severity."""
    declared_from: datetime | None = None
    """Declared at or after this moment (UTC)."""
    declared_until: datetime | None = None
    """Declared before this moment (UTC)."""
    terms: tuple[str, ...] = ()
    """Every word must match (`finding.search_terms`), as `/incident find` matches."""


@dataclass(frozen=True)
class IncidentPage:
    """One page of the list. The cursors are incident numbers: `older` asks for the
    incidents numbered below it, `newer` for those above it; None: no such page."""

    incidents: tuple[Incident, ...]
    older: int | None
    newer: int | None


@dataclass(frozen=True)
class PostedUpdate:
    """A status update as it was posted: the four answers, who, when."""

    author_id: str
    status: str
    happening: str
    impact: str
    doing: str
    posted_at: datetime
    next_update_at: datetime | None
    due_at: datetime | None

    @property
    def late(self) -> bool:
        return self.due_at is not None and self.posted_at > self.due_at


@dataclass(frozen=True)
class IncidentView:
    """Everything an incident's page shows. `draft` is the postmortem drafted now from
    the store (key times, roles and handoffs, the key timeline, action items);
    `postmortem_markdown` is the draft Warroom last kept and posted, if any."""

    incident: Incident
    draft: Postmortem
    updates: tuple[PostedUpdate, ...]
    postmortem_markdown: str | None
    postmortem_drafted_at: datetime | None
    names: dict[str, str]


@dataclass(frozen=True)
class WeekFigures:
    """The report over one ISO week (Monday to Sunday in the organisation's zone)."""

    week: str
    """`2026-W05`"""
    monday: date
    report: Report
