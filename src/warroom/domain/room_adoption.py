"""When a resumed setup may take a channel Slack already has as the incident's room.

A setup that died (or timed out) after asking Slack for a channel cannot tell
whether Slack made it. Taking the channel by name alone would let anyone who
pre-created that name, and invited Warroom, receive a private incident. So a
channel is adopted only when everything says Warroom itself made it for this
incident: it has the very name whose creation is in doubt, Warroom's bot user
created it, it was created after the declaration, and its privacy is the
incident's. After a refusal (`name_taken`) nothing is in doubt, so nothing is
adopted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from warroom.domain.incident import Incident

__all__ = ["CLOCK_SKEW", "ExistingChannel", "adoption_refusal"]

CLOCK_SKEW = timedelta(seconds=2)
"""Slack's `created` is whole seconds on Slack's clock; ours may differ slightly."""


@dataclass(frozen=True)
class ExistingChannel:
    """What Slack says about a channel: who made it, when, and who may see it."""

    id: str
    name: str
    creator: str
    created: datetime
    private: bool


def adoption_refusal(channel: ExistingChannel, incident: Incident, *, made_by: str) -> str | None:
    """Why `channel` must not become the incident's room (None: it may).

    `made_by` is Warroom's bot user id, the creator of every channel it makes.
    """
    if incident.pending_channel_name is None:
        return "no channel creation is in doubt"
    if channel.name != incident.pending_channel_name:
        return "not the name Warroom asked for"
    if channel.creator != made_by:
        return f"created by {channel.creator}, not by Warroom"
    if channel.created < incident.declared_at - CLOCK_SKEW:
        return "created before the incident was declared"
    if channel.private != incident.private:
        return "public, for a private incident" if incident.private else "private, for a public one"
    return None
