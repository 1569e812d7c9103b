"""When the next status update is due, and when silence becomes a reminder or an escalation.

All of it follows the policy: the severity's cadence (slower once mitigated,
none at all for severities without updates), business hours for severities
that only nag during them, and the grace periods before the Incident
Commander and then the broadcast channel are told that an update is late.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from warroom.domain.policy import AT_CADENCE, Policy, SeverityLevel

__all__ = [
    "COMMANDER_ESCALATE",
    "COMMANDER_NAG",
    "UPDATE_BROADCAST",
    "UPDATE_DUE",
    "UPDATE_OVERDUE",
    "UPDATE_STAKEHOLDERS",
    "Step",
    "commander_repeat_interval",
    "commander_steps",
    "next_update_due",
    "update_interval",
    "update_repeat_interval",
    "update_steps",
]

UPDATE_DUE = "update_due"
UPDATE_OVERDUE = "update_overdue"
UPDATE_BROADCAST = "update_broadcast"
UPDATE_STAKEHOLDERS = "update_stakeholders"
COMMANDER_NAG = "commander_nag"
COMMANDER_ESCALATE = "commander_escalate"


@dataclass(frozen=True)
class Step:
    """One scheduled nudge: what kind, and when."""

    kind: str
    at: datetime


def _within_hours(policy: Policy, level: SeverityLevel, at: datetime) -> datetime:
    return policy.business_hours.next_open(at) if level.business_hours_only else at


def update_interval(policy: Policy, severity: str, status: str) -> timedelta | None:
    """How often stakeholders hear from us; None when no updates are expected."""
    if policy.status(status).terminal:
        return None
    level = policy.severity(severity)
    return level.update_every_when_mitigated if status == "mitigated" else level.update_every


def next_update_due(
    policy: Policy, severity: str, status: str, *, since: datetime
) -> datetime | None:
    """The next update is due one interval after `since` (the last update, or the
    declaration), moved to business hours where the severity asks for that."""
    interval = update_interval(policy, severity, status)
    if interval is None:
        return None
    level = policy.severity(severity)
    return _within_hours(policy, level, since + interval)


def update_steps(policy: Policy, severity: str, due: datetime) -> list[Step]:
    """The reminder at `due`, then (if nobody posts) the IC, then the broadcast channel,
    and with it the stakeholder channel where the severity keeps stakeholders told."""
    level = policy.severity(severity)
    steps = [Step(UPDATE_DUE, due)]
    if level.update_overdue_after is not None:
        overdue = _within_hours(policy, level, due + level.update_overdue_after)
        steps.append(Step(UPDATE_OVERDUE, overdue))
        if level.update_broadcast_after is not None:
            broadcast = _within_hours(policy, level, overdue + level.update_broadcast_after)
            steps.append(Step(UPDATE_BROADCAST, broadcast))
    if level.notify_stakeholders:
        steps.append(Step(UPDATE_STAKEHOLDERS, steps[-1].at))
    return steps


def commander_steps(policy: Policy, severity: str, *, declared_at: datetime) -> list[Step]:
    """Nag the room, then escalate, while the incident has no Incident Commander."""
    level = policy.severity(severity)
    steps = []
    if level.commander_nag_after is not None:
        steps.append(Step(COMMANDER_NAG, declared_at + level.commander_nag_after))
    if level.commander_escalate_after is not None:
        steps.append(Step(COMMANDER_ESCALATE, declared_at + level.commander_escalate_after))
    return steps


def update_repeat_interval(policy: Policy, severity: str, status: str) -> timedelta | None:
    """How long after a late-update ladder's first step the next one starts while the
    silence goes on; None: the ladder runs once."""
    cadence = update_interval(policy, severity, status)
    if cadence is None:
        return None
    return _repeat(policy.severity(severity).update_repeat_every, cadence)


def commander_repeat_interval(policy: Policy, severity: str, status: str) -> timedelta | None:
    """How often the nag and escalation run again while nobody takes the IC role."""
    level = policy.severity(severity)
    if level.commander_nag_after is None and level.commander_escalate_after is None:
        return None
    cadence = update_interval(policy, severity, status)
    return _repeat(level.commander_repeat_every, cadence)


def _repeat(setting: timedelta | None, cadence: timedelta | None) -> timedelta | None:
    return cadence if setting == AT_CADENCE else setting
