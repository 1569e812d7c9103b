"""The timeline's vocabulary: entry kinds, entries as shown, and Slack messages with
their times.

A message is keyed by Slack's (channel, ts); `ts` strings are exact times to the
microsecond, and `slack_time`/`slack_ts` convert them without rounding.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from warroom.domain.incident import Incident

__all__ = [
    "CAPTURED_KINDS",
    "DELETED_BY",
    "PENDING",
    "SLACK_FORMAT_KINDS",
    "TYPED_KINDS",
    "Cursor",
    "KeyPage",
    "SlackMessage",
    "TimelineItem",
    "slack_time",
    "slack_ts",
    "without_label",
]

PENDING = "pending"
"""A placeholder: something (a reaction) pointed at a message not stored yet."""
CAPTURED_KINDS = ("message", "file_share", "bot_message", PENDING)
TYPED_KINDS = ("note", "symptom", "hypothesis", "action", "result")
SLACK_FORMAT_KINDS = frozenset(CAPTURED_KINDS + TYPED_KINDS)
DELETED_BY = "deleted_by"
"""In `data` of a deleted entry: who deleted it, as far as Slack says (its author)."""


@dataclass(frozen=True)
class TimelineItem:
    """An entry as the rest of the code sees it."""

    id: int
    kind: str
    author_id: str | None
    text: str
    slack_format: bool
    """`text` is in Slack's format (show it with `mrkdwn.requote`), else plain."""
    occurred_at: datetime
    highlighted: bool
    edited_at: datetime | None
    deleted_at: datetime | None
    files: tuple[str, ...] = ()
    deleted_by: str | None = None


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def without_label(label: str, text: str) -> str:
    """An entry's text shown under its label, the label's word once: "Declared SEV1: …"
    under "Declared" reads "SEV1: …"."""
    if text[: len(label) + 1].lower() == f"{label.lower()} ":
        return text[len(label) + 1 :]
    return text


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
