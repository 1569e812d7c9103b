"""The pinned incident card in the war room, and its action ids (stable: Slack stores them)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from warroom.domain.incident import Incident
from warroom.domain.policy import Policy
from warroom.slack import mrkdwn
from warroom.slack.blocks import kit
from warroom.slack.blocks.limits import (
    BUTTON_TEXT,
    HEADER_TEXT,
    OPTION_TEXT,
    SECTION_FIELD,
    SECTION_TEXT,
    clip,
)
from warroom.slack.blocks.text import status_shown, update_promise
from warroom.slack.message import Message

__all__ = [
    "CARD_BLOCK_ID",
    "REOPEN_ACTION",
    "RESOLVE_ACTION",
    "ROLE_ASSIGN_ACTION",
    "ROLE_HANDOFF_PREFIX",
    "ROLE_TAKE_PREFIX",
    "SEVERITY_ACTION",
    "STATUS_ACTION",
    "UPDATE_OPEN_ACTION",
    "incident_card",
    "role_take_action_id",
]

# The card's first block; a resumed setup finds an unrecorded card by it.
CARD_BLOCK_ID = "headline"
ROLE_TAKE_PREFIX = "role_take:"
ROLE_HANDOFF_PREFIX = "role_handoff:"
ROLE_ASSIGN_ACTION = "role_assign"
SEVERITY_ACTION = "severity_select"
STATUS_ACTION = "status_select"
UPDATE_OPEN_ACTION = "update_open"
RESOLVE_ACTION = "resolve_open"
REOPEN_ACTION = "incident_reopen"
IMPACT_SHOWN = 2900
RESOLUTION_SHOWN = 2000
ROOT_CAUSE_SHOWN = 500


def role_take_action_id(role_key: str) -> str:
    return f"{ROLE_TAKE_PREFIX}{role_key}"


def headline(incident: Incident) -> str:
    return f"{incident.reference}: {incident.title}"


def incident_card(incident: Incident, policy: Policy, *, now: datetime | None = None) -> Message:
    """`now` tells whether the promised update is late (without it, it is shown as due)."""
    level = policy.severity(incident.severity)
    fields = [
        f"*Severity*\n{level.key} · {mrkdwn.escape(level.label)}",
        f"*Status*\n{status_shown(incident, policy)}",
        f"*Reporter*\n{mrkdwn.user(incident.reporter_id)}",
        f"*Declared*\n{mrkdwn.date(incident.declared_at, zone=policy.zone)}",
    ]
    if incident.started_at is not None:
        fields.append(f"*Started*\n{mrkdwn.date(incident.started_at, zone=policy.zone)}")
    promise = update_promise(incident, now, policy.zone)
    if promise is not None:
        fields.append(f"*Next update*\n{promise}")
    blocks = [
        kit.header(
            clip(f"{_mark(incident)} {headline(incident)}", HEADER_TEXT), block_id=CARD_BLOCK_ID
        ),
        kit.section(block_id="facts", fields=[clip(f, SECTION_FIELD) for f in fields]),
        kit.section(
            f"*Impact*\n{mrkdwn.escape_within(incident.impact, IMPACT_SHOWN)}", block_id="impact"
        ),
    ]
    if incident.resolved_at is not None and incident.summary and incident.cancelled_at is None:
        cause = (
            f"\n*Root cause:* {mrkdwn.escape_within(incident.root_cause, ROOT_CAUSE_SHOWN)}"
            if incident.root_cause
            else ""
        )
        summary = mrkdwn.escape_within(incident.summary, RESOLUTION_SHOWN)
        blocks.append(
            kit.section(
                clip(f"*Resolution*\n{summary}{cause}", SECTION_TEXT), block_id="resolution"
            )
        )
    blocks.append(kit.divider())
    value = str(incident.id)
    for role in policy.roles:
        holder = incident.holder(role.key)
        who = mrkdwn.user(holder) if holder else "_unassigned_"
        button = (
            kit.button(f"{ROLE_HANDOFF_PREFIX}{role.key}", "Hand off", value=value)
            if holder
            else kit.button(
                role_take_action_id(role.key), clip(f"Take {role.short}", BUTTON_TEXT), value=value
            )
        )
        blocks.append(
            kit.section(
                clip(f"*{mrkdwn.escape(role.name)}*\n{who}", SECTION_TEXT),
                block_id=f"role:{role.key}",
                accessory=button,
            )
        )
    if incident.closed_at is None:
        over = incident.resolved_at is not None
        blocks.append(_after_resolution(incident) if over else _controls(incident, policy))
    notes = ["Every message in this channel lands on the incident timeline."]
    if incident.private:
        notes.insert(0, "🔒 Private incident: not announced.")
    blocks.append(kit.context(" ".join(notes)))
    text = f"{incident.reference} {level.key}: {mrkdwn.escape(incident.title)}"
    return Message(text=text, blocks=blocks)


def _mark(incident: Incident) -> str:
    if incident.cancelled_at is not None:
        return "🚫"
    return "✅" if incident.resolved_at else "🚨"


def _option(value: str, text: str) -> dict[str, Any]:
    return kit.option(value, clip(text, OPTION_TEXT))


def _controls(incident: Incident, policy: Policy) -> dict[str, Any]:
    """Severity and status pickers and the assign button. The block_id changes with
    the values so Slack shows the stored choice after an update, not a stale pick."""
    severities = [_option(s.key, f"{s.key} · {s.label}") for s in policy.severities]
    statuses = [_option(key, policy.status(key).label) for key in policy.settable_statuses()]
    current_severity = next(o for o in severities if o["value"] == incident.severity)
    current_status = next((o for o in statuses if o["value"] == incident.status), None)
    value = str(incident.id)
    return kit.actions(
        [
            kit.static_select(SEVERITY_ACTION, "Severity", severities, current_severity),
            kit.static_select(STATUS_ACTION, "Status", statuses, current_status),
            kit.button(UPDATE_OPEN_ACTION, "Post update", value=value, style="primary"),
            kit.button(ROLE_ASSIGN_ACTION, "Assign role…", value=value),
            kit.button(RESOLVE_ACTION, "Resolve", value=value),
        ],
        block_id=f"controls:{incident.severity}:{incident.status}",
    )


def _after_resolution(incident: Incident) -> dict[str, Any]:
    """A resolved incident can be reopened; a closed one offers nothing more."""
    return kit.actions(
        [kit.button(REOPEN_ACTION, "Reopen", value=str(incident.id))],
        block_id=f"controls:{incident.severity}:{incident.status}",
    )
