"""The broadcast-channel announcement, updated in place as the incident moves."""

from __future__ import annotations

from datetime import datetime, tzinfo

from slack_sdk.models.blocks import ContextBlock, MarkdownTextObject, SectionBlock

from warroom.domain.incident import Incident
from warroom.domain.policy import Policy
from warroom.slack import mrkdwn
from warroom.slack.blocks.limits import CONTEXT_TEXT, SECTION_TEXT, TITLE_SHOWN, clip
from warroom.slack.blocks.text import status_shown, update_promise
from warroom.slack.message import Message

__all__ = ["announcement", "announcement_block_id"]

IMPACT_SHOWN = 500


def announcement(incident: Incident, policy: Policy, *, now: datetime | None = None) -> Message:
    level = policy.severity(incident.severity)
    title = mrkdwn.escape_within(incident.title, TITLE_SHOWN)
    room = mrkdwn.channel(incident.channel_id) if incident.channel_id else "_being set up_"
    commander = incident.holder(policy.commander_role.key)
    lines = [
        f"{'🚫' if incident.cancelled_at else '🚨'} "
        f"*{incident.reference} · {level.key} ({mrkdwn.escape(level.label)})* — {title}",
        f"*Impact:* {mrkdwn.escape_within(incident.impact, IMPACT_SHOWN)}",
        *(
            [f"*Latest:* {mrkdwn.escape_within(incident.summary, IMPACT_SHOWN)}"]
            if incident.summary
            else []
        ),
        f"*Status:* {status_shown(incident, policy)} · "
        f"*{mrkdwn.escape(policy.commander_role.short)}:* "
        f"{mrkdwn.user(commander) if commander else '_unassigned_'} · *War room:* {room}",
    ]
    blocks = [
        SectionBlock(
            block_id=announcement_block_id(incident),
            text=MarkdownTextObject(text=clip("\n".join(lines), SECTION_TEXT)),
        ),
        ContextBlock(
            elements=[
                MarkdownTextObject(text=clip(_freshness(incident, now, policy.zone), CONTEXT_TEXT))
            ]
        ),
    ]
    text = f"{incident.reference} {level.key}: {title}"
    return Message(text=text, blocks=[block.to_dict() for block in blocks])


def announcement_block_id(incident: Incident) -> str:
    """Names the incident, so a resumed setup can find an announcement it never recorded."""
    return f"announcement:{incident.reference}"


def _freshness(incident: Incident, now: datetime | None, zone: tzinfo) -> str:
    """Who declared it, and how fresh the news is: "last update 12 minutes ago · next due 03:30"."""
    declared = mrkdwn.date(incident.declared_at, zone=zone)
    parts = [f"Declared {declared} by {mrkdwn.user(incident.reporter_id)}"]
    if incident.last_update_at is not None:
        parts.append(f"last update {mrkdwn.date(incident.last_update_at, '{ago}', zone)}")
    promise = update_promise(incident, now, zone)
    if promise is not None:
        parts.append(f"next update {promise}")
    return " · ".join(parts)
