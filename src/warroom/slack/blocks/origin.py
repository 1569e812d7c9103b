"""The one public line in the channel an incident was declared from, linking its war room."""

from __future__ import annotations

from warroom.domain.incident import Incident
from warroom.slack import mrkdwn
from warroom.slack.blocks.limits import TITLE_SHOWN
from warroom.slack.blocks.text import mrkdwn_section
from warroom.slack.message import Message

__all__ = ["origin_note", "origin_note_block_id"]


def origin_note_block_id(incident: Incident) -> str:
    """Names the incident, so a resumed setup finds a note it posted and never posts two."""
    return f"origin_note:{incident.reference}"


def origin_note(incident: Incident) -> Message:
    """🚨 @reporter declared *INC-7* (SEV2): title → #room."""
    assert incident.channel_id is not None
    title = mrkdwn.escape_within(incident.title, TITLE_SHOWN)
    text = (
        f"🚨 {mrkdwn.user(incident.reporter_id)} declared *{incident.reference}* "
        f"({incident.severity}): {title} → {mrkdwn.channel(incident.channel_id)}"
    )
    return Message(
        text=text, blocks=[mrkdwn_section(text, block_id=origin_note_block_id(incident)).to_dict()]
    )
