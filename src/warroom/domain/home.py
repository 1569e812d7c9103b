"""The App Home tab as one person sees it: only incidents they may see, and how many
more there are beyond what fits (Slack takes 100 blocks in a Home view)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from warroom.domain.action_item import ActionItem
from warroom.domain.incident import Incident

__all__ = [
    "ITEMS_SHOWN",
    "OPEN_SHOWN",
    "RESOLVED_SHOWN",
    "ROLES_SHOWN",
    "HeldRole",
    "HomeTab",
    "OwnedItem",
]

OPEN_SHOWN = 25
"""Open incidents listed, one block each."""
ITEMS_SHOWN = 10
"""Open action items listed, two blocks each (the item, its Done / Won't do)."""
RESOLVED_SHOWN = 10
"""Incidents resolved in the last 7 days, one block each."""
ROLES_SHOWN = 20
"""Roles listed, as lines of one block."""


@dataclass(frozen=True)
class HeldRole:
    """A role the person holds now in an open incident they may see."""

    incident: Incident
    role: str


@dataclass(frozen=True)
class OwnedItem:
    """An open action item the person owns, and the incident it follows up."""

    incident: Incident
    item: ActionItem


@dataclass(frozen=True)
class HomeTab:
    """What `user_id`'s Home shows, and how many of each kind did not fit."""

    user_id: str
    open: tuple[Incident, ...] = ()
    open_more: int = 0
    roles: tuple[HeldRole, ...] = ()
    roles_more: int = 0
    items: tuple[OwnedItem, ...] = ()
    items_more: int = 0
    resolved: tuple[Incident, ...] = ()
    resolved_more: int = 0
    now: datetime | None = None
