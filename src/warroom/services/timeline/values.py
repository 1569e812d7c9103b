"""What the timeline service gives back: outcomes of capture and marking. Messages,
entries, pages and Slack times are the domain's (`warroom.domain.timeline`)."""

from __future__ import annotations

from dataclasses import dataclass

from warroom.domain.incident import Incident

__all__ = [
    "HIDDEN",
    "PAGE_SIZE",
    "REACTION_SOURCE",
    "RECORDED_REACTION",
    "Added",
    "Captured",
    "Hidden",
    "Marked",
]

PAGE_SIZE = 20
REACTION_SOURCE = "reaction:"
"""A highlight source that is a person's 📌: "reaction:<user id>"."""
RECORDED_REACTION = "white_check_mark"
"""Warroom's own reaction on a war-room message that a 📌 put on the timeline: "recorded"."""


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
    changed: bool
    """Whether this call turned the entry's highlight on or off (a retried event, or a
    second 📌, changes nothing)."""


@dataclass(frozen=True)
class Added:
    """A message put on a timeline with the shortcut (`incident` is where it is)."""

    incident: Incident
    highlighted: bool


@dataclass(frozen=True)
class Hidden:
    """The message is on an incident the user may not see: nothing written, nothing named."""


HIDDEN = Hidden()
