"""What the timeline service takes and gives: Slack messages and times, outcomes, pages."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from warroom.domain.incident import Incident
from warroom.store.timeline import TimelineItem

__all__ = [
    "HIDDEN",
    "PAGE_SIZE",
    "Added",
    "Captured",
    "Cursor",
    "Hidden",
    "KeyPage",
    "Marked",
    "SlackMessage",
    "TimelineItem",
    "slack_time",
    "slack_ts",
]

PAGE_SIZE = 20
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def slack_time(ts: str) -> datetime:
    """Slack's "1700000000.000100" as an aware UTC time, exact to the microsecond."""
    seconds, _, fraction = ts.partition(".")
    micros = int((fraction + "000000")[:6])
    return _EPOCH + timedelta(seconds=int(seconds), microseconds=micros)


def slack_ts(moment: datetime) -> str:
    """The inverse of `slack_time`."""
    delta = moment - _EPOCH
    seconds = delta.days * 86_400 + delta.seconds
    return f"{seconds}.{delta.microseconds:06d}"


@dataclass(frozen=True)
class SlackMessage:
    """One version of a Slack message, text in Slack's format."""

    channel_id: str
    ts: str
    kind: str
    author_id: str | None
    text: str
    edited_ts: str | None = None
    data: Mapping[str, Any] = field(default_factory=dict)

    @property
    def version_ts(self) -> str:
        return self.edited_ts or self.ts


@dataclass(frozen=True)
class Captured:
    incident_id: int
    entry_id: int
    created: bool


@dataclass(frozen=True)
class Marked:
    incident_id: int
    entry_id: int
    highlighted: bool


@dataclass(frozen=True)
class Added:
    """A message put on a timeline with the shortcut (`incident` is where it is)."""

    incident: Incident
    highlighted: bool


@dataclass(frozen=True)
class Hidden:
    """The message is on an incident the user may not see: nothing written, nothing named."""


HIDDEN = Hidden()


@dataclass(frozen=True)
class Cursor:
    """Where an earlier page starts: before (occurred_at, entry id); `shown` newer ones."""

    incident_id: int
    occurred_at: datetime
    entry_id: int
    shown: int

    def encode(self) -> str:
        return f"{self.incident_id}:{slack_ts(self.occurred_at)}:{self.entry_id}:{self.shown}"

    @classmethod
    def decode(cls, value: str) -> Cursor | None:
        try:
            incident_id, ts, entry_id, shown = value.split(":")
            return cls(int(incident_id), slack_time(ts), int(entry_id), int(shown))
        except ValueError:
            return None


@dataclass(frozen=True)
class KeyPage:
    incident: Incident
    items: tuple[TimelineItem, ...]
    """Oldest first."""
    total: int
    newer: int
    """Key entries after the last item (shown on later pages)."""
    earlier: Cursor | None
