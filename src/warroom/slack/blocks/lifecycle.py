"""The resolve modal and the lines that mark an incident resolved, reopened or closed."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import InputBlock, PlainTextInputElement
from slack_sdk.models.views import View

from warroom.domain.incident import Incident
from warroom.slack import mrkdwn
from warroom.slack.blocks.limits import MODAL_TITLE, TITLE_SHOWN, clip
from warroom.slack.blocks.text import mrkdwn_message
from warroom.slack.message import Message

__all__ = [
    "RESOLUTION_MAX",
    "RESOLVE_CALLBACK_ID",
    "closed_line",
    "closed_notice",
    "parse_resolve",
    "reopened_line",
    "resolve_modal",
    "resolved_line",
    "resolved_notice",
]

RESOLVE_CALLBACK_ID = "resolve"
RESOLUTION_MAX = 1500
ROOT_CAUSE_MAX = 200
RESOLUTION_SHOWN = 2000
ROOT_CAUSE_SHOWN = 500
NOTICE_SHOWN = 1000
ACTION = "value"


def resolve_modal(incident: Incident) -> dict[str, Any]:
    view = View(
        type="modal",
        callback_id=RESOLVE_CALLBACK_ID,
        title=clip(f"Resolve {incident.reference}", MODAL_TITLE),
        submit="Resolve",
        close="Cancel",
        private_metadata=str(incident.id),
        blocks=[
            InputBlock(
                block_id="resolution",
                label="How was it resolved?",
                hint="One or two sentences for stakeholders. The postmortem draft starts here.",
                element=PlainTextInputElement(
                    action_id=ACTION, multiline=True, max_length=RESOLUTION_MAX
                ),
            ),
            InputBlock(
                block_id="root_cause",
                label="Root cause, in one line (if known)",
                optional=True,
                element=PlainTextInputElement(action_id=ACTION, max_length=ROOT_CAUSE_MAX),
            ),
        ],
    )
    result: dict[str, Any] = view.to_dict()
    return result


def parse_resolve(view: dict[str, Any]) -> tuple[int, str, str | None]:
    values: dict[str, Any] = view.get("state", {}).get("values", {})
    resolution = (values.get("resolution", {}).get(ACTION, {}).get("value") or "").strip()
    root_cause = (values.get("root_cause", {}).get(ACTION, {}).get("value") or "").strip()
    return int(view.get("private_metadata") or 0), resolution, root_cause or None


def _root_cause(incident: Incident) -> str:
    if not incident.root_cause:
        return ""
    return f"\n*Root cause:* {mrkdwn.escape_within(incident.root_cause, ROOT_CAUSE_SHOWN)}"


def resolved_line(incident: Incident, by: str, *, postmortem_required: bool = True) -> Message:
    cause = _root_cause(incident)
    after = (
        "A postmortem draft is on its way to this channel."
        if postmortem_required
        else f"{incident.severity} needs no postmortem: `/incident close <reason>` closes it, "
        "or `/incident postmortem` drafts one."
    )
    return mrkdwn_message(
        f"✅ *{incident.reference}* resolved by {mrkdwn.user(by)}: "
        f"{mrkdwn.escape_within(incident.summary or '', RESOLUTION_SHOWN)}{cause}\n"
        f"Reminders have stopped. {after}"
    )


def resolved_notice(incident: Incident) -> Message:
    room = f" — {mrkdwn.channel(incident.channel_id)}" if incident.channel_id else ""
    return mrkdwn_message(
        f"✅ *{incident.reference}* {incident.severity} resolved: "
        f"{mrkdwn.escape_within(incident.title, TITLE_SHOWN)}{room}\n"
        f"{mrkdwn.escape_within(incident.summary or '', NOTICE_SHOWN)}"
    )


def reopened_line(incident: Incident, by: str) -> Message:
    return mrkdwn_message(
        f"🔁 *{incident.reference}* reopened by {mrkdwn.user(by)}: back to investigating, "
        "and status-update reminders are running again."
    )


def closed_notice(incident: Incident, *, without_postmortem: str | None = None) -> Message:
    """In the broadcast channel: the incident's story is finished."""
    room = f" — {mrkdwn.channel(incident.channel_id)}" if incident.channel_id else ""
    what = "closed without a postmortem" if without_postmortem else "postmortem complete, closed"
    return mrkdwn_message(
        f"🗂️ *{incident.reference}* {incident.severity} {what}: "
        f"{mrkdwn.escape_within(incident.title, TITLE_SHOWN)}{room}"
    )


def closed_line(incident: Incident, by: str, *, without_postmortem: str | None = None) -> Message:
    if without_postmortem:
        why = mrkdwn.escape_within(without_postmortem, NOTICE_SHOWN)
        return mrkdwn_message(
            f"🗂️ *{incident.reference}* closed by {mrkdwn.user(by)} without a postmortem: {why}"
        )
    return mrkdwn_message(
        f"🗂️ *{incident.reference}* closed by {mrkdwn.user(by)}: the postmortem is complete."
    )
