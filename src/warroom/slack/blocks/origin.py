"""Where an incident came from: the public line in the channel it was declared from,
the reply in the thread of the message it was declared from, and the line in the
war room linking that message."""

from __future__ import annotations

import hashlib
import re

from warroom.domain.declaration import DeclaredFrom
from warroom.domain.incident import Incident
from warroom.slack import mrkdwn
from warroom.slack.blocks.limits import TITLE_SHOWN
from warroom.slack.blocks.text import mrkdwn_section
from warroom.slack.message import Message

__all__ = [
    "declared_from_block_id",
    "declared_from_line",
    "origin_note",
    "origin_note_block_id",
    "origin_reply",
    "origin_reply_block_id",
]

_SAFE_LINK = re.compile(r"https://[^\s<>|]{1,2000}")
"""A permalink as Slack gives it; anything else is not made a link."""
_CHANNEL_ID = re.compile(r"[CG][A-Z0-9]{2,40}")


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


def origin_reply_block_id(incident: Incident) -> str:
    """Tells a resumed setup which reply in the thread is this incident's, without naming
    it: anyone in the channel can read a block id, and a private incident's reference
    must not show there. A digest of the incident's id and moment of declaration is
    the same on every run and cannot be guessed from the reference."""
    seed = f"{incident.team_id}:{incident.id}:{incident.declared_at.isoformat()}"
    return f"origin_reply:{hashlib.sha256(seed.encode()).hexdigest()[:24]}"


def origin_reply(incident: Incident) -> Message:
    """The reply in the thread of the message an incident was declared from.

    Public: "🚨 Declared INC-7: #room", so whoever reads the thread next knows it is
    handled and where, and does not declare it a second time.

    Private: the thread is usually a public channel, and a private incident (a
    security or personnel matter) must not show its reference, title, room or people
    to the channel. Saying nothing would leave the thread looking unanswered and
    invite a duplicate declaration, so the reply says only that it was declared as a
    private incident and that those handling it have been brought in. That is what an
    on-call engineer needs from the thread, and reveals nothing the message itself
    did not already show.
    """
    if incident.private:
        text = (
            "🔒 Declared as a private incident. The people handling it have been brought "
            "into its room."
        )
    else:
        assert incident.channel_id is not None
        text = f"🚨 Declared *{incident.reference}*: {mrkdwn.channel(incident.channel_id)}"
    return Message(
        text=text, blocks=[mrkdwn_section(text, block_id=origin_reply_block_id(incident)).to_dict()]
    )


def declared_from_block_id(incident: Incident) -> str:
    return f"declared_from:{incident.reference}"


def declared_from_line(incident: Incident, origin: DeclaredFrom) -> Message:
    """🧵 Declared from <this message> in #channel: the line in the war room linking the
    message the incident was declared from (Slack's permalink; no link without one)."""
    where = mrkdwn.channel(origin.channel_id) if _CHANNEL_ID.fullmatch(origin.channel_id) else ""
    link = origin.permalink if origin.permalink and _SAFE_LINK.fullmatch(origin.permalink) else None
    message = f"<{link}|this message>" if link else "a message"
    text = f"🧵 Declared from {message}{f' in {where}' if where else ''}."
    return Message(
        text=text,
        blocks=[mrkdwn_section(text, block_id=declared_from_block_id(incident)).to_dict()],
    )
