"""The pinned incident card in the war room, and its action ids (stable: Slack stores them)."""

from __future__ import annotations

from datetime import datetime

from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    Option,
    PlainTextObject,
    SectionBlock,
    StaticSelectElement,
)

from warroom.domain.incident import Incident
from warroom.domain.policy import Policy
from warroom.slack import mrkdwn
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
        HeaderBlock(
            block_id=CARD_BLOCK_ID,
            text=clip(f"{_mark(incident)} {headline(incident)}", HEADER_TEXT),
        ),
        SectionBlock(
            block_id="facts",
            fields=[MarkdownTextObject(text=clip(f, SECTION_FIELD)) for f in fields],
        ),
        SectionBlock(
            block_id="impact",
            text=MarkdownTextObject(
                text=f"*Impact*\n{mrkdwn.escape_within(incident.impact, IMPACT_SHOWN)}"
            ),
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
            SectionBlock(
                block_id="resolution",
                text=MarkdownTextObject(text=clip(f"*Resolution*\n{summary}{cause}", SECTION_TEXT)),
            )
        )
    blocks.append(DividerBlock())
    for role in policy.roles:
        holder = incident.holder(role.key)
        who = mrkdwn.user(holder) if holder else "_unassigned_"
        button = (
            ButtonElement(
                action_id=f"{ROLE_HANDOFF_PREFIX}{role.key}",
                text="Hand off",
                value=str(incident.id),
            )
            if holder
            else ButtonElement(
                action_id=role_take_action_id(role.key),
                text=clip(f"Take {role.short}", BUTTON_TEXT),
                value=str(incident.id),
            )
        )
        blocks.append(
            SectionBlock(
                block_id=f"role:{role.key}",
                text=MarkdownTextObject(
                    text=clip(f"*{mrkdwn.escape(role.name)}*\n{who}", SECTION_TEXT)
                ),
                accessory=button,
            )
        )
    if incident.closed_at is None:
        over = incident.resolved_at is not None
        blocks.append(_after_resolution(incident) if over else _controls(incident, policy))
    notes = ["Every message in this channel lands on the incident timeline."]
    if incident.private:
        notes.insert(0, "🔒 Private incident: not announced.")
    blocks.append(ContextBlock(elements=[MarkdownTextObject(text=" ".join(notes))]))
    text = f"{incident.reference} {level.key}: {mrkdwn.escape(incident.title)}"
    return Message(text=text, blocks=[block.to_dict() for block in blocks])


def _mark(incident: Incident) -> str:
    if incident.cancelled_at is not None:
        return "🚫"
    return "✅" if incident.resolved_at else "🚨"


def _option(value: str, text: str) -> Option:
    return Option(value=value, text=PlainTextObject(text=clip(text, OPTION_TEXT)))


def _controls(incident: Incident, policy: Policy) -> ActionsBlock:
    """Severity and status pickers and the assign button. The block_id changes with
    the values so Slack shows the stored choice after an update, not a stale pick."""
    severities = [_option(s.key, f"{s.key} · {s.label}") for s in policy.severities]
    statuses = [_option(key, policy.status(key).label) for key in policy.settable_statuses()]
    current_status = next((o for o in statuses if o.value == incident.status), None)
    return ActionsBlock(
        block_id=f"controls:{incident.severity}:{incident.status}",
        elements=[
            StaticSelectElement(
                action_id=SEVERITY_ACTION,
                placeholder="Severity",
                options=severities,
                initial_option=next(o for o in severities if o.value == incident.severity),
            ),
            StaticSelectElement(
                action_id=STATUS_ACTION,
                placeholder="Status",
                options=statuses,
                initial_option=current_status,
            ),
            ButtonElement(
                action_id=UPDATE_OPEN_ACTION,
                text="Post update",
                value=str(incident.id),
                style="primary",
            ),
            ButtonElement(
                action_id=ROLE_ASSIGN_ACTION, text="Assign role…", value=str(incident.id)
            ),
            ButtonElement(action_id=RESOLVE_ACTION, text="Resolve", value=str(incident.id)),
        ],
    )


def _after_resolution(incident: Incident) -> ActionsBlock:
    """A resolved incident can be reopened; a closed one offers nothing more."""
    return ActionsBlock(
        block_id=f"controls:{incident.severity}:{incident.status}",
        elements=[ButtonElement(action_id=REOPEN_ACTION, text="Reopen", value=str(incident.id))],
    )
