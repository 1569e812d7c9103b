"""Small helpers shared by the builders."""

from __future__ import annotations

from slack_sdk.models.blocks import MarkdownTextObject, SectionBlock

from warroom.domain.incident import Incident
from warroom.domain.policy import Policy
from warroom.slack import mrkdwn
from warroom.slack.blocks.limits import SECTION_TEXT, clip
from warroom.slack.message import Message

__all__ = ["clip", "mrkdwn_message", "mrkdwn_section", "status_shown"]

CANCEL_REASON_SHOWN = 200


def status_shown(incident: Incident, policy: Policy) -> str:
    """The status as people read it (escaped): a cancelled incident says so and why."""
    if incident.cancelled_at is not None:
        reason = mrkdwn.escape_within(incident.cancel_reason or "", CANCEL_REASON_SHOWN)
        return f"🚫 Cancelled: {reason}" if reason else "🚫 Cancelled"
    return mrkdwn.escape(policy.status(incident.status).label)


def mrkdwn_section(text: str, block_id: str | None = None) -> SectionBlock:
    """A section showing mrkdwn (already escaped), cut to fit the section's limit."""
    return SectionBlock(block_id=block_id, text=MarkdownTextObject(text=clip(text, SECTION_TEXT)))


def mrkdwn_message(text: str) -> Message:
    """A one-section message whose fallback text is the same mrkdwn (already escaped)."""
    return Message(text=text, blocks=[mrkdwn_section(text).to_dict()])
