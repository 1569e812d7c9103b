"""The war-room channel topic: severity, status and IC at a glance."""

from __future__ import annotations

from warroom.domain.incident import Incident
from warroom.domain.policy import Policy
from warroom.slack import mrkdwn
from warroom.slack.blocks.limits import TOPIC, clip

__all__ = ["TOPIC_MAX", "channel_topic"]

TOPIC_MAX = TOPIC


def channel_topic(incident: Incident, policy: Policy) -> str:
    role = policy.commander_role
    commander = incident.holder(role.key)
    status = policy.status(incident.status).label
    head = (
        f"{incident.severity} · {status} · {role.short}: "
        f"{mrkdwn.user(commander) if commander else 'unassigned'} · "
    )
    title = mrkdwn.escape_within(incident.title, max(TOPIC_MAX - len(head), 1))
    return clip(head + title, TOPIC_MAX)
