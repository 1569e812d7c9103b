"""Follow-up work agreed during an incident: what, who, by when, and how it ended."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

__all__ = ["DONE", "OPEN", "STATES", "WONT_DO", "ActionItem", "Counts"]

OPEN, DONE, WONT_DO = "open", "done", "wont_do"
STATES = (OPEN, DONE, WONT_DO)


@dataclass(frozen=True)
class ActionItem:
    id: int
    incident_id: int
    text: str
    """Plain text, as the person typed it (escape it before it meets mrkdwn)."""
    owner_id: str | None
    due_on: date | None
    state: str
    reason: str | None
    created_by: str
    created_at: datetime
    closed_by: str | None
    closed_at: datetime | None

    @property
    def is_open(self) -> bool:
        return self.state == OPEN


@dataclass(frozen=True)
class Counts:
    open: int
    done: int
    wont_do: int

    @property
    def total(self) -> int:
        return self.open + self.done + self.wont_do
